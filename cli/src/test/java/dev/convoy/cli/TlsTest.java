package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.PrivatePostgres;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every connection of a command honours the URL's sslmode, against a PostgreSQL of the test's own
 * with TLS on and a certificate for {@code localhost} signed by the test's CA: the blocking one
 * (plain revisions, the lock) and the Vert.x one (a non-transactional revision) are encrypted as
 * the server itself sees in {@code pg_stat_ssl}; a certificate that does not check out is refused
 * in one line, before anything is applied.
 */
class TlsTest {
  private static PrivatePostgres pg;

  @TempDir Path dir;

  @BeforeAll
  static void startTlsServer() throws Exception {
    assumeTrue(PrivatePostgres.binaries().isPresent(), "PostgreSQL server binaries not installed");
    pg = PrivatePostgres.startWithTls(List.of("host all all 127.0.0.1/32 trust"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void require_verify_ca_verify_full_and_the_default_prefer_encrypt_every_connection()
      throws Exception {
    revisionsThatRecordTheirConnections();
    String ca = pg.certificates().caCert().toString();
    Map<String, String> hostAndQuery =
        Map.of(
            "require",
            "127.0.0.1|?sslmode=require",
            "verify-ca",
            "127.0.0.1|?sslmode=verify-ca&sslrootcert=" + ca,
            "verify-full",
            "localhost|?sslmode=verify-full&sslrootcert=" + ca,
            "prefer (no sslmode)",
            "127.0.0.1|");
    for (var e : hostAndQuery.entrySet()) {
      String db = newDatabase();
      String[] hq = e.getValue().split("\\|", -1);
      ConvoyShell.at(dir, url(hq[0], db, hq[1])).run("upgrade", "head").exits(0);
      assertEquals(
          "2 2 true",
          pg.scalar(
              db,
              "SELECT count(*) || ' ' || count(DISTINCT pid) || ' ' || bool_and(ssl) FROM seen"),
          e.getKey() + ": the blocking and the Vert.x connection, each encrypted");
    }
  }

  @Test
  void verify_ca_with_another_cas_root_is_refused_in_one_line_and_nothing_is_applied()
      throws Exception {
    revisionsThatRecordTheirConnections();
    String other = pg.certificates().otherCaCert().toString();
    for (String mode : List.of("verify-ca", "require")) { // require + sslrootcert checks the CA
      String db = newDatabase();
      ConvoyShell.Result r =
          ConvoyShell.at(dir, url("localhost", db, "?sslmode=" + mode + "&sslrootcert=" + other))
              .run("upgrade", "head");
      oneLine(r.exits(1))
          .errContains(
              "cannot connect to PostgreSQL at postgresql://postgres@localhost:",
              "the server's TLS certificate is not signed by the CA in sslrootcert=" + other,
              "(sslmode=verify-ca)");
      assertNothingApplied(db);
    }
  }

  @Test
  void verify_full_refuses_a_host_name_the_certificate_does_not_name() throws Exception {
    revisionsThatRecordTheirConnections();
    String db = newDatabase();
    String ca = pg.certificates().caCert().toString();
    ConvoyShell.Result r =
        ConvoyShell.at(dir, url("127.0.0.1", db, "?sslmode=verify-full&sslrootcert=" + ca))
            .run("upgrade", "head");
    oneLine(r.exits(1))
        .errContains(
            "the server's TLS certificate does not name the host 127.0.0.1 (sslmode=verify-full)");
    assertNothingApplied(db);
  }

  @Test
  void require_against_a_server_without_tls_is_refused() {
    revisionsThatRecordTheirConnections();
    try (TestDatabase db = TestPostgres.createDatabase("tls_refused")) {
      assumeTrue("off".equals(db.scalar("SHOW ssl")), "the shared test server has TLS on");
      String url = db.url() + (db.url().contains("?") ? "&" : "?") + "sslmode=require";
      ConvoyShell.Result r = ConvoyShell.at(dir, url).run("upgrade", "head");
      oneLine(r.exits(1))
          .errContains(
              "the server does not accept TLS connections and the URL asks for sslmode=require");
      assertEquals(0, db.count("SELECT count(*) FROM pg_namespace WHERE nspname = 'convoy'"));
    }
  }

  @Test
  void a_misspelled_sslmode_a_missing_root_certificate_or_an_unknown_parameter_is_one_line()
      throws Exception {
    revisionsThatRecordTheirConnections();
    String db = newDatabase();
    Map<String, String> said =
        Map.of(
            "?sslmode=verify_full", "has sslmode=verify_full; use one of disable, allow, prefer",
            "?sslmode=verify-full", "names no CA certificate to check the server's with",
            "?sslrootcert=/nonexistent/root.crt", "sslrootcert=/nonexistent/root.crt, which is",
            "?ssl=true", "has the parameter 'ssl', which Convoy does not support");
    for (var e : said.entrySet()) {
      ConvoyShell.Result r =
          ConvoyShell.at(dir, url("localhost", db, e.getKey())).run("upgrade", "head");
      oneLine(r.exits(2))
          .errContains("database URL 'postgresql://postgres@localhost:", e.getValue());
    }
    assertNothingApplied(db);
  }

  private void revisionsThatRecordTheirConnections() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "tls0001",
        null,
        "CREATE TABLE seen (pid int, ssl boolean);\n"
            + "INSERT INTO seen SELECT pid, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();",
        "DROP TABLE seen;");
    // Not transactional: it runs on the Vert.x client's connection, not the lock's.
    files.write(
        "tls0002_outside.sql",
        "-- revision: tls0002\n-- down_revision: tls0001\n-- message: outside\n"
            + "-- transactional: false\n-- +upgrade\n"
            + "INSERT INTO seen SELECT pid, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();\n"
            + "-- +downgrade\nDELETE FROM seen;\n");
  }

  private static String newDatabase() throws Exception {
    String name = "convoy_t_tls_" + UUID.randomUUID().toString().substring(0, 8);
    pg.psql("CREATE DATABASE " + name);
    return name;
  }

  private static String url(String host, String db, String query) {
    return "postgresql://postgres@" + host + ":" + pg.port() + "/" + db + query;
  }

  private static void assertNothingApplied(String db) throws Exception {
    assertEquals("0", pg.scalar(db, "SELECT count(*) FROM pg_namespace WHERE nspname = 'convoy'"));
  }

  private static ConvoyShell.Result oneLine(ConvoyShell.Result r) {
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertFalse(r.err().contains("\tat "), r.toString());
    return r;
  }
}
