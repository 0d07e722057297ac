package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Sql;
import java.util.List;
import java.util.Set;

/**
 * Finds out what a revision did when its connection broke while it ran. The revision's statements
 * and its COMMIT went out in one pipeline, so its server process may still be running them: the
 * COMMIT may complete after the client is gone, or the process may notice the loss and roll back.
 * Only the server knows, so this reconnects, waits for that process (by its pid) to finish what it
 * received, ends it if it lingers (it still holds the migration lock), and reads the version table.
 */
final class LostConnection {
  private static final long RECONNECT_DEADLINE_MS = 60_000;
  private static final long POLL_MS = 200;

  private final DatabaseUrl url;
  private final String applicationName;
  private final StateStore state;
  private final MigrationListener listener;

  LostConnection(
      DatabaseUrl url, String applicationName, StateStore state, MigrationListener listener) {
    this.url = url;
    this.applicationName = applicationName;
    this.state = state;
    this.listener = listener;
  }

  /**
   * The connection broke while {@code ms} (one revision, or a pipelined chain) ran on server
   * process {@code pid}: asks the server what committed, once that process has finished, and says
   * so. {@code headsAfter} holds the heads each revision leaves.
   */
  ConnectionLostException explain(
      List<Migration> ms, List<List<String>> headsAfter, int pid, RuntimeException e) {
    Migration first = ms.get(0);
    String what =
        ms.size() == 1
            ? "revision " + first.revision() + " (" + first.file() + ")"
            : "revisions " + first.revision() + " to " + ms.get(ms.size() - 1).revision();
    String lostWhile =
        "the connection to PostgreSQL was lost while " + what + " ran (" + e.getMessage() + "). ";
    List<String> heads;
    try {
      heads = settle(pid, what);
    } catch (RuntimeException unreachable) {
      return new ConnectionLostException(
          first.revision(),
          ConnectionLostException.Outcome.UNKNOWN,
          null,
          lostWhile
              + "Convoy could not reconnect to find out whether its COMMIT completed ("
              + unreachable.getMessage()
              + "). Run 'convoy current' to see where the database is before running it again.",
          e);
    }
    int committed = 0;
    for (int k = 0; k < ms.size(); k++) {
      if (Set.copyOf(heads).equals(Set.copyOf(headsAfter.get(k)))) {
        committed = k + 1;
      }
    }
    String at = " The database is at " + Migrator.describe(heads) + ".";
    String message;
    ConnectionLostException.Outcome outcome;
    if (committed == ms.size()) {
      outcome = ConnectionLostException.Outcome.APPLIED;
      message =
          lostWhile
              + (ms.size() == 1 ? "Revision " + first.revision() + " was" : "They were")
              + " applied: "
              + (ms.size() == 1 ? "its COMMIT" : "their COMMITs")
              + " completed after the connection was lost."
              + at;
    } else {
      outcome = ConnectionLostException.Outcome.NOT_APPLIED;
      Migration failed = ms.get(committed);
      message =
          lostWhile
              + (committed == 0
                  ? ""
                  : "Revisions "
                      + first.revision()
                      + " to "
                      + ms.get(committed - 1).revision()
                      + " were applied. ")
              + "Revision "
              + failed.revision()
              + " was not applied: its transaction rolled back when the connection was lost."
              + at
              + " Run the command again.";
    }
    return new ConnectionLostException(
        ms.get(Math.max(0, committed - 1)).revision(), outcome, heads, message, e);
  }

  /**
   * The heads once server process {@code pid} has ended; throws if the server cannot be reached.
   */
  private List<String> settle(int pid, String what) {
    listener.connectionLost(
        "the connection to PostgreSQL was lost while "
            + what
            + " ran; reconnecting to wait for its server process (pid "
            + pid
            + ") and read where the database is");
    try (TextSession db = reconnect()) {
      String me = Sql.literal(applicationName);
      while (true) {
        List<String[]> rows =
            db.rows(
                "SELECT state, coalesce(wait_event, '') FROM pg_stat_activity WHERE pid = "
                    + pid
                    + " AND application_name = "
                    + me);
        if (rows.isEmpty()) {
          break;
        }
        String st = rows.get(0)[0];
        String wait = rows.get(0)[1];
        // Running a statement: let it finish (a data fix may rightly take hours). Idle, or
        // stuck writing its answer to a client that is gone: it has done all it received.
        if ("active".equals(st) && !"ClientWrite".equals(wait)) {
          pause();
          continue;
        }
        db.execute("SELECT pg_terminate_backend(" + pid + ")");
        pause();
      }
      return state.heads(db);
    }
  }

  private TextSession reconnect() {
    long deadline = System.nanoTime() + RECONNECT_DEADLINE_MS * 1_000_000;
    while (true) {
      try {
        return PgSession.openText(url, applicationName);
      } catch (RuntimeException e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
        pause();
      }
    }
  }

  /** The engine's own pacing (off the event loop: the engine runs on the caller's thread). */
  private static void pause() {
    if (!dev.convoy.rollout.Loops.pause(POLL_MS)) {
      throw new IllegalStateException("interrupted while waiting for a lost connection's process");
    }
  }
}
