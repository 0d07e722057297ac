package dev.convoy.agent.daemon;

import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * The command ledger of one environment's database ({@code convoy.ledger}): every coordinator
 * command the database executed, keyed by (plan, step, epoch), with its state ({@code running},
 * {@code succeeded}, {@code failed}, {@code superseded}), the heads it left, its message and who
 * ran it when.
 *
 * <p>Why a command takes effect at most once per database, however often it is delivered or
 * replayed: {@link #claim} checks and raises the epoch fence and claims the command's row in one
 * transaction, under the fence's row lock. A key never seen before gets a {@code running} row, and
 * every other {@code running} row becomes {@code superseded} (it can never resume). A key already
 * {@code succeeded} or {@code failed} changes nothing and is answered with its recorded outcome; a
 * {@code superseded} one is refused. So is a new key whose step (plan, step) finished here under an
 * earlier epoch: a coordinator that took over sends again the steps it has not heard about, and a
 * step runs once per database whatever the epoch (a data-loss refusal, which changed nothing, is
 * asked again). Only a {@code running} row's own command goes on, which is a redelivery of an
 * execution that never finished (its agent died): the engine re-reads the version table and the
 * backfill cursors under the migration lock, so it continues that one execution rather than
 * starting another. Every transaction of the work then checks in the same transaction that the row
 * is still {@code running} and the fence not above the command's epoch (see {@link
 * dev.convoy.agent.state.WorkFence}), holding the row locks until it commits, and a row never goes
 * back to {@code running}. So once a command is finished or superseded nothing of it can commit,
 * and a replayed entry of the stream can only read its row.
 */
final class CommandLedger {
  /**
   * What {@link #claim} found: go on (a new or a resumed execution), answer with the recorded
   * outcome ({@code recorded}), or refuse ({@code refusal}).
   */
  record Claim(boolean resumed, Recorded recorded, CommandGate.Refusal refusal) {
    boolean proceeds() {
      return recorded == null && refusal == null;
    }
  }

  /** A finished command's row, of the command's epoch or an earlier one. */
  record Recorded(
      String state, List<String> heads, String message, String agent, String at, long epoch) {
    /** The log line and event message of a replay: what was recorded, and that nothing ran. */
    String replayed() {
      return "already applied as "
          + state
          + " at "
          + at
          + (agent == null ? "" : " by " + agent)
          + " (epoch "
          + epoch
          + "); not applied again"
          + (message == null ? "" : ": " + message);
    }

    Event event(String agent, Command c) {
      return Event.about(
          state.equals("succeeded") ? Event.SUCCEEDED : Event.FAILED,
          agent,
          c,
          heads,
          replayed(),
          null,
          "already_applied");
    }
  }

  private final SessionHolder stateDb;
  private final StateStore state;
  private final String q;

  CommandLedger(SessionHolder stateDb, String schema) {
    this.stateDb = stateDb;
    this.state = new StateStore(schema);
    this.q = Sql.ident(schema);
  }

  /** In one transaction: checks and raises the fence, then claims, resumes or answers the key. */
  Claim claim(Command c, String agent) {
    synchronized (stateDb) {
      TextSession db = stateDb.get();
      try {
        state.ensure(db);
        db.execute("BEGIN");
        try {
          Claim claim = claim(db, c, agent);
          db.execute(
              claim.refusal() != null && claim.refusal().code().equals("stale_epoch")
                  ? "ROLLBACK"
                  : "COMMIT");
          return claim;
        } catch (RuntimeException e) {
          db.execute("ROLLBACK");
          throw e;
        }
      } catch (RuntimeException e) {
        stateDb.reset();
        throw e;
      }
    }
  }

  private Claim claim(TextSession db, Command c, String agent) {
    long fence =
        Long.parseLong(
            db.value(
                "INSERT INTO "
                    + q
                    + ".fence (id, epoch) VALUES (1, "
                    + c.epoch()
                    + ") ON CONFLICT (id) DO UPDATE SET epoch = GREATEST("
                    + q
                    + ".fence.epoch, EXCLUDED.epoch), updated_at = now() RETURNING epoch::text"));
    if (fence > c.epoch()) {
      return new Claim(
          false,
          null,
          new CommandGate.Refusal(
              "stale_epoch",
              "stale coordinator: the command carries epoch "
                  + c.epoch()
                  + " but this database has already seen epoch "
                  + fence));
    }
    List<String[]> rows =
        db.rows(
            "SELECT state, array_to_string(heads, ','), message, agent,"
                + " coalesce(finished_at, started_at)::text FROM "
                + q
                + ".ledger WHERE "
                + key(c)
                + " FOR UPDATE");
    if (!rows.isEmpty()) {
      String[] r = rows.get(0);
      switch (r[0]) {
        case "running" -> {
          supersedeOthers(db, c);
          db.execute("UPDATE " + q + ".ledger SET agent = " + Sql.literal(agent) + where(c));
          return new Claim(true, null, null);
        }
        case "superseded" -> {
          return new Claim(
              false,
              null,
              new CommandGate.Refusal(
                  "superseded",
                  "command "
                      + c.key()
                      + " (epoch "
                      + c.epoch()
                      + ") was superseded at "
                      + r[4]
                      + " by a newer command before it finished; it is never resumed, and"
                      + " was not applied again"));
        }
        default -> {
          return new Claim(false, recorded(r, c.epoch()), null);
        }
      }
    }
    // The same step sent again by a newer coordinator (it took over before it read the answer):
    // one that finished here is answered, not run again. A step that failed may have changed
    // rows its undo cannot restore (a backfill), and would fail again. A data-loss refusal
    // changed nothing and is a question: it is asked again.
    List<String[]> earlier =
        db.rows(
            "SELECT state, array_to_string(heads, ','), message, agent,"
                + " coalesce(finished_at, started_at)::text, epoch::text FROM "
                + q
                + ".ledger WHERE plan = "
                + Sql.literal(c.plan())
                + " AND step = "
                + c.step()
                + " AND state IN ('succeeded', 'failed') AND code IS DISTINCT FROM "
                + Sql.literal(AgentDaemon.DATA_LOSS)
                + " ORDER BY epoch DESC LIMIT 1");
    if (!earlier.isEmpty()) {
      String[] r = earlier.get(0);
      return new Claim(false, recorded(r, Long.parseLong(r[5])), null);
    }
    supersedeOthers(db, c);
    db.execute(
        "INSERT INTO "
            + q
            + ".ledger (plan, step, epoch, env, action, target, phase, issued_at, state, agent)"
            + " VALUES ("
            + String.join(
                ", ",
                Sql.literal(c.plan()),
                Integer.toString(c.step()),
                Long.toString(c.epoch()),
                Sql.literal(c.env()),
                Sql.literal(c.action()),
                Sql.literal(c.target()),
                Sql.literal(c.phase()),
                "to_timestamp(" + c.issuedAt() + " / 1000.0)",
                "'running'",
                Sql.literal(agent))
            + ")");
    return new Claim(false, null, null);
  }

  /** A finished row (state, heads, message, agent, when) as recorded under {@code epoch}. */
  private static Recorded recorded(String[] r, long epoch) {
    List<String> heads = r[1] == null || r[1].isEmpty() ? List.of() : List.of(r[1].split(","));
    return new Recorded(r[0], heads, r[2], r[3], r[4], epoch);
  }

  /** A running row of another command can never resume: a newer command was claimed. */
  private void supersedeOthers(TextSession db, Command c) {
    db.execute(
        "UPDATE "
            + q
            + ".ledger SET state = 'superseded', finished_at = now(), message = "
            + Sql.literal(
                "superseded by command "
                    + c.key()
                    + " (epoch "
                    + c.epoch()
                    + ") before it finished")
            + " WHERE state = 'running' AND NOT ("
            + key(c)
            + ")");
  }

  /**
   * Records how the command ended, if its row is still running (a superseded one stays so). A
   * failure to write it is logged by the caller's next claim: the row stays running and a
   * redelivery resumes, finding the work done.
   */
  void finish(Command c, String outcome, List<String> heads, String message, String code) {
    List<String> lits = new ArrayList<>();
    heads.forEach(h -> lits.add(Sql.literal(h)));
    synchronized (stateDb) {
      try {
        stateDb
            .get()
            .execute(
                "UPDATE "
                    + q
                    + ".ledger SET state = "
                    + Sql.literal(outcome)
                    + ", heads = ARRAY["
                    + String.join(", ", lits)
                    + "]::text[], message = "
                    + Sql.literal(message)
                    + ", code = "
                    + Sql.literal(code)
                    + ", finished_at = now()"
                    + where(c)
                    + " AND state = 'running'");
      } catch (RuntimeException e) {
        stateDb.reset();
        throw e;
      }
    }
  }

  private String key(Command c) {
    return "plan = "
        + Sql.literal(c.plan())
        + " AND step = "
        + c.step()
        + " AND epoch = "
        + c.epoch();
  }

  private String where(Command c) {
    return " WHERE " + key(c);
  }
}
