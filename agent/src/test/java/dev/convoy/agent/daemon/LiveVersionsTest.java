package dev.convoy.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.rollout.VersionSessions;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * What the agent's heartbeat says about the application versions its database serves: sessions
 * named for a version (application_name) or logged in as a version's role are counted by revision
 * while they are open, and only those of the agent's own database and state schema.
 */
class LiveVersionsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void a_session_named_for_a_version_is_counted_while_it_is_open_and_gone_once_closed()
      throws Exception {
    try (TestDatabase db = TestPostgres.createDatabase("live_versions");
        SessionScope scope = new SessionScope(db)) {
      LiveVersions versions = scope.versions("convoy");
      assertEquals(Map.of(), versions.read(), "no version's session yet");
      try (Connection first = connect(db.url(), "convoy_v_ab12cd34", null)) {
        Map<String, VersionSessions> seen =
            await(versions, v -> sessions(v, "ab12cd34") == 1, "one session of ab12cd34");
        assertEquals("convoy_v_ab12cd34", seen.get("ab12cd34").name());
        Long oldest = seen.get("ab12cd34").oldestStartedAt();
        // The test runs as a superuser, which may read every session's start.
        assertEquals(true, oldest != null && oldest <= Instant.now().toEpochMilli(), seen + "");
        try (Connection second = connect(db.url(), "convoy_v_ab12cd34", null)) {
          await(versions, v -> sessions(v, "ab12cd34") == 2, "two sessions of ab12cd34");
        }
        await(versions, v -> sessions(v, "ab12cd34") == 1, "the second session gone");
      }
      await(versions, Map::isEmpty, "no version's session once both closed");
    }
  }

  @Test
  void a_session_logged_in_as_a_version_role_counts_for_that_version() throws Exception {
    String rev = "r" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String role = "convoy_v_" + rev;
    try (TestDatabase db = TestPostgres.createDatabase("live_versions_role");
        SessionScope scope = new SessionScope(db)) {
      TestPostgres.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'");
      try (Connection app = connect(db.url(), "some application", role)) {
        Map<String, VersionSessions> seen =
            await(scope.versions("convoy"), v -> sessions(v, rev) == 1, "one session of " + rev);
        assertEquals(role, seen.get(rev).name());
      } finally {
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '"
                + role
                + "' AND datname = current_database()");
        Poll.until(
            DEADLINE,
            "the role's session to end",
            () ->
                db.count("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role + "'")
                    == 0);
        TestPostgres.execute("DROP ROLE " + role);
      }
    }
  }

  @Test
  void sessions_of_other_databases_and_other_state_schemas_do_not_count() throws Exception {
    try (TestDatabase db = TestPostgres.createDatabase("live_versions_mine");
        TestDatabase other = TestPostgres.createDatabase("live_versions_other");
        SessionScope scope = new SessionScope(db)) {
      try (Connection elsewhere = connect(other.url(), "convoy_v_beef0001", null);
          Connection otherSchema = connect(db.url(), "tenant_v_beef0002", null);
          Connection mine = connect(db.url(), "convoy_v_beef0003", null)) {
        Map<String, VersionSessions> seen =
            await(scope.versions("convoy"), v -> sessions(v, "beef0003") == 1, "beef0003");
        assertEquals(1, seen.size(), "only this database's convoy versions: " + seen);
        assertEquals(
            1,
            sessions(scope.versions("tenant").read(), "beef0002"),
            "an agent with state schema 'tenant' sees its own versions");
      }
    }
  }

  @Test
  void versions_that_cannot_be_read_are_unknown_not_none() {
    SessionHolder nowhere =
        new SessionHolder(
            null, new DatabaseUrl("postgresql://postgres@127.0.0.1:1/none"), "live versions test");
    assertNull(new LiveVersions("convoy", nowhere).read());
  }

  private static int sessions(Map<String, VersionSessions> versions, String rev) {
    VersionSessions v = versions == null ? null : versions.get(rev);
    return v == null ? 0 : v.sessions();
  }

  private static Map<String, VersionSessions> await(
      LiveVersions versions, Predicate<Map<String, VersionSessions>> done, String what) {
    return Poll.until(DEADLINE, what, versions::read, v -> v != null && done.test(v));
  }

  /** A pgjdbc connection to the test database {@code url}, as an application would open one. */
  static Connection connect(String url, String applicationName, String user) throws Exception {
    URI u = URI.create(url);
    Properties p = new Properties();
    p.setProperty("user", user != null ? user : u.getUserInfo().split(":")[0]);
    if (user != null) {
      p.setProperty("password", user); // the test's role has its name as its password
    } else if (u.getUserInfo().contains(":")) {
      p.setProperty("password", u.getUserInfo().split(":", 2)[1]);
    }
    p.setProperty("ApplicationName", applicationName);
    return DriverManager.getConnection(
        "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + u.getPath(), p);
  }

  /** The agent's own connection to the database, closed after the test. */
  private static final class SessionScope implements AutoCloseable {
    private final SessionHolder holder;

    SessionScope(TestDatabase db) {
      this.holder = new SessionHolder(null, new DatabaseUrl(db.url()), "convoy agent test");
    }

    LiveVersions versions(String schema) {
      return new LiveVersions(schema, holder);
    }

    @Override
    public void close() {
      holder.reset();
    }
  }
}
