package dev.convoy.coordinator;

import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * Leadership among coordinators: {@code SET key id NX PX ttl} to take it, a compare-and-extend
 * script to keep it (only while the key still holds this id), compare-and-delete to give it up.
 * Whoever holds it also bumps the epoch in the control database, so commands of a leader that lost
 * the lease (paused past its ttl) are refused by the agents' fence.
 */
final class Lease {
  private static final String EXTEND =
      "if redis.call('get', KEYS[1]) == ARGV[1] then"
          + " return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RAISE =
      "local e = tonumber(redis.call('get', KEYS[1]) or '0')"
          + " if tonumber(ARGV[1]) > e then redis.call('set', KEYS[1], ARGV[1]) end return 1";
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then"
          + " return redis.call('del', KEYS[1]) else return 0 end";

  private final Redis redis;
  private final String key;
  private final String id;
  private final long ttlMs;

  Lease(Redis redis, String key, String id, long ttlMs) {
    this.redis = redis;
    this.key = key;
    this.id = id;
    this.ttlMs = ttlMs;
  }

  boolean tryAcquire() {
    Response r =
        Replies.await(
            redis.send(Request.cmd(Command.SET).arg(key).arg(id).arg("NX").arg("PX").arg(ttlMs)));
    return r != null && "OK".equals(r.toString());
  }

  boolean extend() {
    Response r =
        Replies.await(
            redis.send(Request.cmd(Command.EVAL).arg(EXTEND).arg(1).arg(key).arg(id).arg(ttlMs)));
    return r != null && r.toInteger() == 1;
  }

  /** True while this coordinator still holds the lease: checked right before every command. */
  boolean held() {
    Response r = Replies.await(redis.send(Request.cmd(Command.GET).arg(key)));
    return r != null && id.equals(r.toString());
  }

  /** Publishes {@code epoch} as the newest term (never lowering it). */
  void announce(String epochKey, long epoch) {
    Replies.await(redis.send(Request.cmd(Command.EVAL).arg(RAISE).arg(1).arg(epochKey).arg(epoch)));
  }

  void release() {
    Replies.await(redis.send(Request.cmd(Command.EVAL).arg(RELEASE).arg(1).arg(key).arg(id)));
  }

  long ttlMs() {
    return ttlMs;
  }
}
