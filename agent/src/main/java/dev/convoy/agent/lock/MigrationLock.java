package dev.convoy.agent.lock;

import dev.convoy.agent.db.TextSession;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Sleeper;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The per-database migration lock: a session-level advisory lock taken on a dedicated connection.
 *
 * <p>Never a transaction-level lock: CREATE INDEX CONCURRENTLY waits for every transaction that
 * could see the table, so a lock held by an open transaction would deadlock it. Waiters poll {@code
 * pg_try_advisory_lock} with jittered backoff from outside any transaction, holding no snapshot, so
 * they cannot stall the holder's concurrent index builds either. The pauses start at 20 ms and grow
 * by 1.6 up to 100 ms, each times a random factor in [0.75, 1.25); pause and factor are injectable
 * for tests.
 *
 * <p>The key is (a constant class, hashtext of the state schema): two Convoy state schemas in one
 * database migrate independently.
 */
public final class MigrationLock implements AutoCloseable {
  /** 'Conv' as an int: the advisory lock class Convoy uses. */
  static final int LOCK_CLASS = 0x436F6E76;

  private static final long FIRST_DELAY_MS = 20;
  private static final long MAX_DELAY_MS = 100;

  private final TextSession session;
  private final String schemaLiteral;
  private final String key;
  private final Sleeper sleeper;
  private final DoubleSupplier random;
  private boolean held;

  public MigrationLock(TextSession session, String schema) {
    this(session, schema, Sleeper.THREAD, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code random} answers in [0, 1): the jitter; {@code sleeper} pauses between polls. */
  public MigrationLock(TextSession session, String schema, Sleeper sleeper, DoubleSupplier random) {
    this.sleeper = sleeper;
    this.random = random;
    this.session = session;
    this.schemaLiteral = Sql.literal(schema);
    this.key = LOCK_CLASS + ", hashtext(" + schemaLiteral + ")";
  }

  /**
   * Takes the lock, waiting as long as it takes, and returns true; or returns false as soon as
   * {@code needless} says the waiter has nothing left to do (another instance did its work), so a
   * crowd of waiters does not file through the lock one by one. {@code needless} is asked first, so
   * an instance with nothing to do never takes the lock. {@code onWait} hears who holds the lock,
   * once per holder.
   */
  public boolean acquire(Consumer<LockHolder> onWait, BooleanSupplier needless) {
    long delay = FIRST_DELAY_MS;
    Integer lastHolder = null;
    for (int poll = 0; ; poll++) {
      if (needless.getAsBoolean()) {
        return false;
      }
      if (tryAcquire()) {
        return true;
      }
      // Who holds it: at once, then about every two seconds in case the holder changes.
      Optional<LockHolder> h = poll % 20 == 0 ? holder() : Optional.empty();
      if (h.isPresent() && (lastHolder == null || lastHolder != h.get().pid())) {
        lastHolder = h.get().pid();
        onWait.accept(h.get());
      }
      long jittered = (long) (delay * (0.75 + random.getAsDouble() * 0.5));
      try {
        sleeper.sleep(jittered);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the migration lock", e);
      }
      delay = Math.min(MAX_DELAY_MS, (long) (delay * 1.6));
    }
  }

  public boolean tryAcquire() {
    held = "true".equals(session.value("SELECT pg_try_advisory_lock(" + key + ")::text"));
    return held;
  }

  /** Who holds the lock now, if anyone. */
  public Optional<LockHolder> holder() {
    List<String[]> rows =
        session.rows(
            "SELECT a.pid::text, a.application_name, a.client_addr::text,"
                + " to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
                + " FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = "
                + LOCK_CLASS
                + " AND l.objid::bigint = (hashtext("
                + schemaLiteral
                + ")::bigint & 4294967295) AND l.objsubid = 2"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname ="
                + " current_database())");
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    String[] r = rows.get(0);
    return Optional.of(
        new LockHolder(
            Integer.parseInt(r[0]), r[1], r[2], r[3] == null ? null : OffsetDateTime.parse(r[3])));
  }

  @Override
  public void close() {
    if (held) {
      held = false;
      try {
        session.value("SELECT pg_advisory_unlock(" + key + ")::text");
      } catch (RuntimeException e) {
        // A lost connection's session is over, and its lock with it; anything else is an error.
        if (!dev.convoy.agent.db.SqlError.isConnectionLost(e)) {
          throw e;
        }
      }
    }
  }
}
