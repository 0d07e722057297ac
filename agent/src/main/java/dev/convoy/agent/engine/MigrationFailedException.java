package dev.convoy.agent.engine;

import dev.convoy.agent.db.SqlError;
import dev.convoy.agent.db.TextSession;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.pgclient.PgException;

/** A statement of a revision failed in PostgreSQL; carries where and PostgreSQL's own words. */
public class MigrationFailedException extends ConvoyException {
  private final String revision;
  private final String file;
  private final String operation;
  private final String statement;
  private final String sqlState;

  public MigrationFailedException(
      String revision,
      String file,
      String operation,
      String statement,
      Throwable cause,
      String whereNow) {
    super(
        ErrorCode.MIGRATION_FAILED,
        render(revision, file, operation, statement, cause, whereNow),
        cause);
    this.revision = revision;
    this.file = file;
    this.operation = operation;
    this.statement = statement;
    this.sqlState = sqlStateOf(cause);
  }

  public String revision() {
    return revision;
  }

  public String file() {
    return file;
  }

  public String operation() {
    return operation;
  }

  public String statement() {
    return statement;
  }

  public String sqlState() {
    return sqlState;
  }

  private static String sqlStateOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LockTimeoutException) {
        return "55P03";
      }
      if (t instanceof PgException || t instanceof SqlError) {
        return TextSession.sqlState(t);
      }
    }
    return null;
  }

  /** PostgreSQL's error as "SQLSTATE: message (detail, hint)". */
  public static String pgError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LockTimeoutException) {
        return t.getMessage();
      }
      if (t instanceof PgException) {
        e = t;
        break;
      }
      if (t instanceof SqlError w && w.sqlState() != null) {
        return render(w.sqlState(), w.errorMessage(), w.detail(), w.hint());
      }
    }
    if (e instanceof PgException pg) {
      return render(pg.getSqlState(), pg.getErrorMessage(), pg.getDetail(), pg.getHint());
    }
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static String render(String sqlState, String message, String detail, String hint) {
    StringBuilder sb =
        new StringBuilder("PostgreSQL error ").append(sqlState).append(": ").append(message);
    if (detail != null) {
      sb.append("\n  detail: ").append(detail);
    }
    if (hint != null) {
      sb.append("\n  hint: ").append(hint);
    }
    return sb.toString();
  }

  private static String render(
      String revision,
      String file,
      String operation,
      String statement,
      Throwable cause,
      String whereNow) {
    return "revision "
        + revision
        + " ("
        + file
        + ") failed; "
        + whereNow
        + "\n  operation: "
        + operation
        + "\n  statement: "
        + statement.strip().replace("\n", "\n             ")
        + "\n  "
        + pgError(cause);
  }
}
