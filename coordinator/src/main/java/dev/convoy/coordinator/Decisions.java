package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's decisions about one rollout, as conditional writes: each {@link Decision} locks the
 * rollout's row as read in a given state and holds only while the leader's epoch is current, so an
 * API call or a newer leader that decided first is never overwritten. Shared by {@link Driver}
 * (passing gates, sending steps, finishing) and {@link RollbackStart}, so both commit, finish and
 * log a decision someone else beat in one way.
 */
final class Decisions {
  private static final Logger log = LoggerFactory.getLogger(Decisions.class);

  private final String id;
  private final ControlStore store;

  Decisions(String id, ControlStore store) {
    this.id = id;
    this.store = store;
  }

  /**
   * A decision about {@code rollout} as the leader of {@code epoch}, made on the rollout as read in
   * {@code state}: it commits only if the rollout is still in that state (its row locked, so an API
   * call waits for the decision and then finds the state it left) and the epoch is still current.
   */
  Decision decide(long epoch, String rollout, String state) {
    return new Decision(store, epoch)
        .must(
            "SELECT 1 FROM "
                + SCHEMA
                + ".rollouts WHERE id = "
                + Sql.literal(rollout)
                + " AND state = "
                + Sql.literal(state)
                + " FOR UPDATE");
  }

  /** Commits {@code d}; when it matched nothing, someone else decided: read again next tick. */
  boolean commit(Decision d, String rollout, String what) {
    if (d.commit()) {
      return true;
    }
    log.info(
        "{} - rollout {}: not {}, someone else decided first ({}); reading it again",
        id,
        rollout,
        what,
        d.refusal());
    return false;
  }

  /** The conditional update moving {@code rollout} from {@code from} to {@code to}. */
  static String setState(String rollout, String from, String to) {
    return "UPDATE "
        + SCHEMA
        + ".rollouts SET state = "
        + Sql.literal(to)
        + ", updated_at = now() WHERE id = "
        + Sql.literal(rollout)
        + " AND state = "
        + Sql.literal(from);
  }

  /** Ends {@code rollout} as {@code state}, as part of {@code d} (whose lock names its state). */
  boolean finish(Decision d, String rollout, String state, String error) {
    d.must(
            "UPDATE "
                + SCHEMA
                + ".rollouts SET state = "
                + Sql.literal(state)
                + (error == null ? "" : ", error = " + Sql.literal(error))
                + ", updated_at = now() WHERE id = "
                + Sql.literal(rollout)
                + " AND state IN ('running', 'waiting', 'rolling_back')")
        .log(rollout, null, "rollout_" + state, error);
    if (commit(d, rollout, state)) {
      log.info("{} - rollout {} {}", id, rollout, state);
      return true;
    }
    return false;
  }
}
