package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import java.util.List;

/**
 * What agents say about steps, written to the control database: accepted, progress, outcomes, and
 * heartbeats naming the step in progress. Answers to a send of an earlier epoch are ignored (the
 * where clause matches the step's current epoch), so a re-sent step is decided by its newest send
 * only. Every write is a {@link Decision} of the leader's term: a leader whose term ended writes
 * nothing.
 */
final class StepOutcomes {
  private final ControlStore store;
  private final CoordinatorMetrics metrics;

  StepOutcomes(ControlStore store, CoordinatorMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  /** A heartbeat naming the step {@code key} (plan#step) its agent is working on. */
  void heard(String key, long term) {
    int hash = key.lastIndexOf('#');
    if (hash <= 0) {
      return;
    }
    int seq;
    try {
      seq = Integer.parseInt(key.substring(hash + 1));
    } catch (NumberFormatException e) {
      return;
    }
    new Decision(store, term)
        .then(
            "UPDATE "
                + SCHEMA
                + ".steps SET heard_at = now() WHERE rollout_id = "
                + Sql.literal(key.substring(0, hash))
                + " AND seq = "
                + seq
                + " AND state IN ('sent', 'running')")
        .commit();
  }

  /**
   * An environment's starting heads, as its database had them when its first step of the rollout
   * was accepted (read by the agent just before running it): they replace the heartbeats' guess
   * taken when the rollout was created, which may be seconds old or wrong. Only the first such
   * answer counts (a step sent again later would report heads it moved itself), and only one whose
   * heads were read (an accepted event with a message could not read them).
   */
  private static String startHeadsSql(Event e, String stepWhere) {
    if (e.message() != null || e.env() == null) {
      return null;
    }
    return ControlStore.updateAndLogSql(
        "UPDATE "
            + SCHEMA
            + ".rollouts SET start_heads = jsonb_set(start_heads, ARRAY["
            + Sql.literal(e.env())
            + "], "
            + Sql.literal(new JsonArray(e.heads()).encode())
            + "::jsonb), start_read = start_read || "
            + Sql.literal(new JsonArray().add(e.env()).encode())
            + "::jsonb WHERE id = "
            + Sql.literal(e.plan())
            + " AND NOT start_read ? "
            + Sql.literal(e.env())
            + " AND EXISTS (SELECT 1 FROM "
            + SCHEMA
            + ".steps"
            + stepWhere
            + " AND NOT rollback AND env = "
            + Sql.literal(e.env())
            + " AND seq = (SELECT min(seq) FROM "
            + SCHEMA
            + ".steps WHERE rollout_id = "
            + Sql.literal(e.plan())
            + " AND env = "
            + Sql.literal(e.env())
            + " AND NOT rollback))",
        e.plan(),
        e.env(),
        "start_heads",
        e.env()
            + " started from "
            + (e.heads().isEmpty() ? "base" : String.join(", ", e.heads()))
            + " (read from its database)");
  }

  /**
   * Refusal codes about the entry, not the step: an attacker who can write to Redis can make an
   * agent answer any of them for any step, so none of them fails a step.
   */
  static final java.util.Set<String> NO_VERDICT =
      java.util.Set.of(
          "stale_epoch", "bad_signature", "wrong_env", "expired", "future", "superseded");

  /**
   * The assignments a progress event makes: the rows of the backfill running now, the rows and
   * totals of the step's earlier backfills (a new one reports from 0 again), and when the first and
   * the latest report arrived, from which the rate is read (see {@link BackfillFigures}). Kept once
   * the step is over, so a finished rollout shows what it did.
   */
  static String progressSql(Event e) {
    long rows = e.rows() == null ? 0 : e.rows();
    long total = e.total() == null ? rows : e.total();
    String restarted = "CASE WHEN " + rows + " < coalesce(rows_done, 0) THEN ";
    return "rows_before = rows_before + "
        + restarted
        + "rows_done ELSE 0 END, total_before = total_before + "
        + restarted
        + "coalesce(rows_total, rows_done) ELSE 0 END, rows_done = "
        + rows
        + ", rows_total = "
        + total
        + ", backfill_started_at = coalesce(backfill_started_at, now()),"
        + " backfill_from = coalesce(backfill_from, "
        + rows
        + "), progress_at = now(), heard_at = now()";
  }

  /** Records an agent's answer to a step; answers to a superseded send are ignored. */
  void apply(Event e, long term) {
    if (e.plan() == null || e.step() == null) {
      return;
    }
    String where =
        " WHERE rollout_id = "
            + Sql.literal(e.plan())
            + " AND seq = "
            + e.step()
            + " AND epoch = "
            + (e.epoch() == null ? -1 : e.epoch())
            + " AND env = "
            + Sql.literal(e.env())
            + " AND state IN ('sent', 'running')";
    if (e.type().equals(Event.REJECTED)
        && (e.epoch() != null && e.epoch() < term || NO_VERDICT.contains(e.code()))) {
      // A refusal that says nothing about the step: a command of an earlier term refused by an
      // agent that has seen a newer one, or an entry the coordinator did not send as it stands
      // (forged, copied to another environment's stream, replayed past its window). The step
      // stays as it is; if it is not heard of, the driver sends it again under the current term.
      return;
    }
    switch (e.type()) {
      case Event.ACCEPTED -> {
        Decision d = new Decision(store, term);
        String startHeads = startHeadsSql(e, where);
        if (startHeads != null) {
          d.then(startHeads);
        }
        d.then("UPDATE " + SCHEMA + ".steps SET state = 'running', heard_at = now()" + where)
            .commit();
      }
      case Event.PROGRESS -> {
        new Decision(store, term)
            .then("UPDATE " + SCHEMA + ".steps SET " + progressSql(e) + where)
            .commit();
        metrics.backfillRows(e.env(), e.rows());
      }
      case Event.SUCCEEDED, Event.FAILED, Event.REJECTED -> {
        String state = e.type().equals(Event.SUCCEEDED) ? "succeeded" : e.type();
        // One statement: the driver, which reacts to the step's new state, must find its event
        // logged first.
        new Decision(store, term)
            .then(
                ControlStore.updateAndLogSql(
                    "UPDATE "
                        + SCHEMA
                        + ".steps SET state = "
                        + Sql.literal(state)
                        + ", finished_at = now()"
                        + ", seconds = "
                        + (e.seconds() == null ? "NULL" : e.seconds())
                        + ", heads = "
                        + Sql.literal(new JsonArray(e.heads()).encode())
                        + "::jsonb"
                        + ", message = "
                        + ControlStore.lit(e.message())
                        + ", code = "
                        + ControlStore.lit(e.code())
                        + where,
                    e.plan(),
                    e.env(),
                    "step_" + state,
                    "step " + e.step() + (e.message() == null ? "" : ": " + e.message())))
            .commit();
        if (e.seconds() != null) {
          stepDuration(e);
        }
      }
      default -> {}
    }
  }

  /** Records how long the step took, labelled with what it did (op) and the revision it reached. */
  private void stepDuration(Event e) {
    List<Row> step =
        store.rows(
            "SELECT action, phase, target FROM "
                + SCHEMA
                + ".steps WHERE rollout_id = "
                + Sql.literal(e.plan())
                + " AND seq = "
                + e.step());
    if (!step.isEmpty()) {
      Row r = step.get(0);
      metrics.stepDuration(
          e.env(), Command.op(r.getString(0), r.getString(1)), r.getString(2), e.seconds());
    }
  }
}
