package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Row;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the leader hands a step to its environment's agent, and only before its lease's local
 * deadline.
 */
final class StepSender {
  private static final Logger log = LoggerFactory.getLogger(StepSender.class);

  /**
   * A command stream keeps about this many entries: a step is sent again when it is not heard of,
   * so an entry trimmed before its agent read it is not lost, and the stream never grows without
   * bound.
   */
  static final int COMMANDS_MAX_LEN = 1000;

  private final Lease lease;
  private final String id;
  private final ControlStore store;
  private final Redis redis;
  private final Keys keys;
  private final Signer signer;

  StepSender(Lease lease, String id, ControlStore store, Redis redis, Keys keys, Signer signer) {
    this.lease = lease;
    this.id = id;
    this.store = store;
    this.redis = redis;
    this.keys = keys;
    this.signer = signer;
  }

  /**
   * Sends one step (a driver's steps row: seq 0, env 1, action 2, phase 3, target 4, state 7, epoch
   * 8, allow_data_loss 12): signs its command with this term's epoch, records it as sent (and logs
   * step_sent) as part of {@code decision}, conditional on the step being as the driver read it,
   * then, once that committed and while the lease is still certainly held, adds it to the
   * environment's command stream. False when nothing was sent.
   */
  boolean send(Decision decision, long epoch, String rollout, Row step, String revisions) {
    try (var context =
        dev.convoy.rollout.LogContext.of(rollout, step.getString(1), step.getInteger(0), epoch)) {
      return sendInContext(decision, epoch, rollout, step, revisions);
    }
  }

  private boolean sendInContext(
      Decision decision, long epoch, String rollout, Row step, String revisions) {
    if (!lease.held()) {
      // Past the lease's local deadline (Redis unreachable, GC, SIGSTOP): another coordinator
      // may lead now.
      throw new IllegalStateException(
          "past the lease deadline; not sending step "
              + step.getInteger(0)
              + " of rollout "
              + rollout);
    }
    List<Command.Revision> revs = List.of(Wire.read(revisions, Command.Revision[].class));
    Command c =
        new Command(
                rollout,
                step.getInteger(0),
                step.getString(1),
                epoch,
                step.getString(2),
                step.getString(4),
                step.getString(3),
                revs,
                System.currentTimeMillis(),
                step.getBoolean(12),
                null)
            .signed(signer);
    // The event is logged with the state, before the command goes out: an agent's fast answer
    // must not be logged ahead of its step_sent.
    Long readEpoch = step.getLong(8);
    boolean recorded =
        decision
            .must(
                ControlStore.updateAndLogSql(
                    "UPDATE "
                        + SCHEMA
                        + ".steps SET state = 'sent', epoch = "
                        + epoch
                        + ", sent_at = now(), heard_at = NULL WHERE rollout_id = "
                        + Sql.literal(rollout)
                        + " AND seq = "
                        + step.getInteger(0)
                        + " AND state = "
                        + Sql.literal(step.getString(7))
                        + " AND epoch IS NOT DISTINCT FROM "
                        + (readEpoch == null ? "NULL" : readEpoch.toString()),
                    rollout,
                    c.env(),
                    "step_sent",
                    "step "
                        + c.step()
                        + ": "
                        + c.action()
                        + " "
                        + c.target()
                        + " ("
                        + c.phase()
                        + "), epoch "
                        + epoch
                        + (c.allowDataLoss() ? ", data loss allowed" : "")))
            .commit();
    if (!recorded) {
      return false;
    }
    if (!lease.held()) {
      log.warn(
          "{} - step {} of rollout {} recorded as sent but not sent: the lease deadline passed;"
              + " the next leader sends it again",
          id,
          c.step(),
          rollout);
      return false;
    }
    Replies.await(
        redis.send(
            Request.cmd(io.vertx.redis.client.Command.XADD)
                .arg(keys.commands(c.env()))
                .arg("MAXLEN")
                .arg("~")
                .arg(COMMANDS_MAX_LEN)
                .arg("*")
                .arg("e")
                .arg(Wire.write(c))));
    log.info(
        "{} - rollout {} step {}: {} {} in {} ({}), epoch {}",
        id,
        rollout,
        c.step(),
        c.action(),
        c.target(),
        c.env(),
        c.phase(),
        epoch);
    return true;
  }
}
