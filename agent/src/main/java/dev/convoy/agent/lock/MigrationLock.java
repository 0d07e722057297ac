package dev.convoy.agent.lock;

import dev.convoy.agent.db.PgSession;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The per-database migration lock: a session-level advisory lock taken on a dedicated connection.
 *
 * <p>Never a transaction-level lock: CREATE INDEX CONCURRENTLY waits for every transaction that
 * could see the table, so a lock held by an open transaction would deadlock it. Waiters poll {@code
 * pg_try_advisory_lock} with jittered backoff from outside any transaction, holding no snapshot, so
 * they cannot stall the holder's concurrent index builds either.
 *
 * <p>The key is (a constant class, hashtext of the state schema): two Convoy state schemas in one
 * database migrate independently.
 */
public final class MigrationLock implements AutoCloseable {
  /** 'Conv' as an int: the advisory lock class Convoy uses. */
  static final int LOCK_CLASS = 0x436F6E76;

  private static final long FIRST_DELAY_MS = 20;
  private static final long MAX_DELAY_MS = 100;

  private final PgSession session;
  private final String schema;
  private boolean held;

  public MigrationLock(PgSession session, String schema) {
    this.session = session;
    this.schema = schema;
  }

  /**
   * Takes the lock, waiting as long as it takes, and returns true; or returns false as soon as
   * {@code needless} says the waiter has nothing left to do (another instance did its work), so a
   * crowd of waiters does not file through the lock one by one. {@code onWait} hears who holds the
   * lock, once per holder.
   */
  public boolean acquire(Vertx vertx, Consumer<LockHolder> onWait, BooleanSupplier needless) {
    long delay = FIRST_DELAY_MS;
    Integer lastHolder = null;
    for (int poll = 0; !tryAcquire(); poll++) {
      if (needless.getAsBoolean()) {
        return false;
      }
      // Who holds it: at once, then about every two seconds in case the holder changes.
      Optional<LockHolder> h = poll % 20 == 0 ? holder() : Optional.empty();
      if (h.isPresent() && (lastHolder == null || lastHolder != h.get().pid())) {
        lastHolder = h.get().pid();
        onWait.accept(h.get());
      }
      long jittered = (long) (delay * (0.75 + ThreadLocalRandom.current().nextDouble() * 0.5));
      PgSession.await(vertx.timer(jittered));
      delay = Math.min(MAX_DELAY_MS, (long) (delay * 1.6));
    }
    return true;
  }

  public boolean tryAcquire() {
    RowSet<Row> rs =
        session.query(
            "SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked",
            Tuple.of(LOCK_CLASS, schema));
    held = rs.iterator().next().getBoolean("locked");
    return held;
  }

  /** Who holds the lock now, if anyone. */
  public Optional<LockHolder> holder() {
    RowSet<Row> rs =
        session.query(
            "SELECT a.pid, a.application_name, a.client_addr::text AS addr, a.state_change"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1"
                + " AND l.objid::bigint = (hashtext($2)::bigint & 4294967295) AND l.objsubid = 2"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname ="
                + " current_database())",
            Tuple.of((long) LOCK_CLASS, schema));
    if (!rs.iterator().hasNext()) {
      return Optional.empty();
    }
    Row r = rs.iterator().next();
    return Optional.of(
        new LockHolder(
            r.getInteger("pid"),
            r.getString("application_name"),
            r.getString("addr"),
            r.getOffsetDateTime("state_change")));
  }

  @Override
  public void close() {
    if (held) {
      held = false;
      session.query("SELECT pg_advisory_unlock($1, hashtext($2))", Tuple.of(LOCK_CLASS, schema));
    }
  }
}
