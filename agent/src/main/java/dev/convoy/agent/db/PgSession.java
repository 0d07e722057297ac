package dev.convoy.agent.db;

import dev.convoy.error.ConvoyException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One PostgreSQL connection used in sequence by the migration engine. The engine's work is
 * inherently ordered (lock, read state, apply revision after revision), so it runs on a caller
 * thread that awaits each pg-client future — never on an event loop (Vert.x refuses {@code await}
 * there).
 */
public final class PgSession implements AutoCloseable {
  /** TCP connect, then the startup exchange: a PostgreSQL answers both at once. */
  private static final long STARTUP_TIMEOUT_MS = 15_000;

  private final PgConnection conn;
  private final DatabaseUrl url;

  private PgSession(PgConnection conn, DatabaseUrl url) {
    this.conn = conn;
    this.url = url;
    // A connection the server ends (pg_terminate_backend) or the network drops fails the query in
    // flight and every later one, which say so; without a handler the client would also print the
    // cause's stack trace to stderr.
    conn.exceptionHandler(e -> {});
    // Notices at their own weight (NOTICE is debug), not all as the client's WARN.
    conn.noticeHandler(dev.convoy.pg.PgNotices::log);
  }

  public static PgSession open(Vertx vertx, DatabaseUrl url, String applicationName) {
    PgConnectOptions options = url.options(applicationName).setCachePreparedStatements(true);
    Future<PgConnection> connecting = PgConnection.connect(vertx, options);
    try {
      return new PgSession(connecting.await(STARTUP_TIMEOUT_MS, TimeUnit.MILLISECONDS), url);
    } catch (TimeoutException e) {
      // A port that accepts and never answers (another service, a stuck proxy): say so, and close
      // the connection should it open after all.
      connecting.onSuccess(PgConnection::close);
      throw connectionFailed(
          url,
          new IllegalStateException(
              "the server accepted the connection but did not finish PostgreSQL's startup within "
                  + STARTUP_TIMEOUT_MS / 1000
                  + " s: the port in the URL may not be a PostgreSQL server (another service, or a stuck proxy)"));
    } catch (RuntimeException e) {
      throw connectionFailed(url, e);
    } catch (Throwable t) {
      throw connectionFailed(url, new IllegalStateException(t.getMessage(), t));
    }
  }

  /** The error for a connection that could not be opened, whichever client tried. */
  static ConvoyException connectionFailed(DatabaseUrl url, Exception e) {
    return ConnectErrors.failed(url, e);
  }

  /**
   * A blocking connection (the migration lock's, heartbeats, fence checks): pgjdbc, which needs no
   * Vert.x (see {@link JdbcSession}), with the URL's TLS settings.
   */
  public static TextSession openText(DatabaseUrl url, String applicationName) {
    return JdbcSession.open(url, applicationName);
  }

  /**
   * As {@link #openText(DatabaseUrl, String)}; {@code vertx} is not used (the blocking connection
   * needs none). Kept for callers written before pgjdbc carried it.
   */
  @Deprecated
  public static TextSession openText(
      java.util.function.Supplier<Vertx> vertx, DatabaseUrl url, String applicationName) {
    return openText(url, applicationName);
  }

  /** This connection as a {@link TextSession}: values as text, closing closes it. */
  public TextSession text() {
    return new TextSession() {
      @Override
      public java.util.List<String[]> rows(String sql) {
        java.util.List<String[]> out = new java.util.ArrayList<>();
        for (Row r : query(sql)) {
          String[] row = new String[r.size()];
          for (int i = 0; i < row.length; i++) {
            Object v = r.getValue(i);
            row[i] = v == null ? null : v.toString();
          }
          out.add(row);
        }
        return out;
      }

      @Override
      public java.util.Optional<Failure> pipeline(java.util.List<String> sqls, long[] doneAt) {
        return PgSession.this.pipeline(sqls, doneAt);
      }

      @Override
      public int pid() {
        return PgSession.this.pid();
      }

      @Override
      public void close() {
        PgSession.this.close();
      }
    };
  }

  /** Runs SQL with the simple protocol: several statements allowed, no parameters. */
  public RowSet<Row> query(String sql) {
    return await(conn.query(sql).execute());
  }

  /**
   * Sends every statement at once (pipelined) and waits for all: one round trip instead of one per
   * statement. Returns the index of the first statement that failed and its error, or empty. Inside
   * a transaction the statements after a failure fail too, and a final COMMIT turns into a
   * rollback, so sending them unconditionally is safe.
   */
  public java.util.Optional<TextSession.Failure> pipeline(java.util.List<String> sqls) {
    return pipeline(sqls, null);
  }

  /** As above; {@code doneAt} (if given) receives when each statement's answer arrived. */
  public java.util.Optional<TextSession.Failure> pipeline(
      java.util.List<String> sqls, long[] doneAt) {
    java.util.List<Future<RowSet<Row>>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < sqls.size(); i++) {
      int at = i;
      Future<RowSet<Row>> f = conn.query(sqls.get(i)).execute();
      if (doneAt != null) {
        f = f.andThen(r -> doneAt[at] = System.nanoTime());
      }
      sent.add(f);
    }
    TextSession.Failure first = null;
    for (int i = 0; i < sent.size(); i++) {
      try {
        await(sent.get(i));
      } catch (RuntimeException e) {
        if (first == null) {
          first = new TextSession.Failure(i, e);
        }
      }
    }
    return java.util.Optional.ofNullable(first);
  }

  /** Runs one statement with parameters ($1, $2, ...). */
  public RowSet<Row> query(String sql, Tuple args) {
    return await(conn.preparedQuery(sql).execute(args));
  }

  /** Sends SQL with the simple protocol without waiting; pipelines with the calls after it. */
  public Future<RowSet<Row>> send(String sql) {
    return conn.query(sql).execute();
  }

  /** Sends SQL without waiting: for a watcher running beside a statement on another connection. */
  public Future<RowSet<Row>> send(String sql, Tuple args) {
    return conn.preparedQuery(sql).execute(args);
  }

  public int pid() {
    return conn.processId();
  }

  public DatabaseUrl url() {
    return url;
  }

  @Override
  public void close() {
    try {
      await(conn.close());
    } catch (RuntimeException e) {
      // The connection is gone either way; closing a broken one is not an error worth raising.
    }
  }

  /** Awaits a future off the event loop, rethrowing its failure unchecked. */
  public static <T> T await(Future<T> f) {
    try {
      return f.await();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // Checked exceptions, and the bare Throwables Vert.x fails some futures with
      // (CONNECTION_CLOSED), would otherwise escape every catch of RuntimeException.
      throw new IllegalStateException(t.getMessage(), t);
    }
  }
}
