package dev.convoy.agent.db;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * Whether session state holds on a connection: a session advisory lock (the migration lock) and SET
 * (lock_timeout) last as long as the connection only when one server process serves it from start
 * to end. Behind a connection pooler in transaction or statement pooling (PgBouncer's
 * pool_mode=transaction, a common production setup) they do not: the lock would be taken on a
 * server process that then serves someone else, and exactly-once would silently stop being true. So
 * such a URL is refused before anything is locked or changed.
 *
 * <p>Cheap first: the pid the server announced at startup against {@code pg_backend_pid()}, one
 * round trip; equal means a direct connection. A pooler announces a pid of its own, and then a
 * second connection through the same URL probes the pooler: in session pooling each client keeps
 * its own server process, so the first connection always sees the same one and the second (holding
 * a transaction open) never sees it; in transaction pooling a server process idle between two
 * statements serves whoever comes next; in statement pooling a transaction block is refused.
 */
public final class PoolerCheck {
  /** Rounds of the probe: each gives a transaction pooler several chances to show itself. */
  private static final int ROUNDS = 3;

  /** What the probe found. */
  enum Pooling {
    DIRECT,
    SESSION,
    TRANSACTION,
    STATEMENT
  }

  /**
   * How long the probe's second connection may wait for a server process: a session pool that
   * instances starting at once have filled (each holds one) would otherwise keep it waiting for the
   * pooler's query_wait_timeout (PgBouncer: 2 minutes) and then call a session pool unsuitable.
   */
  private static final long PROBE_WAIT_MS = 10_000;

  /** Set to {@code session} by an operator who knows the pool keeps sessions: skips the probe. */
  static final String ASSUME = "CONVOY_POOL_MODE";

  private PoolerCheck() {}

  /**
   * Returns when session state holds on {@code session} (opened from {@code url}); otherwise
   * throws, one line, exit 2, having changed nothing. A pooler is probed with a second connection
   * opened like the first.
   */
  public static void requireSessionState(
      TextSession session, Supplier<Vertx> vertx, DatabaseUrl url, String applicationName) {
    Pooling found =
        pooling(
            session,
            () -> PgSession.openText(vertx, url, applicationName + " (probe)"),
            url,
            System.getenv(ASSUME));
    if (found == Pooling.TRANSACTION || found == Pooling.STATEMENT) {
      throw refusal(url, found);
    }
  }

  /**
   * How {@code session} reaches PostgreSQL; {@code second} opens another connection the same way.
   */
  static Pooling pooling(
      TextSession session, Supplier<TextSession> second, DatabaseUrl url, String assumed) {
    int server = BackendPid.ask(session);
    if (server == session.pid()) {
      BackendPid.remember(session, server);
      return Pooling.DIRECT;
    }
    if ("session".equals(assumed)) {
      BackendPid.remember(session, server);
      return Pooling.SESSION; // the operator vouches for the pool's mode
    }
    TextSession other;
    try {
      other = second.get();
    } catch (RuntimeException e) {
      throw undecided(url, e);
    }
    try (other) {
      Pooling found = probe(session, server, other, second, url);
      if (found == Pooling.SESSION) {
        BackendPid.remember(session, server);
      }
      return found;
    } catch (ConvoyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw undecided(url, e); // a connection lost mid-probe
    }
  }

  /**
   * {@code a} (whose server process was {@code first}) must keep its server process, and {@code b},
   * inside a transaction, must never get it and must keep its own from round to round.
   */
  private static Pooling probe(
      TextSession a, int first, TextSession b, Supplier<TextSession> second, DatabaseUrl url) {
    Integer bServer = null;
    for (int round = 0; round < ROUNDS; round++) {
      if (BackendPid.ask(a) != first) {
        return Pooling.TRANSACTION;
      }
      try {
        if (round == 0) {
          firstAnswer(b, url); // its first statement waits for a free server process
        } else {
          b.execute("BEGIN");
        }
      } catch (ConvoyException e) {
        throw e;
      } catch (RuntimeException e) {
        return refusedBegin(e, second, url);
      }
      try {
        int inTransaction = BackendPid.ask(b);
        if (inTransaction == first || (bServer != null && inTransaction != bServer)) {
          return Pooling.TRANSACTION;
        }
        bServer = inTransaction;
        if (BackendPid.ask(a) != first) {
          return Pooling.TRANSACTION;
        }
      } finally {
        rollback(b);
      }
    }
    return Pooling.SESSION;
  }

  /**
   * A pooler in statement pooling refuses BEGIN (PgBouncer: "transaction blocks not allowed in
   * statement pooling mode", and it closes the connection, so a client may only see it lost). A
   * fresh connection that answers a query and again refuses BEGIN confirms it; anything else is a
   * connection problem.
   */
  private static Pooling refusedBegin(
      RuntimeException e, Supplier<TextSession> second, DatabaseUrl url) {
    if (String.valueOf(e.getMessage()).contains("statement pooling")) {
      return Pooling.STATEMENT;
    }
    TextSession c;
    try {
      c = second.get();
    } catch (RuntimeException again) {
      throw undecided(url, e);
    }
    try (c) {
      c.value("SELECT 1");
      try {
        c.execute("BEGIN");
      } catch (RuntimeException refused) {
        return Pooling.STATEMENT;
      }
      rollback(c);
    } catch (RuntimeException broken) {
      // The fresh connection failed a plain query too: not a refusal of transactions.
    }
    throw undecided(url, e);
  }

  /**
   * Waits a bounded time for the probe connection's first answer: behind a pooler the login
   * completes at once, and the first query waits for a free server process.
   */
  private static void firstAnswer(TextSession other, DatabaseUrl url) {
    java.util.concurrent.CompletableFuture<String> answer =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              other.execute("BEGIN");
              return "";
            });
    try {
      answer.get(PROBE_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ConvoyException(
          ErrorCode.CONNECTION_FAILED,
          "the database URL "
              + url.redacted()
              + " goes through a connection pooler, and a second connection to check that it keeps"
              + " session state got no server within "
              + PROBE_WAIT_MS / 1000
              + " s: the pool is full (each instance starting at once holds one server"
              + " connection and checks with a second). Raise the pool's size (PgBouncer"
              + " default_pool_size) to twice the instances that start together, or, if the pool"
              + " is in session mode, set "
              + ASSUME
              + "=session to skip the check. Nothing was changed.");
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the pooler", e);
    }
  }

  private static void rollback(TextSession b) {
    try {
      b.execute("ROLLBACK");
    } catch (RuntimeException e) {
      // The probe's own connection; closing it ends the transaction too.
    }
  }

  static ConvoyException refusal(DatabaseUrl url, Pooling found) {
    String mode = found == Pooling.STATEMENT ? "statement" : "transaction";
    return new ConvoyException(
        ErrorCode.POOLED_CONNECTION,
        "the database URL "
            + url.redacted()
            + " goes through a connection pooler in "
            + mode
            + " pooling mode (PgBouncer pool_mode="
            + mode
            + "): Convoy's migration lock and session settings would not hold. Point --url"
            + " (CONVOY_DATABASE_URL) for migrations at PostgreSQL directly or at a pool with"
            + " pool_mode=session. Nothing was changed.");
  }

  private static ConvoyException undecided(DatabaseUrl url, RuntimeException e) {
    return new ConvoyException(
        ErrorCode.CONNECTION_FAILED,
        "the database URL "
            + url.redacted()
            + " goes through a connection pooler, and checking with a second connection that it"
            + " keeps session state (pool_mode=session) failed: "
            + e.getMessage()
            + ". Point --url (CONVOY_DATABASE_URL) at PostgreSQL directly or at a pool with"
            + " pool_mode=session. Nothing was changed.",
        e);
  }
}
