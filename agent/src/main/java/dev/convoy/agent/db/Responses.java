package dev.convoy.agent.db;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.Field;
import org.postgresql.core.Query;
import org.postgresql.core.ResultCursor;
import org.postgresql.core.ResultHandler;
import org.postgresql.core.Tuple;

/**
 * What the server answered to a {@link JdbcSession}'s statements, in order. Each of the caller's
 * strings goes as one simple query message; the server answers each statement in it with one
 * completion, until an error, which ends that string (its later statements are not run), so the
 * n-th answer belongs to the n-th statement, counting a failed string's skipped ones as answered;
 * {@code owner[n]} says which of the caller's strings statement n came from.
 *
 * <p>It never reports an exception to pgjdbc ({@link #getException} is null): pgjdbc stops sending
 * the rest of a pipeline once its handler holds one, which would leave a transaction open with its
 * COMMIT unsent. Every statement goes out, as with a pipeline of query messages, and inside a
 * transaction the ones after a failure fail too (its COMMIT rolls back).
 */
final class Responses implements ResultHandler {
  private final int[] owner;
  private final long[] doneAt;
  private final List<String[]> rows = new ArrayList<>();
  private int answered;
  private SQLException first;
  private int firstOwner = -1;
  private SQLException last;

  Responses(int[] owner, long[] doneAt) {
    this.owner = owner;
    this.doneAt = doneAt;
  }

  @Override
  public void handleResultRows(Query q, Field[] fields, List<Tuple> tuples, ResultCursor cursor) {
    for (Tuple t : tuples) {
      String[] row = new String[t.fieldCount()];
      for (int i = 0; i < row.length; i++) {
        byte[] v = t.get(i);
        row[i] = v == null ? null : new String(v, StandardCharsets.UTF_8);
      }
      rows.add(row);
    }
    answer();
  }

  @Override
  public void handleCommandStatus(String status, long updateCount, long insertOID) {
    answer();
  }

  @Override
  public void handleWarning(SQLWarning warning) {
    // Notices are not errors: a WARNING is logged as one, NOTICE and below at debug.
    if (warning instanceof org.postgresql.util.PSQLWarning w && w.getServerErrorMessage() != null) {
      org.postgresql.util.ServerErrorMessage m = w.getServerErrorMessage();
      dev.convoy.pg.PgNotices.log(
          m.getSeverity(), m.getSQLState(), m.getMessage(), m.getDetail(), m.getHint());
    } else {
      dev.convoy.pg.PgNotices.log(
          "WARNING", warning.getSQLState(), warning.getMessage(), null, null);
    }
  }

  @Override
  public void handleError(SQLException error) {
    last = error;
    if (first == null) {
      first = error;
      firstOwner = answered < owner.length ? owner[answered] : -1;
    }
    // The server runs nothing more of this string: its remaining statements will not answer.
    while (answered + 1 < owner.length && owner[answered + 1] == owner[answered]) {
      answered++;
    }
    answer();
  }

  private void answer() {
    if (answered < owner.length) {
      if (doneAt != null) {
        doneAt[owner[answered]] = System.nanoTime();
      }
      answered++;
    }
  }

  @Override
  public void handleCompletion() {
    // The caller reads what was answered.
  }

  @Override
  public void secureProgress() {}

  @Override
  public SQLException getException() {
    return null;
  }

  List<String[]> rows() {
    return rows;
  }

  /** The first error, or null. */
  SQLException first() {
    return first;
  }

  /** Which of the caller's strings the first error answered (-1 when none did). */
  int firstOwner() {
    return firstOwner;
  }

  /** The last error: after a lost connection, pgjdbc's own word for it. */
  SQLException last() {
    return last;
  }
}
