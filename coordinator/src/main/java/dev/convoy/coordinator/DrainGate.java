package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.config.Durations;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.VersionSessions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The {@code versions-drained} gate before an environment's contract step: it opens once the
 * environment's agent has reported, for the quiet time, no session of an old application version
 * (see {@link VersionsSeen}). A version is current, not old, when its revision is one of the step's
 * target heads or a descendant of one, or a revision this wave brought (in the target's ancestry
 * but not in the heads the environment had before the wave): a target revision that changes no
 * table's shape has no version of its own, and the new application then runs the newest version the
 * wave created. Any other version (the ones the contract retires, or a revision this coordinator's
 * migrations do not hold) keeps the gate closed. Never reported (an older agent) or no report
 * within the roster's liveness window: closed, saying so. Quiet is measured on the coordinator's
 * clock from the reports' arrival: since the last report that showed an old version's session, and
 * never from before the reports' last gap.
 */
final class DrainGate {
  static final String KIND = "versions-drained";
  static final String FORM = "versions-drained[:<duration>]";
  static final Duration DEFAULT_QUIET = Duration.ofSeconds(30);

  /** The event logged when a rollout starts waiting at this gate. */
  static final String EVENT = "waiting_for_versions";

  /** The heads {@code env} had before {@code wave} of {@code rollout} expanded it. */
  interface WaveStart {
    List<String> heads(String rollout, String env, int wave);
  }

  /** The gate's answer: open, or closed with the reason and its figures for the API. */
  record Verdict(boolean open, String message, JsonObject json) {}

  private final VersionsSeen seen;
  private final Supplier<RevisionGraph> graph;
  private final WaveStart starts;
  private final Duration defaultQuiet;
  private RevisionGraph cached;
  private long cachedAt;

  DrainGate(
      VersionsSeen seen, Supplier<RevisionGraph> graph, WaveStart starts, Duration defaultQuiet) {
    this.seen = seen;
    this.graph = graph;
    this.starts = starts;
    this.defaultQuiet = defaultQuiet;
  }

  static boolean is(String gate) {
    return gate != null && (gate.equals(KIND) || gate.startsWith(KIND + ":"));
  }

  /** Whether {@code gate} is a well-formed drain gate (its quiet time, if given, a duration). */
  static boolean valid(String gate) {
    try {
      return is(gate) && !quiet(gate, DEFAULT_QUIET).isNegative();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The quiet time {@code gate} names, or {@code fallback} when it names none. */
  static Duration quiet(String gate, Duration fallback) {
    return gate.equals(KIND)
        ? fallback
        : Durations.parse("quiet time", gate.substring(KIND.length() + 1));
  }

  Duration defaultQuiet() {
    return defaultQuiet;
  }

  /** The gate as people write it, with its quiet time: {@code versions-drained:30s}. */
  static String named(long quietMs) {
    return KIND + ":" + seconds(quietMs);
  }

  /**
   * Whether {@code env}'s contract step of {@code wave} (to {@code target}, comma-separated heads)
   * may go at {@code now} after {@code quietMs} of quiet.
   */
  Verdict check(String rollout, String env, int wave, String target, long quietMs, long now) {
    VersionsSeen.Report report = seen.latest(env);
    if (report == null) {
      return closed(
          env,
          quietMs,
          "no agent of "
              + env
              + " has reported its live versions (agents older than the"
              + " versions-drained gate report none: upgrade them)",
          null,
          0);
    }
    long age = now - report.at();
    if (age >= Roster.ALIVE_MS) {
      return closed(
          env,
          quietMs,
          "the last report of "
              + env
              + "'s live versions is "
              + age / 1000
              + "s old (none within "
              + Roster.ALIVE_MS / 1000
              + "s): is its agent up?",
          null,
          0);
    }
    Current current = new Current(rollout, env, wave, target);
    Map<String, VersionSessions> old = new TreeMap<>();
    report
        .versions()
        .forEach(
            (rev, v) -> {
              if (v.sessions() > 0 && !current.test(rev)) {
                old.put(rev, v);
              }
            });
    long since = seen.coveredSince(env);
    for (var e : seen.lastSeen(env).entrySet()) {
      if (!current.test(e.getKey())) {
        since = Math.max(since, e.getValue());
      }
    }
    long quiet = old.isEmpty() ? Math.max(0, now - since) : 0;
    if (old.isEmpty() && quiet >= quietMs) {
      return new Verdict(true, null, null);
    }
    List<String> held = new ArrayList<>();
    old.values()
        .forEach(
            v ->
                held.add(
                    v.name()
                        + " has "
                        + v.sessions()
                        + (v.sessions() == 1 ? " session" : " sessions")));
    String what = held.isEmpty() ? "no old version has sessions" : String.join(", ", held);
    return closed(
        env,
        quietMs,
        what + "; quiet for " + quiet / 1000 + "s of " + seconds(quietMs),
        old,
        quiet);
  }

  private static Verdict closed(
      String env, long quietMs, String why, Map<String, VersionSessions> old, long quiet) {
    String message = "waiting for versions to drain in " + env + ": " + why;
    JsonObject versions = new JsonObject();
    if (old != null) {
      old.forEach(
          (rev, v) ->
              versions.put(
                  rev, new JsonObject().put("name", v.name()).put("sessions", v.sessions())));
    }
    JsonObject json =
        new JsonObject()
            .put("kind", "versions")
            .put("env", env)
            .put("gate", named(quietMs))
            .put("message", message)
            .put("old_versions", versions)
            .put("quiet_seconds", quiet / 1000.0)
            .put("quiet_needed_seconds", quietMs / 1000.0)
            .put(
                "released_by",
                "no session of an old version in "
                    + env
                    + " for "
                    + seconds(quietMs)
                    + " (end or redeploy the old application's sessions)");
    return new Verdict(false, message, json);
  }

  private static String seconds(long ms) {
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /**
   * The coordinator's migrations, read again at most every five seconds: the driver asks at every
   * tick while old versions keep the gate closed. A directory it cannot read holds no revision, so
   * only the target's own versions count as current.
   */
  private synchronized RevisionGraph graph() {
    long now = System.nanoTime();
    if (cached == null || now - cachedAt > 5_000_000_000L) {
      try {
        cached = graph.get();
      } catch (RuntimeException e) {
        cached = new RevisionGraph(List.of());
      }
      cachedAt = now;
    }
    return cached;
  }

  /** Which revisions' versions are current for one contract step; reads the graph when needed. */
  private final class Current {
    private final String rollout;
    private final String env;
    private final int wave;
    private final Set<String> target;
    private RevisionGraph g;
    private Set<String> brought;

    Current(String rollout, String env, int wave, String target) {
      this.rollout = rollout;
      this.env = env;
      this.wave = wave;
      this.target = Set.copyOf(Arrays.asList(target.split(",")));
    }

    boolean test(String rev) {
      if (target.contains(rev)) {
        return true;
      }
      if (g == null) {
        g = graph();
      }
      if (!g.contains(rev)) {
        return false;
      }
      for (String t : target) {
        if (g.contains(t) && g.descendants(t).contains(rev)) {
          return true;
        }
      }
      if (brought == null) {
        brought = new java.util.HashSet<>(g.closure(target));
        brought.removeAll(g.closure(starts.heads(rollout, env, wave)));
      }
      return brought.contains(rev);
    }
  }

  /**
   * The heads an environment had before a wave, from the control database: the previous wave's
   * target, or for the first wave the rollout's starting heads.
   */
  static WaveStart fromControl(ControlStore store) {
    return (rollout, env, wave) -> {
      Row r =
          store.one(
              "SELECT (SELECT target FROM "
                  + SCHEMA
                  + ".steps WHERE rollout_id = "
                  + Sql.literal(rollout)
                  + " AND wave = "
                  + (wave - 1)
                  + " AND NOT rollback ORDER BY seq LIMIT 1), (SELECT start_heads -> "
                  + Sql.literal(env)
                  + " FROM "
                  + SCHEMA
                  + ".rollouts WHERE id = "
                  + Sql.literal(rollout)
                  + ")::text");
      if (r.getString(0) != null) {
        return List.of(r.getString(0).split(","));
      }
      return r.getString(1) == null
          ? List.of()
          : new JsonArray(r.getString(1)).stream().map(String::valueOf).toList();
    };
  }
}
