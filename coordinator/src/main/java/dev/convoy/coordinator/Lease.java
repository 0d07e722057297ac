package dev.convoy.coordinator;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.function.LongSupplier;

/**
 * Leadership among coordinators: {@code SET key id NX PX ttl} to take it, a compare-and-extend
 * script to keep it (only while the key still holds this id), compare-and-delete to give it up.
 * Whoever holds it also bumps the epoch in the control database, so commands of a leader that lost
 * the lease (paused past its ttl) are refused by the agents' fence. Each renewal sets a local
 * deadline ({@link LeaseDeadline}); past it the leader acts as if it had lost the lease.
 */
final class Lease {
  /** Takes the lease when it is free, or keeps it when it is still this coordinator's. */
  private static final String ACQUIRE =
      "if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1"
          + " elseif redis.call('get', KEYS[1]) == ARGV[1] then"
          + " redis.call('pexpire', KEYS[1], ARGV[2]) return 1 else return 0 end";

  private static final String EXTEND =
      "if redis.call('get', KEYS[1]) == ARGV[1] then"
          + " return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RAISE =
      // A value that is not a number (written by someone else) counts as 0: it is replaced.
      "local e = tonumber(redis.call('get', KEYS[1]) or '0') or 0"
          + " if tonumber(ARGV[1]) > e then redis.call('set', KEYS[1], ARGV[1]) end return 1";
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then"
          + " return redis.call('del', KEYS[1]) else return 0 end";

  private final Redis redis;
  private final String key;
  private final String id;
  private final long ttlMs;
  private final LeaseDeadline deadline;

  Lease(Redis redis, String key, String id, long ttlMs, LongSupplier nanos) {
    this.redis = redis;
    this.key = key;
    this.id = id;
    this.ttlMs = ttlMs;
    this.deadline = new LeaseDeadline(nanos, ttlMs);
  }

  /**
   * Takes the lease if it is free, or keeps it if it is still this coordinator's (a leader that
   * stood down at its deadline takes it back at once, with a new epoch).
   */
  boolean tryAcquire() {
    return renew(ACQUIRE);
  }

  boolean extend() {
    return renew(EXTEND);
  }

  private boolean renew(String script) {
    long sentAt = deadline.beforeRequest();
    Response r =
        Replies.await(
            redis.send(Request.cmd(Command.EVAL).arg(script).arg(1).arg(key).arg(id).arg(ttlMs)),
            ttlMs);
    boolean ok = r != null && r.toInteger() == 1;
    if (ok) {
      deadline.renewed(sentAt);
    } else {
      deadline.clear();
    }
    return ok;
  }

  /**
   * True while this coordinator certainly holds the lease: before its local deadline. Checked
   * before every write and every command, without asking Redis.
   */
  boolean held() {
    return deadline.holds();
  }

  /** Milliseconds left before the local deadline; for logs. */
  long remainingMs() {
    return deadline.remainingMs();
  }

  /** Publishes {@code epoch} as the newest term (never lowering it). */
  void announce(String epochKey, long epoch) {
    Replies.await(redis.send(Request.cmd(Command.EVAL).arg(RAISE).arg(1).arg(epochKey).arg(epoch)));
  }

  void release() {
    deadline.clear();
    Replies.await(redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(key).arg(id)));
  }

  long ttlMs() {
    return ttlMs;
  }
}
