package dev.convoy.agent.db;

import java.sql.SQLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * An error from a {@link JdbcSession}: one the server sent (with its SQLSTATE, message, detail and
 * hint), or the connection's own failure (SQLSTATE class 08, {@link #connectionLost()}).
 */
public final class SqlError extends RuntimeException {
  private final String sqlState;
  private final String errorMessage;
  private final String detail;
  private final String hint;
  private final boolean lost;

  private SqlError(
      String sqlState, String message, String detail, String hint, boolean lost, Throwable cause) {
    super(sqlState == null ? message : message + " (SQLSTATE " + sqlState + ")", cause);
    this.sqlState = sqlState;
    this.errorMessage = message;
    this.detail = detail;
    this.hint = hint;
    this.lost = lost;
  }

  /** PostgreSQL's error in {@code e}, or pgjdbc's own words when the server sent none. */
  static SqlError of(SQLException e, boolean lost) {
    ServerErrorMessage m = e instanceof PSQLException p ? p.getServerErrorMessage() : null;
    if (m != null && m.getMessage() != null) {
      return new SqlError(m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint(), lost, e);
    }
    return new SqlError(e.getSQLState(), String.valueOf(e.getMessage()), null, null, lost, e);
  }

  /** The connection broke: whatever was sent may or may not have run. */
  static SqlError lost(String message, Throwable cause) {
    return new SqlError("08006", message, null, null, true, cause);
  }

  public String sqlState() {
    return sqlState;
  }

  /** PostgreSQL's message alone (without the SQLSTATE). */
  public String errorMessage() {
    return errorMessage;
  }

  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }

  /** Whether the connection is gone (the server or the network ended it). */
  public boolean connectionLost() {
    return lost;
  }

  /** Whether {@code e} or one of its causes says the connection was lost. */
  public static boolean isConnectionLost(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SqlError s && s.lost) {
        return true;
      }
    }
    return false;
  }
}
