package dev.convoy.agent.daemon;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import io.vertx.core.Vertx;

/**
 * One long-lived connection, opened on first use and again after {@link #reset} (callers reset it
 * when a call on it fails): an agent's heartbeat reads its heads every second, and a new connection
 * each time would cost PostgreSQL a process fork per agent per second.
 */
final class SessionHolder {
  private final Vertx vertx;
  private final DatabaseUrl url;
  private final String applicationName;
  private TextSession session;

  SessionHolder(Vertx vertx, DatabaseUrl url, String applicationName) {
    this.vertx = vertx;
    this.url = url;
    this.applicationName = applicationName;
  }

  synchronized TextSession get() {
    if (session == null) {
      session = PgSession.openText(url, applicationName);
    }
    return session;
  }

  synchronized void reset() {
    if (session != null) {
      try {
        session.close();
      } catch (RuntimeException e) {
        // Already broken.
      }
      session = null;
    }
  }
}
