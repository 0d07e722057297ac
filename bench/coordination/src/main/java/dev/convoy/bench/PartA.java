package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.DB_PREFIX;
import static dev.convoy.bench.CoordinationBench.ENVS;
import static dev.convoy.bench.CoordinationBench.KEY;
import static dev.convoy.bench.CoordinationBench.TARGET_OVERHEAD_MS;
import static dev.convoy.bench.CoordinationBench.TOKEN;
import static dev.convoy.bench.CoordinationBench.log;
import static dev.convoy.bench.CoordinationBench.sleep;
import static dev.convoy.bench.CpuMeter.cpu;
import static dev.convoy.bench.CpuMeter.cpuUse;
import static dev.convoy.bench.Daemons.aliveAgents;
import static dev.convoy.bench.Daemons.closeAll;
import static dev.convoy.bench.Stats.f1;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.bench.CpuMeter.CpuMark;
import dev.convoy.bench.CpuMeter.CpuUse;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.rollout.Keys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Part A: a trivial migration rolled through dev, staging and prod with auto gates, a chain of
 * revisions one rollout each; per stage, the wall time, SQL/apply and where the rest (the
 * coordination overhead) goes, from the control database's timestamps and the Redis streams.
 */
final class PartA {
  final Options opt;
  final Resources res;
  final List<RolloutTiming> rollouts = new ArrayList<>();
  final String namespace;
  CpuUse cpu;
  int attempts;
  Redis probe;
  String error;

  PartA(Options opt, Resources res) {
    this.opt = opt;
    this.res = res;
    this.namespace = opt.namespacePrefix + "-a";
  }

  void run() throws Exception {
    for (String e : ENVS) {
      res.recreate(DB_PREFIX + e);
    }
    res.recreate(DB_PREFIX + "control");
    Vertx coordVertx = Vertx.vertx();
    Vertx agentVertx = Vertx.vertx();
    Pool control = res.pool(DB_PREFIX + "control", 1);
    Coordinator coordinator = null;
    List<AgentDaemon> list = new ArrayList<>();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    probe = res.redis(res.admin);
    CpuMark cpu0 = cpu();
    long n0 = System.nanoTime();
    try {
      log("part A: coordinator (tick " + opt.tickMs + " ms) and 3 agents, namespace " + namespace);
      coordinator =
          new Coordinator(
                  coordVertx,
                  new Coordinator.Config(
                      "bench-coordinator",
                      res.url(DB_PREFIX + "control"),
                      ENVS,
                      opt.redisUrl,
                      namespace,
                      0,
                      res.dir,
                      TOKEN,
                      KEY,
                      Duration.ofSeconds(5),
                      Duration.ofMillis(opt.tickMs)))
              .start();
      for (String e : ENVS) {
        list.add(Daemons.startAgent(agentVertx, opt, res, namespace, e, res.url(DB_PREFIX + e)));
      }
      long until = System.currentTimeMillis() + 30_000;
      while (!(coordinator.leader() && aliveAgents(coordinator) >= ENVS.size())) {
        if (System.currentTimeMillis() > until) {
          throw new IllegalStateException(
              "the coordinator did not become leader and see 3 agents alive within 30 s");
        }
        sleep(50);
      }
      String api = "http://127.0.0.1:" + coordinator.httpPort();
      int total = opt.warmups + opt.repeats;
      for (int i = 0; i < total; i++) {
        boolean warm = i < opt.warmups;
        String target = String.format("coord%04d", i);
        RolloutTiming t = rollout(http, api, control, i, warm, target);
        rollouts.add(t);
        log(
            String.format(
                Locale.ROOT,
                "rollout %d%s to %s: %s, end-to-end %.1f ms, overhead per stage %s ms",
                i,
                warm ? " (warm-up)" : "",
                target,
                t.state(),
                t.endToEndMs(),
                t.stages().stream()
                    .map(s -> s.env() + " " + f1(s.overheadMs()))
                    .collect(Collectors.joining(", "))));
        if (!t.state().equals("succeeded")) {
          error = "rollout " + t.id() + " to " + target + " ended " + t.state();
          break;
        }
        // A pause with a random part of up to two ticks: the next POST falls at a random point of
        // the coordinator's tick, as a person's or a CI job's would. (A fixed pause locks onto the
        // tick: the rollout just ended on a tick, and 300 ms is about three of them.)
        sleep(300 + java.util.concurrent.ThreadLocalRandom.current().nextInt(2 * opt.tickMs));
      }
    } catch (RuntimeException e) {
      error = String.valueOf(e.getMessage());
      log("part A failed: " + error);
    } finally {
      cpu = cpuUse(cpu0, cpu(), (System.nanoTime() - n0) / 1e9);
      closeAll(list, coordinator);
      probe.close();
      control.close().await();
      res.deleteKeys(namespace, ENVS);
      agentVertx.close().await();
      coordVertx.close().await();
    }
  }

  RolloutTiming rollout(
      HttpClient http, String api, Pool control, int index, boolean warm, String target)
      throws Exception {
    JsonObject gates = new JsonObject();
    ENVS.forEach(e -> gates.put(e, "auto"));
    String body =
        new JsonObject()
            .put("target", target)
            .put("strategy", "per-environment")
            .put("gates", gates)
            .encode();
    HttpRequest post =
        HttpRequest.newBuilder(URI.create(api + "/api/rollouts"))
            .header("Authorization", "Bearer " + TOKEN)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    Instant postAt = Instant.now();
    long t0 = System.nanoTime();
    HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException(
          "POST /api/rollouts answered " + r.statusCode() + ": " + r.body());
    }
    String id = new JsonObject(r.body()).getString("id");
    HttpRequest get = HttpRequest.newBuilder(URI.create(api + "/api/rollouts/" + id)).build();
    String state;
    long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      HttpResponse<String> g = http.send(get, HttpResponse.BodyHandlers.ofString());
      state = new JsonObject(g.body()).getString("state");
      if (List.of("succeeded", "failed", "rolled_back").contains(state)) {
        break;
      }
      if (System.nanoTime() > deadline) {
        state = "timed out (" + state + ")";
        break;
      }
      sleep(opt.pollMs);
    }
    double e2e = (System.nanoTime() - t0) / 1e6;
    List<JsonObject> events = streams().events(postAt.toEpochMilli() - 1000);
    // The control database's own timestamps, to the microsecond.
    List<StageTiming> stages = new ArrayList<>();
    long prev = micros(postAt);
    for (Row s :
        control
            .query(
                "SELECT env, state, (extract(epoch FROM sent_at) * 1000000)::bigint,"
                    + " (extract(epoch FROM finished_at) * 1000000)::bigint, seconds, seq"
                    + " FROM convoy_control.steps WHERE rollout_id = '"
                    + id
                    + "' ORDER BY seq")
            .execute()
            .await()) {
      Long sent = s.getLong(2);
      Long fin = s.getLong(3);
      Double sec = s.getDouble(4);
      if (sent == null || fin == null || sec == null) {
        double nan = Double.NaN;
        stages.add(
            new StageTiming(
                s.getString(0), s.getString(1), nan, nan, nan, nan, nan, nan, nan, nan));
        continue;
      }
      double wall = (fin - prev) / 1000.0;
      double sql = sec * 1000;
      double gate = (sent - prev) / 1000.0;
      double agent = (fin - sent) / 1000.0 - sql;
      // The path between sent_at and finished_at, from the Redis streams (millisecond clocks):
      // the command entry's id, then the agent's accepted and succeeded events.
      int seq = s.getInteger(5);
      Long cmdMs = streams().commandEntryMs(s.getString(0), id, seq);
      Long acc = Streams.eventSentAt(events, id, seq, "accepted");
      Long suc = Streams.eventSentAt(events, id, seq, "succeeded");
      double send = cmdMs == null ? Double.NaN : cmdMs - sent / 1000.0;
      double pickup = cmdMs == null || acc == null ? Double.NaN : acc - cmdMs;
      double extra = acc == null || suc == null ? Double.NaN : suc - acc - sql;
      double report = suc == null ? Double.NaN : fin / 1000.0 - suc;
      stages.add(
          new StageTiming(
              s.getString(0),
              s.getString(1),
              wall,
              sql,
              gate,
              agent,
              send,
              pickup,
              extra,
              report));
      prev = fin;
    }
    Row ro =
        control
            .query(
                "SELECT (extract(epoch FROM updated_at) * 1000000)::bigint,"
                    + " (extract(epoch FROM created_at) * 1000000)::bigint FROM"
                    + " convoy_control.rollouts WHERE id = '"
                    + id
                    + "'")
            .execute()
            .await()
            .iterator()
            .next();
    double finish = (ro.getLong(0) - prev) / 1000.0;
    double stored = (ro.getLong(1) - micros(postAt)) / 1000.0;
    return new RolloutTiming(index, warm, target, id, state, e2e, stored, finish, stages);
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  private Streams streams() {
    return new Streams(probe, new Keys(namespace));
  }

  List<RolloutTiming> timed() {
    return rollouts.stream().filter(r -> !r.warmup()).toList();
  }

  List<Double> col(String env, java.util.function.ToDoubleFunction<StageTiming> f) {
    List<Double> out = new ArrayList<>();
    for (RolloutTiming r : timed()) {
      for (StageTiming s : r.stages()) {
        if (s.env().equals(env)) {
          out.add(f.applyAsDouble(s));
        }
      }
    }
    return out;
  }

  boolean met() {
    if (error != null || timed().size() < opt.repeats) {
      return false;
    }
    for (String e : ENVS) {
      List<Double> o = col(e, StageTiming::overheadMs);
      if (o.size() < opt.repeats
          || o.stream().anyMatch(x -> x.isNaN() || x > TARGET_OVERHEAD_MS)) {
        return false;
      }
    }
    return true;
  }
}
