package dev.convoy.cli;

import dev.convoy.migration.MigrationDirectory;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A test's view of a Topology's Redis streams: adds signed commands (or raw entries) to an
 * environment's command stream, reads back entries and the agents' events.
 */
final class Streams implements AutoCloseable {
  private final Topology t;
  private final Redis redis;

  Streams(Topology t) {
    this.t = t;
    this.redis = Redis.createClient(t.vertx, t.redisUrl);
  }

  String commands(String env) {
    return "convoy:" + t.namespace + ":cmd:" + env;
  }

  String events() {
    return "convoy:" + t.namespace + ":events";
  }

  /** A command signed with the topology's key, with the checksums of its migrations directory. */
  static Command command(
      Path dir,
      String plan,
      int step,
      long epoch,
      String action,
      String target,
      List<String> revisions,
      long issuedAt) {
    var directory = MigrationDirectory.load(dir);
    List<Command.Revision> revs = new ArrayList<>();
    for (String r : revisions) {
      revs.add(new Command.Revision(r, directory.get(r).checksum()));
    }
    return new Command(plan, step, "dev", epoch, action, target, "all", revs, issuedAt, false, null)
        .signed(new Signer(Topology.KEY));
  }

  void send(String env, Command c) {
    add(commands(env), Wire.write(c));
  }

  void add(String stream, String json) {
    redis
        .send(
            Request.cmd(io.vertx.redis.client.Command.XADD).arg(stream).arg("*").arg("e").arg(json))
        .await();
  }

  Response send(io.vertx.redis.client.Command cmd, String... args) {
    Request r = Request.cmd(cmd);
    for (String a : args) {
      r.arg(a);
    }
    return redis.send(r).await();
  }

  /** The JSON of every entry of {@code stream}, oldest first. */
  List<String> entries(String stream) {
    Response r = send(io.vertx.redis.client.Command.XRANGE, stream, "-", "+");
    List<String> out = new ArrayList<>();
    for (Response e : r) {
      Response fields = e.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("e".equals(fields.get(i).toString())) {
          out.add(fields.get(i + 1).toString());
        }
      }
    }
    return out;
  }

  /** Every event but heartbeats, oldest first. */
  List<JsonObject> answers() {
    List<JsonObject> out = new ArrayList<>();
    for (String json : entries(events())) {
      JsonObject e = new JsonObject(json);
      if (!"heartbeat".equals(e.getString("type"))) {
        out.add(e);
      }
    }
    return out;
  }

  /** Waits (a minute at most) until an event matching {@code which} arrives; returns it. */
  JsonObject await(String what, Predicate<JsonObject> which) {
    return Poll.until(
        java.time.Duration.ofSeconds(60),
        "a " + what + " event",
        () -> answers().stream().filter(which).findFirst());
  }

  @Override
  public void close() {
    redis.close();
  }
}
