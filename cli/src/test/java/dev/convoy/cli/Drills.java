package dev.convoy.cli;

import dev.convoy.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What the fault drills share: an agent as a child process with engine options and a database URL
 * of the drill's choosing (through a {@link dev.convoy.testkit.TcpProxy}, say), polling with a
 * deadline, and ending a server process of the agent's the way an operator or a crash would.
 */
final class Drills {
  private Drills() {}

  /** {@code convoy agent} for {@code env} of {@code t}, reaching its database at {@code url}. */
  static Process agent(Topology t, Path log, String env, String url, String... engine)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--env",
                env,
                "--url",
                url,
                "--redis",
                t.redisUrl,
                "--namespace",
                t.namespace,
                "--dir",
                t.dir.toString(),
                "--metrics-port",
                "0",
                "--agent-id",
                "agent-" + env,
                "--wait-for-services",
                "60s"));
    args.addAll(List.of(engine));
    return ChildConvoy.start(log, Map.of(), args.toArray(String[]::new));
  }

  /** {@code url} with its host and port replaced by 127.0.0.1:{@code port}. */
  static String via(String url, int port) {
    URI u = URI.create(url);
    String auth = u.getRawUserInfo() == null ? "" : u.getRawUserInfo() + "@";
    return u.getScheme()
        + "://"
        + auth
        + "127.0.0.1:"
        + port
        + u.getRawPath()
        + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  /**
   * Polls {@code condition} until it holds; past {@code within} fails saying {@code what} and
   * {@code context} (a log tail, a rollout).
   */
  static void await(
      String what, Duration within, BooleanSupplier condition, Supplier<String> context) {
    long until = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new AssertionError(
            "not within " + within.toSeconds() + " s: " + what + "\n" + context.get());
      }
      Topology.sleep(20);
    }
  }

  /** The agent's sessions on {@code db} (its migrate connections; not the test's). */
  static final String AGENT_WORK =
      "datname = current_database() AND application_name LIKE 'convoy migrate %'";

  /**
   * The agent's work sessions on {@code db} other than the one holding the migration lock (an
   * advisory lock): the phased work's connection and its backfill workers'.
   */
  static final String AGENT_PHASED =
      AGENT_WORK
          + " AND NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid"
          + " AND l.locktype = 'advisory')";

  /** The pid of the newest backend of {@code db} matching {@code where}, or 0. */
  static int backend(TestDatabase db, String where) {
    String pid =
        db.scalar(
            "SELECT pid::text FROM pg_stat_activity a WHERE "
                + where
                + " AND pid <> pg_backend_pid() ORDER BY backend_start DESC LIMIT 1");
    return pid == null ? 0 : Integer.parseInt(pid);
  }

  /** {@code pg_terminate_backend(pid)}, as an operator (or the OOM killer) would. */
  static void terminate(TestDatabase db, int pid) {
    if (!"true".equals(db.scalar("SELECT pg_terminate_backend(" + pid + ")::text"))) {
      throw new AssertionError("backend " + pid + " was not there to terminate");
    }
  }

  /** True while a backend with this pid exists. */
  static boolean alive(TestDatabase db, int pid) {
    return db.count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) > 0;
  }

  /** Ledger rows per (plan, step) of the database, as "plan#step=n" for those with more than 1. */
  static String ledgerRepeats(TestDatabase db) {
    return db.scalar(
        "SELECT coalesce(string_agg(plan || '#' || step || '=' || n, ', '), '') FROM (SELECT"
            + " plan, step, count(*) n FROM convoy.ledger GROUP BY plan, step HAVING count(*) > 1)"
            + " x");
  }

  /** Successful upgrade history rows of {@code revision} in {@code phase}. */
  static long applied(TestDatabase db, String revision, String phase) {
    return db.count(
        "SELECT count(*) FROM convoy.history WHERE revision = '"
            + revision
            + "' AND direction = 'upgrade' AND success AND phase = '"
            + phase
            + "'");
  }

  /** A lost connection is a line in the agent's log, never a stack trace. */
  static void assertNoStackTrace(Path log) throws java.io.IOException {
    String text = java.nio.file.Files.readString(log);
    if (text.contains("\n\tat ")) {
      throw new AssertionError("the agent's log holds a stack trace:\n" + text);
    }
  }

  /** The whole history of {@code db}, one line per row, for a failure message. */
  static String history(TestDatabase db) {
    return db.scalar(
        "SELECT string_agg(concat_ws(' ', revision, direction, phase, success, error), E'\\n'"
            + " ORDER BY id) FROM convoy.history");
  }
}
