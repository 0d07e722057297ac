package dev.convoy.agent.engine;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.ops.Sql;
import java.util.List;

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
   * The heads once server process {@code pid} has ended; throws if the server cannot be reached.
   */
  List<String> settle(int pid, String what) {
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
    long deadline = System.currentTimeMillis() + RECONNECT_DEADLINE_MS;
    while (true) {
      try {
        return PgSession.openText(url, applicationName);
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        pause();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(POLL_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a lost connection's process");
    }
  }
}
