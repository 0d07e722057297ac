package dev.convoy.agent.db;

import dev.convoy.pg.PgUrl;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;
import org.postgresql.core.QueryExecutor;

/**
 * The blocking connection (pgjdbc, simple query protocol, every value as text): the migration
 * lock's, on which plain revisions run, and the agent's heartbeat and fence checks. It costs no
 * event loop, so an instance that only waits for another's migration never starts Vert.x.
 *
 * <p>Timeouts: connecting and the startup exchange (TLS included) must finish within seconds, so a
 * port that accepts and never speaks fails fast; after that no read timeout at all, because a
 * revision's statement may rightly run for hours ({@code statement_timeout} is the user's tool).
 * TCP keepalive is on, so a peer that vanishes is noticed by the kernel.
 */
public final class JdbcSession implements TextSession {
  static final int CONNECT_TIMEOUT_S = 10;

  /**
   * How long a server may take to answer TLS and the startup message: PostgreSQL answers at once.
   */
  static final int STARTUP_TIMEOUT_S = 10;

  private static final int FLAGS =
      QueryExecutor.QUERY_EXECUTE_AS_SIMPLE | QueryExecutor.QUERY_SUPPRESS_BEGIN;

  private final BaseConnection conn;
  private final QueryExecutor qe;
  private final int pid;

  private JdbcSession(BaseConnection conn) {
    this.conn = conn;
    this.qe = conn.getQueryExecutor();
    this.pid = qe.getBackendPID();
  }

  /** Connects as {@code url} says; a failure is a {@code CONNECTION_FAILED} naming the URL. */
  public static TextSession open(DatabaseUrl url, String applicationName) {
    PgUrl u = url.parsed();
    BaseConnection c = null;
    try {
      java.sql.Connection raw =
          new org.postgresql.Driver().connect(jdbcUrl(u), properties(u, applicationName));
      c = raw.unwrap(BaseConnection.class);
      // Connected: from now on a statement may take as long as it takes.
      c.getQueryExecutor().setNetworkTimeout(0);
      return new JdbcSession(c);
    } catch (SQLException | IOException | RuntimeException e) {
      closeQuietly(c);
      throw ConnectErrors.failed(url, e);
    }
  }

  static String jdbcUrl(PgUrl u) {
    var s = u.server();
    String host = s.getHost().contains(":") ? "[" + s.getHost() + "]" : s.getHost();
    return "jdbc:postgresql://"
        + host
        + ":"
        + s.getPort()
        + "/"
        + URLEncoder.encode(s.getDatabase(), StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** pgjdbc's properties for the URL: login, TLS as libpq reads sslmode, and the timeouts. */
  static Properties properties(PgUrl u, String applicationName) {
    var s = u.server();
    Properties p = new Properties();
    p.setProperty("user", s.getUser());
    if (s.getPassword() != null) {
      p.setProperty("password", s.getPassword());
    }
    p.setProperty("ApplicationName", applicationName);
    p.setProperty("preferQueryMode", "simple");
    p.setProperty("assumeMinServerVersion", "10");
    p.setProperty("gssEncMode", "disable");
    p.setProperty("connectTimeout", Integer.toString(u.connectTimeoutSeconds(CONNECT_TIMEOUT_S)));
    p.setProperty("socketTimeout", Integer.toString(STARTUP_TIMEOUT_S));
    p.setProperty("tcpKeepAlive", Boolean.toString(!"0".equals(u.param("keepalives"))));
    String mode = u.sslMode();
    p.setProperty("sslmode", mode);
    if (u.verifies()) {
      p.setProperty("sslrootcert", u.rootCert());
    }
    for (String key : List.of("sslcert", "sslkey", "sslpassword", "options")) {
      if (u.param(key) != null) {
        p.setProperty(key, u.param(key));
      }
    }
    return p;
  }

  @Override
  public List<String[]> rows(String sql) {
    Responses r = run(List.of(sql), null);
    if (r.first() != null) {
      throw SqlError.of(r.first(), false);
    }
    return r.rows();
  }

  @Override
  public Optional<Failure> pipeline(List<String> sqls, long[] doneAt) {
    Responses r = run(sqls, doneAt);
    if (r.first() == null) {
      return Optional.empty();
    }
    return Optional.of(new Failure(r.firstOwner(), SqlError.of(r.first(), false)));
  }

  /**
   * Sends every statement of {@code sqls} at once (one query message each) and reads every answer.
   * A connection that breaks meanwhile throws {@link SqlError#connectionLost()}: what was sent may
   * or may not have run.
   */
  private Responses run(List<String> sqls, long[] doneAt) {
    List<NativeQuery> all = new ArrayList<>();
    List<Integer> owners = new ArrayList<>();
    try {
      for (int i = 0; i < sqls.size(); i++) {
        // Each string goes as ONE query message, as PostgreSQL's simple protocol runs it: its
        // statements form one implicit transaction and stop at the first error (split, a string
        // holding its own COMMIT would run on past a failure). Splitting only counts the answers.
        int statements = parse(sqls.get(i), true).size();
        if (statements == 0) {
          continue; // only comments: nothing to send
        }
        all.addAll(parse(sqls.get(i), false));
        for (int n = 0; n < statements; n++) {
          owners.add(i);
        }
      }
    } catch (SQLException e) {
      throw SqlError.of(e, false);
    }
    int[] owner = owners.stream().mapToInt(Integer::intValue).toArray();
    if (doneAt != null) {
      long now = System.nanoTime();
      java.util.Arrays.fill(doneAt, now); // a string of no statement is done at once
    }
    Responses r = new Responses(owner, doneAt);
    if (all.isEmpty()) {
      return r;
    }
    try {
      qe.execute(qe.wrap(all), null, r, 0, 0, FLAGS);
    } catch (SQLException e) {
      r.handleError(e);
    }
    if (qe.isClosed()) {
      // The server's own word (a FATAL such as "terminating connection due to administrator
      // command") comes first; pgjdbc's I/O error after it.
      SQLException why = r.first() != null ? r.first() : r.last();
      throw SqlError.lost(
          "connection to PostgreSQL lost"
              + (why == null ? "" : ": " + firstLine(why.getMessage()))
              + (r.last() != null && r.last() != why
                  ? " (" + firstLine(r.last().getMessage()) + ")"
                  : ""),
          why);
    }
    return r;
  }

  private List<NativeQuery> parse(String sql, boolean split) throws SQLException {
    return Parser.parseJdbcSql(
        sql,
        qe.getStandardConformingStrings(),
        false,
        split,
        false,
        qe.getQuoteReturningIdentifiers());
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }

  @Override
  public int pid() {
    return pid;
  }

  @Override
  public void close() {
    closeQuietly(conn);
  }

  private static void closeQuietly(java.sql.Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException | RuntimeException e) {
        // Closing a connection that is already gone.
      }
    }
  }
}
