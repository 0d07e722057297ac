package dev.convoy.cli;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One application version: a real connection selecting its version (by search_path, or by logging
 * in as the version's role), and a workload that inserts, updates and reads in that version's shape
 * on a thread of its own, keeping every failure with the moment it happened.
 */
final class AppVersion implements AutoCloseable {
  /** The SQL of one version's shape; each takes the row's marker as its only parameter. */
  record Shape(String insert, String update, String read) {}

  /** A statement that failed, and when (System.nanoTime). */
  record Failure(long at, String sql, String error) {}

  private final Connection conn;
  private final Shape shape;
  private final List<Failure> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong done = new AtomicLong();
  private final String prefix;
  private volatile boolean running;
  private Thread thread;

  private AppVersion(Connection conn, Shape shape, String prefix) {
    this.conn = conn;
    this.shape = shape;
    this.prefix = prefix;
  }

  /**
   * Connects to {@code url} (postgresql://user@host:port/db) as {@code user} with {@code
   * searchPath}.
   */
  static AppVersion connect(String url, String user, String searchPath, Shape shape, String prefix)
      throws SQLException {
    URI u = URI.create(url);
    Properties p = new Properties();
    p.setProperty("user", user);
    if (searchPath != null) {
      p.setProperty("options", "-c search_path=" + searchPath.replace(" ", ""));
    }
    p.setProperty("ApplicationName", prefix);
    Connection c =
        DriverManager.getConnection(
            "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
    c.setAutoCommit(true);
    return new AppVersion(c, shape, prefix);
  }

  /** Inserts the row {@code marker} in this version's shape. */
  void insert(String marker) throws SQLException {
    exec(shape.insert(), marker);
  }

  /** The first column of this version's read of row {@code marker}, or null when there is none. */
  String read(String marker) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(shape.read())) {
      st.setString(1, marker);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** The first column of {@code sql}'s first row. */
  String value(String sql) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(sql);
        ResultSet rs = st.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /** Runs {@code sql} (DDL, several statements allowed). */
  void execute(String sql) throws SQLException {
    try (var st = conn.createStatement()) {
      st.execute(sql);
    }
  }

  /** Starts writing and reading in a loop, until {@link #stop}. */
  void start() {
    running = true;
    thread =
        new Thread(
            () -> {
              for (long i = 0; running; i++) {
                String marker = prefix + "-" + i;
                for (String sql : List.of(shape.insert(), shape.update(), shape.read())) {
                  try {
                    exec(sql, marker);
                    done.incrementAndGet();
                  } catch (SQLException e) {
                    failures.add(new Failure(System.nanoTime(), sql, e.getMessage()));
                  }
                }
              }
            },
            "app-" + prefix);
    thread.start();
  }

  /** Stops the loop and waits for it. */
  void stop() throws InterruptedException {
    running = false;
    if (thread != null) {
      thread.join(60_000);
    }
  }

  /** Waits until the loop has run {@code n} more statements (it is live), with a deadline. */
  void advances(long n) throws InterruptedException {
    long target = done.get() + n;
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (done.get() < target && System.nanoTime() < deadline && failures.size() < 1_000) {
      Thread.sleep(1);
    }
  }

  List<Failure> failures() {
    return List.copyOf(failures);
  }

  List<Failure> failuresBefore(long t) {
    return failures().stream().filter(f -> f.at() < t).toList();
  }

  List<Failure> failuresAfter(long t) {
    return failures().stream().filter(f -> f.at() >= t).toList();
  }

  private void exec(String sql, String marker) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement(sql)) {
      st.setString(1, marker);
      st.execute();
    }
  }

  @Override
  public void close() throws Exception {
    stop();
    conn.close();
  }
}
