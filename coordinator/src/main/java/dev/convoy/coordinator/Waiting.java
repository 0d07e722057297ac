package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What an active rollout waits for at its next step's gate, for people: the deploy window of an
 * expand-first rollout (its contract gate, what releases it, the soak's remaining time and end), an
 * environment's old application versions draining before its contract ({@link DrainGate}: which
 * versions still have sessions, the quiet so far), a stage's approval, or a stage's soak (the
 * rollout stays {@code running} meanwhile). Derived from the described rollout's steps and the
 * control database, so every coordinator, leader or not, answers the same; the soak's remaining
 * time on the coordinator's {@link Clock}, the one the driver's gate decision reads.
 */
final class Waiting {
  static final String DEPLOY =
      "waiting for the deploy of the new application (expand done in every environment)";
  private static final List<String> ACTIVE = List.of("running", "waiting", "paused");

  private final ControlStore store;
  private final Clock clock;
  private final DrainGate drain;

  Waiting(ControlStore store, Clock clock) {
    this(store, clock, null);
  }

  /** With the versions-drained gate (null: a wait for it is not described). */
  Waiting(ControlStore store, Clock clock, DrainGate drain) {
    this.store = store;
    this.clock = clock;
    this.drain = drain;
  }

  /** Running, waiting or paused: a rollout whose forward steps may still run. */
  static boolean active(JsonObject rollout) {
    return ACTIVE.contains(rollout.getString("state"));
  }

  /** The next step to run: the first forward step neither skipped nor succeeded; null if none. */
  static JsonObject next(JsonArray steps) {
    for (Object o : steps) {
      JsonObject s = (JsonObject) o;
      if (!s.getBoolean("rollback", false)
          && !s.getString("state").equals("skipped")
          && !s.getString("state").equals("succeeded")) {
        return s;
      }
    }
    return null;
  }

  /** The wave of the next step (the last wave once every step is done). */
  static Integer currentWave(JsonArray steps) {
    JsonObject next = next(steps);
    if (next != null) {
      return next.getInteger("wave");
    }
    return steps.isEmpty() ? null : steps.getJsonObject(steps.size() - 1).getInteger("wave");
  }

  /**
   * The pending contract step whose gate the rollout has reached (expand done in every environment
   * for its wave), or null: a rollout that is not active, or not there yet, or past it.
   */
  static JsonObject atContractGate(JsonObject rollout) {
    if (!active(rollout)) {
      return null;
    }
    JsonObject next = next(rollout.getJsonArray("steps"));
    return next != null
            && next.getString("state").equals("pending")
            && ContractGate.is(next.getString("gate"))
        ? next
        : null;
  }

  /** The {@code waiting_for} object of a described rollout; null when it waits for nothing. */
  JsonObject describe(JsonObject rollout) {
    String id = rollout.getString("id");
    if (List.of("waiting", "paused", "rolling_back").contains(rollout.getString("state"))) {
      JsonObject loss = DataLossGate.describe(rollout);
      if (loss != null) {
        return loss;
      }
    }
    JsonObject step = atContractGate(rollout);
    JsonObject deploy = step == null ? null : deploy(id, step);
    if (deploy != null) {
      return deploy;
    }
    JsonObject next = active(rollout) ? next(rollout.getJsonArray("steps")) : null;
    if (next == null || !next.getString("state").equals("pending")) {
      return null;
    }
    if (next.getValue("drain_quiet_seconds") != null && drain != null) {
      DrainGate.Verdict v =
          drain.check(
              id,
              next.getString("env"),
              next.getInteger("wave"),
              next.getString("target"),
              Math.round(next.getDouble("drain_quiet_seconds") * 1000),
              clock.millis());
      return v.open() ? null : v.json();
    }
    return ContractGate.is(next.getString("gate")) ? null : stage(id, next);
  }

  /** The deploy window of a contract step, or null when its gate is open. */
  private JsonObject deploy(String id, JsonObject step) {
    String gate = ContractGate.of(step.getString("gate"));
    int wave = step.getInteger("wave");
    if (gate.equals("auto") || DrainGate.is(gate) || new Releases(store).released(id, wave)) {
      return null;
    }
    JsonObject w =
        new JsonObject()
            .put("kind", "deploy")
            .put("gate", gate)
            .put("wave", wave)
            .put("message", DEPLOY)
            .put("released_by", ContractGate.releasedBy(id, gate));
    if (gate.startsWith("soak:")) {
      soak(w, soakEnd(id, step, ContractGate.soak(gate)));
    }
    return w;
  }

  /** A stage's soak or approval before {@code next}, or null when it waits for neither. */
  private JsonObject stage(String id, JsonObject next) {
    String env = next.getString("env");
    if (next.getString("gate").startsWith("soak:")) {
      // A stage's soak: the rollout stays running, and says for how long it does nothing.
      Instant end = soakEnd(id, next, Gate.soak(next.getString("gate")));
      if (end == null || !clock.instant().isBefore(end)) {
        return null;
      }
      return soak(
          new JsonObject()
              .put("kind", "soak")
              .put("env", env)
              .put("gate", next.getString("gate"))
              .put("message", "soaking before " + env)
              .put("released_by", "the soak's end at " + end.truncatedTo(ChronoUnit.SECONDS)),
          end);
    }
    if (!next.getString("gate").equals("approval") || approved(id, env)) {
      return null;
    }
    return new JsonObject()
        .put("kind", "approval")
        .put("env", env)
        .put("gate", "approval")
        .put("message", "waiting for approval before " + env)
        .put("released_by", "'convoy rollout approve " + id + " --env " + env + "'");
  }

  /**
   * When the soak before {@code step} ends: {@code soak} after the forward steps before it last
   * finished; null when none has (the gate passes at once).
   */
  private Instant soakEnd(String id, JsonObject step, Duration soak) {
    Double finished =
        store
            .one(
                "SELECT extract(epoch FROM max(finished_at))::float8 FROM "
                    + SCHEMA
                    + ".steps WHERE rollout_id = "
                    + Sql.literal(id)
                    + " AND seq < "
                    + step.getInteger("seq")
                    + " AND NOT rollback")
            .getDouble(0);
    return finished == null ? null : Instant.ofEpochMilli((long) (finished * 1000)).plus(soak);
  }

  /** Adds the soak's end (ISO-8601 UTC) and the seconds left of it on the coordinator's clock. */
  private JsonObject soak(JsonObject w, Instant end) {
    double left = end == null ? 0 : (end.toEpochMilli() - clock.millis()) / 1000.0;
    w.put("soak_remaining_seconds", Math.max(0, Math.round(left * 10) / 10.0));
    if (end != null) {
      w.put("soak_ends_at", end.toString());
    }
    return w;
  }

  private boolean approved(String id, String env) {
    return !store
        .rows(
            "SELECT 1 FROM "
                + SCHEMA
                + ".approvals WHERE rollout_id = "
                + Sql.literal(id)
                + " AND env = "
                + Sql.literal(env))
        .isEmpty();
  }
}
