package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The application, started as a user starts it, migrates its own fresh database at startup; its
 * log says what Convoy did through the application's SLF4J provider, and nothing else complains.
 */
class AppStartsTest {
  private static final String SERVER =
      System.getenv().getOrDefault(
          "CONVOY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres");

  @Test
  void the_app_migrates_its_database_at_startup_logging_through_slf4j_without_warnings()
      throws Exception {
    String db = "embedded_app_" + ProcessHandle.current().pid();
    try (Connection admin = connect(SERVER)) {
      admin.createStatement().execute("DROP DATABASE IF EXISTS " + db);
      admin.createStatement().execute("CREATE DATABASE " + db);
    }
    String url = SERVER.replaceFirst("/[^/?]*(\\?.*)?$", "/" + db + "$1");
    try {
      String first = start(url);
      assertTrue(first.contains("INFO dev.convoy.Convoy - Applied 0001aaaa"), first);
      assertTrue(first.contains("INFO dev.convoy.Convoy - Applied 0002bbbb"), first);
      assertTrue(first.contains("Database at [0002bbbb] (2 revision(s) applied)"), first);
      assertFalse(first.contains("SLF4J"), "SLF4J complained:\n" + first);
      try (Connection c = connect(url);
          ResultSet r =
              c.createStatement()
                  .executeQuery("SELECT count(*) FROM greeting WHERE language = 'unknown'")) {
        r.next();
        assertEquals(3, r.getInt(1));
      }
      String again = start(url);
      assertTrue(again.contains("(0 revision(s) applied)"), again);
      assertFalse(again.contains("SLF4J"), again);
    } finally {
      try (Connection admin = connect(SERVER)) {
        admin.createStatement().execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
      }
    }
  }

  @Test
  void the_one_dependency_brings_no_redis_client_web_server_or_prometheus_registry() {
    for (String absent :
        List.of(
            "io.vertx.redis.client.Redis",
            "io.vertx.ext.web.Router",
            "io.micrometer.prometheusmetrics.PrometheusMeterRegistry")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(absent), absent);
    }
    String path = System.getProperty("java.class.path");
    for (String jar : List.of("vertx-redis-client", "vertx-web", "micrometer", "prometheus")) {
      assertFalse(path.contains(jar), jar + " is on the class path: " + path);
    }
  }

  /** Runs the application in a JVM of its own, as 'java -cp … example.App URL' does. */
  private static String start(String url) throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "example.App",
                url)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the app did not stop:\n" + out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  /** A JDBC connection from a postgresql://user[:password]@host:port/db URL. */
  private static Connection connect(String url) throws Exception {
    URI u = URI.create(url);
    String[] user = (u.getUserInfo() == null ? "postgres" : u.getUserInfo()).split(":", 2);
    return DriverManager.getConnection(
        "jdbc:postgresql://"
            + u.getHost()
            + ":"
            + (u.getPort() < 0 ? 5432 : u.getPort())
            + u.getPath(),
        user[0],
        user.length > 1 ? user[1] : null);
  }
}
