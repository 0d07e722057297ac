package dev.convoy.agent.engine;

import dev.convoy.agent.db.SqlError;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.Locale;
import java.util.Set;

/**
 * Whether a failure means the connection to PostgreSQL was lost — the server ended the session
 * ({@code pg_terminate_backend}, a shutdown), the network dropped it, or a new one could not be
 * opened — rather than that PostgreSQL refused a statement. Work cut off this way is left as a
 * crash leaves it: every transaction either committed (with its progress row) or rolled back, so
 * running it again resumes it.
 */
public final class ConnectionLoss {
  /** The server ended the session: admin shutdown, crash shutdown, cannot connect now. */
  private static final Set<String> SERVER_ENDED = Set.of("57P01", "57P02", "57P03");

  private ConnectionLoss() {}

  public static boolean is(Throwable e) {
    boolean connecting = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SqlError s && s.connectionLost()) {
        return true; // the blocking client's own verdict: the socket broke under it
      }
      String state = sqlState(t);
      if (state != null) {
        // The first PostgreSQL error decides: a refused statement (or a refused login) is not a
        // lost connection.
        return state.startsWith("08") || SERVER_ENDED.contains(state);
      }
      if (t instanceof java.io.IOException
          || t instanceof io.vertx.sqlclient.ClosedConnectionException) {
        return true;
      }
      String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (t instanceof io.vertx.core.VertxException && message.contains("connection")) {
        return true; // the clients' own words for a connection closed under them
      }
      connecting |= t instanceof ConvoyException c && c.code() == ErrorCode.CONNECTION_FAILED;
    }
    return connecting;
  }

  private static String sqlState(Throwable t) {
    if (t instanceof SqlError s) {
      return s.sqlState();
    }
    if (t instanceof io.vertx.pgclient.PgException pg) {
      return pg.getSqlState();
    }
    if (t instanceof java.sql.SQLException s) {
      return s.getSQLState();
    }
    return null;
  }
}
