package dev.convoy.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server the tests use: {@code CONVOY_TEST_PG_URL} (default the local server). When
 * it cannot be reached and a Docker engine runs, a Testcontainers PostgreSQL is started instead;
 * otherwise the tests fail at once with how to start one. Each test gets its own database.
 */
public final class TestPostgres {
  private static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres";
  private static final Vertx VERTX =
      Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
  private static volatile String serverUrl;

  private TestPostgres() {}

  /** A URL of the test server's maintenance database. */
  public static synchronized String serverUrl() {
    if (serverUrl == null) {
      serverUrl = locate();
    }
    return serverUrl;
  }

  /** A new empty database; dropped (with its connections) when closed. */
  public static TestDatabase createDatabase(String purpose) {
    String name =
        ("convoy_t_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8))
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9_]", "_");
    execute("CREATE DATABASE " + name);
    return new TestDatabase(name, withDatabase(serverUrl(), name));
  }

  /** Runs SQL on the maintenance database. */
  public static void execute(String sql) {
    run(serverUrl(), sql);
  }

  /** Runs SQL (simple protocol) on the database at {@code url}. */
  public static void run(String url, String sql) {
    PgConnection c = PgConnection.connect(VERTX, PgConnectOptions.fromUri(url)).await();
    try {
      c.query(sql).execute().await();
    } finally {
      c.close().await();
    }
  }

  /** The first column of the first row, as text (null when no row). */
  public static String scalar(String url, String sql) {
    PgConnection c = PgConnection.connect(VERTX, PgConnectOptions.fromUri(url)).await();
    try {
      var rows = c.query(sql).execute().await();
      if (!rows.iterator().hasNext()) {
        return null;
      }
      Object v = rows.iterator().next().getValue(0);
      return v == null ? null : v.toString();
    } finally {
      c.close().await();
    }
  }

  static String withDatabase(String url, String db) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    int slash = base.indexOf('/', base.indexOf("://") + 3);
    return (slash < 0 ? base : base.substring(0, slash))
        + "/"
        + db
        + (q < 0 ? "" : url.substring(q));
  }

  private static String locate() {
    String url = System.getenv().getOrDefault("CONVOY_TEST_PG_URL", DEFAULT_URL);
    Throwable failure;
    try {
      run(url, "SELECT 1");
      return url;
    } catch (RuntimeException e) {
      failure = e;
    }
    String container = Containers.postgresIfDockerRuns();
    if (container != null) {
      return container;
    }
    throw new IllegalStateException(
        "The tests need PostgreSQL at "
            + url
            + " (CONVOY_TEST_PG_URL) and cannot reach it ("
            + failure.getMessage()
            + "), and no Docker engine runs for Testcontainers. Start it, e.g.:\n"
            + "  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
            + "or point CONVOY_TEST_PG_URL at a server (trust or password in the URL).",
        failure);
  }
}
