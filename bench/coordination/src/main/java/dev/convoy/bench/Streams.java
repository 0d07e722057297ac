package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.log;

import dev.convoy.rollout.Keys;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/** Reads the bus's streams back, to time when a command entered and when its answers left. */
final class Streams {
  private final Redis probe;
  private final Keys keys;

  Streams(Redis probe, Keys keys) {
    this.probe = probe;
    this.keys = keys;
  }

  /** One stream entry's payload (its {@code e} field) and the Redis time (ms) it was added. */
  private record Entry(long ms, JsonObject payload) {}

  /** The entries of {@code stream} from {@code from} (an id or {@code -}), oldest first. */
  private List<Entry> read(String stream, String from) {
    List<Entry> out = new ArrayList<>();
    Response r = probe.send(Request.cmd(Command.XRANGE).arg(stream).arg(from).arg("+")).await();
    for (Response entry : r) {
      String id = entry.get(0).toString();
      long ms = Long.parseLong(id.substring(0, id.indexOf('-')));
      Response fields = entry.get(1);
      for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
        if ("e".equals(fields.get(i).toString())) {
          out.add(new Entry(ms, new JsonObject(fields.get(i + 1).toString())));
        }
      }
    }
    return out;
  }

  /** The events of the namespace's stream added since {@code fromMs}, as JSON. */
  List<JsonObject> events(long fromMs) {
    try {
      return read(keys.events(), String.valueOf(fromMs)).stream().map(Entry::payload).toList();
    } catch (RuntimeException e) {
      log("could not read the events stream: " + e.getMessage());
      return List.of();
    }
  }

  /** The Redis time (ms) at which the command for (plan, step) entered env's stream. */
  Long commandEntryMs(String env, String plan, int step) {
    try {
      Long first = null;
      for (Entry e : read(keys.commands(env), "-")) {
        JsonObject c = e.payload();
        if (plan.equals(c.getString("plan")) && c.getInteger("step", -1) == step) {
          first = first == null ? e.ms() : Math.min(first, e.ms());
        }
      }
      return first;
    } catch (RuntimeException e) {
      log("could not read the command stream of " + env + ": " + e.getMessage());
      return null;
    }
  }

  static Long eventSentAt(List<JsonObject> events, String plan, int step, String type) {
    for (JsonObject e : events) {
      if (plan.equals(e.getString("plan"))
          && Integer.valueOf(step).equals(e.getInteger("step"))
          && type.equals(e.getString("type"))) {
        return e.getLong("sentAt");
      }
    }
    return null;
  }
}
