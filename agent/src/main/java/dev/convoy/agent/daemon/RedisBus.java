package dev.convoy.agent.daemon;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * The few Redis stream calls an agent makes, blocking (called from the agent's own threads, never
 * an event loop). RESP2, so every reply is a plain array.
 */
final class RedisBus implements AutoCloseable {
  /** One stream entry: its id and the JSON in its {@code e} field. */
  record Entry(String id, String json) {}

  private final Redis redis;

  RedisBus(Vertx vertx, String url) {
    this.redis =
        Redis.createClient(
            vertx,
            new RedisOptions()
                .setConnectionString(url)
                .setPreferredProtocolVersion(ProtocolVersion.RESP2)
                .setMaxPoolSize(4)
                .setMaxPoolWaiting(64));
  }

  /**
   * Sends one command and waits at most 5 s beyond any BLOCK it asks for: a connection that died
   * under a pending call (Redis restarted) must not hang the loop that made it.
   */
  Response send(Command cmd, Object... args) {
    Request r = Request.cmd(cmd);
    long blockMs = 0;
    for (int i = 0; i < args.length; i++) {
      r.arg(String.valueOf(args[i]));
      if ("BLOCK".equals(args[i]) && i + 1 < args.length) {
        blockMs = Long.parseLong(String.valueOf(args[i + 1]));
      }
    }
    return await(redis.send(r), blockMs + 5000);
  }

  static <T> T await(io.vertx.core.Future<T> f, long timeoutMs) {
    try {
      return f.await(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Redis did not answer within " + timeoutMs + " ms", e);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      // Vert.x fails futures with bare Throwables (CONNECTION_CLOSED) that await rethrows.
      throw new IllegalStateException(t.getMessage(), t);
    }
  }

  /**
   * Creates the environment's consumer group at the stream's end ({@code $}), never at its start: a
   * group made again (Redis lost it, or someone deleted it) reads only entries added from now on,
   * never the stream's history, which may hold old commands. The coordinator sends again every step
   * it has not heard back about, so an entry added while the group was missing is not lost.
   */
  void createGroup(String stream, String group) {
    try {
      send(Command.XGROUP, "CREATE", stream, group, "$", "MKSTREAM");
    } catch (RuntimeException e) {
      if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
        throw e;
      }
    }
  }

  void add(String stream, String json, int maxLen) {
    send(Command.XADD, stream, "MAXLEN", "~", maxLen, "*", "e", json);
  }

  /** New entries for this consumer, waiting up to {@code blockMs}. */
  List<Entry> readGroup(String stream, String group, String consumer, long blockMs) {
    Response r =
        send(
            Command.XREADGROUP,
            "GROUP",
            group,
            consumer,
            "COUNT",
            1,
            "BLOCK",
            blockMs,
            "STREAMS",
            stream,
            ">");
    if (r == null || r.size() == 0) {
      return List.of();
    }
    return entries(r.get(0).get(1));
  }

  /** Entries another consumer of the group took and left unacknowledged for {@code idleMs}. */
  List<Entry> claimStale(String stream, String group, String consumer, long idleMs) {
    Response r = send(Command.XAUTOCLAIM, stream, group, consumer, idleMs, "0", "COUNT", 1);
    return r == null || r.size() < 2 ? List.of() : entries(r.get(1));
  }

  void ack(String stream, String group, String id) {
    send(Command.XACK, stream, group, id);
  }

  private static List<Entry> entries(Response list) {
    List<Entry> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (Response e : list) {
      Response fields = e.get(1);
      if (fields == null) {
        continue; // deleted meanwhile
      }
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("e".equals(fields.get(i).toString())) {
          out.add(new Entry(e.get(0).toString(), fields.get(i + 1).toString()));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    redis.close();
  }
}
