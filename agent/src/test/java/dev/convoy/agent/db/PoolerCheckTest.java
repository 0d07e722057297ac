package dev.convoy.agent.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.testkit.Bouncer;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * How a connection reaches PostgreSQL, told apart on real PgBouncers: directly, through session
 * pooling (session state holds), or through transaction or statement pooling (it does not), the
 * latter whichever order PgBouncer hands out its idle server connections in and however many it
 * has.
 */
class PoolerCheckTest {
  private static final int TRIES = 5;

  private static TextSession open(DatabaseUrl url) {
    return PgSession.openText(
        () -> {
          throw new AssertionError("plain URLs need no Vert.x");
        },
        url,
        "convoy pooler test");
  }

  /** What {@link PoolerCheck} finds for {@code url}, asked {@link #TRIES} times. */
  private static List<PoolerCheck.Pooling> found(DatabaseUrl url) {
    List<PoolerCheck.Pooling> found = new ArrayList<>();
    for (int i = 0; i < TRIES; i++) {
      try (TextSession s = open(url)) {
        found.add(PoolerCheck.pooling(s, () -> open(url), url, null));
      }
    }
    return found;
  }

  /** Leaves {@code n} idle server connections in a transaction pool. */
  private static void warm(DatabaseUrl url, int n) {
    List<TextSession> held = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        TextSession s = open(url);
        held.add(s);
        s.execute("BEGIN");
        s.value("SELECT pg_backend_pid()::text");
      }
    } finally {
      for (TextSession s : held) {
        s.execute("COMMIT");
        s.close();
      }
    }
  }

  private static List<PoolerCheck.Pooling> times(PoolerCheck.Pooling p) {
    return java.util.Collections.nCopies(TRIES, p);
  }

  @Test
  void a_direct_connection_costs_one_question_and_is_found_direct() {
    try (TestDatabase db = TestPostgres.createDatabase("pooler_direct")) {
      DatabaseUrl url = new DatabaseUrl(db.url());
      Supplier<TextSession> never =
          () -> {
            throw new AssertionError("a direct connection needs no second one");
          };
      try (TextSession s = open(url)) {
        assertEquals(PoolerCheck.Pooling.DIRECT, PoolerCheck.pooling(s, never, url, null));
        assertEquals(s.pid(), BackendPid.of(s));
      }
    }
  }

  @Test
  void session_pooling_is_found_even_with_idle_server_connections_in_the_pool() throws Exception {
    for (List<String> extra : List.of(List.<String>of(), List.of("server_round_robin = 1"))) {
      try (Bouncer bouncer = Bouncer.start("session", extra);
          TestDatabase db = TestPostgres.createDatabase("pooler_session")) {
        DatabaseUrl url = new DatabaseUrl(bouncer.url(db.name()));
        warm(url, 4);
        assertEquals(times(PoolerCheck.Pooling.SESSION), found(url), extra.toString());
        try (TextSession s = open(url)) {
          PoolerCheck.requireSessionState(s, () -> null, url, "convoy pooler test");
          assertTrue(s.pid() != BackendPid.of(s), "PgBouncer announces its own pid");
          assertEquals(s.value("SELECT pg_backend_pid()::text"), "" + BackendPid.of(s));
        }
      }
    }
  }

  @Test
  void a_full_session_pool_is_named_within_seconds_not_called_the_wrong_mode() throws Exception {
    try (Bouncer bouncer = Bouncer.start("session", List.of("default_pool_size = 1"));
        TestDatabase db = TestPostgres.createDatabase("pooler_full")) {
      DatabaseUrl url = new DatabaseUrl(bouncer.url(db.name()));
      try (TextSession s = open(url)) {
        long t0 = System.nanoTime();
        ConvoyException e =
            assertThrows(
                ConvoyException.class, () -> PoolerCheck.pooling(s, () -> open(url), url, null));
        assertTrue(e.getMessage().contains("the pool is full"), e.getMessage());
        assertTrue(e.getMessage().contains("CONVOY_POOL_MODE=session"), e.getMessage());
        assertTrue(
            System.nanoTime() - t0 < java.time.Duration.ofSeconds(60).toNanos(),
            "well before PgBouncer's 2-minute query_wait_timeout");
        // The operator who knows the pool keeps sessions can say so.
        assertEquals(
            PoolerCheck.Pooling.SESSION, PoolerCheck.pooling(s, () -> open(url), url, "session"));
      }
    }
  }

  @Test
  void transaction_pooling_is_found_whichever_order_idle_servers_are_handed_out_in()
      throws Exception {
    for (List<String> extra :
        List.of(
            List.<String>of(),
            List.of("server_round_robin = 1"),
            List.of("default_pool_size = 1"),
            List.of("default_pool_size = 2", "server_round_robin = 1"))) {
      for (int idle : new int[] {0, 1, 2, 5}) {
        try (Bouncer bouncer = Bouncer.start("transaction", extra);
            TestDatabase db = TestPostgres.createDatabase("pooler_transaction")) {
          DatabaseUrl url = new DatabaseUrl(bouncer.url(db.name()));
          // Never more idle servers than the pool holds: a further BEGIN would wait for one.
          int pool =
              extra.stream()
                  .filter(l -> l.startsWith("default_pool_size"))
                  .mapToInt(l -> Integer.parseInt(l.replaceAll("\\D", "")))
                  .findFirst()
                  .orElse(40);
          warm(url, Math.min(idle, pool));
          assertEquals(
              times(PoolerCheck.Pooling.TRANSACTION), found(url), extra + ", " + idle + " idle");
        }
      }
    }
  }

  @Test
  void statement_pooling_is_found_and_refused_as_a_configuration_problem() throws Exception {
    try (Bouncer bouncer = Bouncer.start("statement");
        TestDatabase db = TestPostgres.createDatabase("pooler_statement")) {
      DatabaseUrl url = new DatabaseUrl(bouncer.url(db.name()));
      assertEquals(times(PoolerCheck.Pooling.STATEMENT), found(url));
      try (TextSession s = open(url)) {
        ConvoyException e =
            assertThrows(
                ConvoyException.class,
                () -> PoolerCheck.requireSessionState(s, () -> null, url, "convoy pooler test"));
        assertEquals(ErrorCode.POOLED_CONNECTION, e.code());
        assertEquals(2, e.code().exitCode());
        assertTrue(e.getMessage().contains("statement pooling mode"), e.getMessage());
      }
    }
  }
}
