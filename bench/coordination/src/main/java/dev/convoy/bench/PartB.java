package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.DB_PREFIX;
import static dev.convoy.bench.CoordinationBench.KEY;
import static dev.convoy.bench.CoordinationBench.TARGET_LAG_MS;
import static dev.convoy.bench.CoordinationBench.TOKEN;
import static dev.convoy.bench.CoordinationBench.log;
import static dev.convoy.bench.CoordinationBench.sleep;
import static dev.convoy.bench.CpuMeter.cpu;
import static dev.convoy.bench.CpuMeter.cpuUse;
import static dev.convoy.bench.Daemons.aliveAgents;
import static dev.convoy.bench.Daemons.closeAll;
import static dev.convoy.bench.Stats.percentile;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.bench.CpuMeter.CpuMark;
import dev.convoy.bench.CpuMeter.CpuUse;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.rollout.Keys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part B: a coordinator with one environment per agent and that many in-process agents
 * heartbeating at once; the heartbeat lag as the coordinator's metric and an independent reader of
 * the events stream see it, and how many agents the coordinator sees alive. With {@code withDb}
 * false (B'), the agents' database is unreachable, so heartbeats open no PostgreSQL connection.
 */
final class PartB {
  final Options opt;
  final Resources res;
  final boolean withDb;
  final String namespace;
  final List<String> envs = new ArrayList<>();
  final List<Double> observerLag = new ArrayList<>();
  final List<Double> toRedis = new ArrayList<>();
  final List<Double> fromRedis = new ArrayList<>();
  Map<String, Double> before = Map.of();
  Map<String, Double> after = Map.of();
  CpuUse cpu;
  int attempts;
  int aliveMin = Integer.MAX_VALUE;
  int aliveEnd;
  double startupS;
  double windowS;
  String error;
  volatile boolean observing;
  volatile boolean stopObserver;

  PartB(Options opt, Resources res, boolean withDb) {
    this.opt = opt;
    this.res = res;
    this.withDb = withDb;
    this.namespace = opt.namespacePrefix + (withDb ? "-b" : "-b0");
  }

  void run() throws Exception {
    for (int i = 1; i <= opt.agents; i++) {
      envs.add(String.format("e%02d", i));
    }
    // A fresh control database (the events cursor of part A must not carry over).
    res.recreate(DB_PREFIX + "control");
    if (!res.createdDbs.contains(DB_PREFIX + "dev")) {
      res.recreate(DB_PREFIX + "dev");
    }
    Vertx coordVertx = Vertx.vertx();
    Vertx agentVertx = Vertx.vertx();
    Vertx observerVertx = Vertx.vertx();
    Coordinator coordinator = null;
    List<AgentDaemon> list = new ArrayList<>();
    Redis observer = res.redis(observerVertx);
    Thread reader = null;
    HttpClient http = HttpClient.newHttpClient();
    try {
      log(
          (withDb ? "part B" : "part B' (agents' database unreachable)")
              + ": coordinator with "
              + opt.agents
              + " environments, one agent each (heartbeat "
              + opt.heartbeatMs
              + " ms), namespace "
              + namespace);
      coordinator =
          new Coordinator(
                  coordVertx,
                  new Coordinator.Config(
                      "bench-coordinator-b",
                      res.url(DB_PREFIX + "control"),
                      envs,
                      opt.redisUrl,
                      namespace,
                      0,
                      res.dir,
                      TOKEN,
                      KEY,
                      Duration.ofSeconds(5),
                      Duration.ofMillis(opt.tickMs)))
              .start();
      long t0 = System.nanoTime();
      for (String e : envs) {
        list.add(Daemons.startAgent(agentVertx, opt, res, namespace, e, withDb ? res.url(DB_PREFIX + "dev") : "postgresql://" + opt.pgUser + "@127.0.0.1:1/unreachable"));
      }
      long until = System.currentTimeMillis() + 60_000;
      while (!(coordinator.leader() && aliveAgents(coordinator) >= opt.agents)) {
        if (System.currentTimeMillis() > until) {
          throw new IllegalStateException(
              "only "
                  + aliveAgents(coordinator)
                  + " of "
                  + opt.agents
                  + " agents seen alive after 60 s");
        }
        sleep(50);
      }
      startupS = (System.nanoTime() - t0) / 1e9;
      log(
          String.format(
              Locale.ROOT,
              "all %d agents alive after %.1f s; measuring for %d s",
              opt.agents,
              startupS,
              opt.seconds));
      String metricsUrl = "http://127.0.0.1:" + coordinator.httpPort() + "/metrics";
      String key = new Keys(namespace).events();
      reader = new Thread(() -> observe(observer, key), "bench-observer");
      reader.setDaemon(true);
      reader.start();
      while (!observing) {
        sleep(5);
      }
      before = lagMetrics(http, metricsUrl);
      CpuMark cpu0 = cpu();
      long w0 = System.nanoTime();
      long end = w0 + TimeUnit.SECONDS.toNanos(opt.seconds);
      while (System.nanoTime() < end) {
        sleep(Math.min(1000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        aliveMin = Math.min(aliveMin, aliveAgents(coordinator));
      }
      after = lagMetrics(http, metricsUrl);
      windowS = (System.nanoTime() - w0) / 1e9;
      cpu = cpuUse(cpu0, cpu(), windowS);
      aliveEnd = aliveAgents(coordinator);
    } catch (RuntimeException e) {
      error = String.valueOf(e.getMessage());
      log("part B failed: " + error);
    } finally {
      stopObserver = true;
      if (reader != null) {
        reader.join(3000);
      }
      closeAll(list, coordinator);
      observer.close();
      res.deleteKeys(namespace, envs);
      agentVertx.close().await();
      coordVertx.close().await();
      observerVertx.close().await();
    }
  }

  /** Reads the events stream from now on; per heartbeat: agent clock -> arrival here. */
  void observe(Redis redis, String key) {
    String cursor = "$";
    observing = true;
    while (!stopObserver) {
      try {
        Response r =
            redis
                .send(
                    Request.cmd(Command.XREAD)
                        .arg("COUNT")
                        .arg(1000)
                        .arg("BLOCK")
                        .arg(200)
                        .arg("STREAMS")
                        .arg(key)
                        .arg(cursor))
                .await();
        long now = System.currentTimeMillis();
        if (r == null || r.size() == 0) {
          continue;
        }
        for (Response entry : r.get(0).get(1)) {
          String id = entry.get(0).toString();
          cursor = id;
          Response fields = entry.get(1);
          for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
            if (!"e".equals(fields.get(i).toString())) {
              continue;
            }
            JsonObject ev = new JsonObject(fields.get(i + 1).toString());
            if (!"heartbeat".equals(ev.getString("type"))) {
              continue;
            }
            long sent = ev.getLong("sentAt", 0L);
            long redisMs = Long.parseLong(id.substring(0, id.indexOf('-')));
            synchronized (this) {
              observerLag.add((double) (now - sent));
              toRedis.add((double) (redisMs - sent));
              fromRedis.add((double) (now - redisMs));
            }
          }
        }
      } catch (RuntimeException e) {
        if (!stopObserver) {
          log("observer: " + e.getMessage());
          sleep(100);
        }
      }
    }
  }

  /** convoy_event_lag_seconds{type="heartbeat"}: quantiles, max, count and sum, in seconds. */
  Map<String, Double> lagMetrics(HttpClient http, String url) {
    Map<String, Double> out = new LinkedHashMap<>();
    try {
      String text =
          http.send(
                  HttpRequest.newBuilder(URI.create(url)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Pattern line =
          Pattern.compile("^(convoy_event_lag_seconds(?:_max|_count|_sum)?)\\{([^}]*)\\}\\s+(\\S+)");
      for (String l : text.split("\n")) {
        Matcher m = line.matcher(l);
        if (!m.find() || !m.group(2).contains("type=\"heartbeat\"")) {
          continue;
        }
        Matcher q = Pattern.compile("quantile=\"([^\"]+)\"").matcher(m.group(2));
        String name = m.group(1) + (q.find() ? "{" + q.group(1) + "}" : "");
        out.put(name, Double.parseDouble(m.group(3)));
      }
    } catch (Exception e) {
      log("could not read " + url + ": " + e.getMessage());
    }
    return out;
  }

  boolean hasMetric() {
    return after.containsKey("convoy_event_lag_seconds{0.99}");
  }

  double metricMs(String name) {
    Double v = after.get(name);
    return v == null ? Double.NaN : v * 1000;
  }

  /** Mean lag over the measuring window, from the growth of _sum and _count. */
  double windowMeanMs() {
    Double c0 = before.get("convoy_event_lag_seconds_count");
    Double s0 = before.get("convoy_event_lag_seconds_sum");
    Double c1 = after.get("convoy_event_lag_seconds_count");
    Double s1 = after.get("convoy_event_lag_seconds_sum");
    if (c1 == null || s1 == null) {
      return Double.NaN;
    }
    double dc = c1 - (c0 == null ? 0 : c0);
    return dc <= 0 ? Double.NaN : (s1 - (s0 == null ? 0 : s0)) / dc * 1000;
  }

  double windowCount() {
    Double c0 = before.get("convoy_event_lag_seconds_count");
    Double c1 = after.get("convoy_event_lag_seconds_count");
    return c1 == null ? Double.NaN : c1 - (c0 == null ? 0 : c0);
  }

  /** The verdict's p99: the coordinator's own metric, else the observer's. */
  double p99() {
    return hasMetric() ? metricMs("convoy_event_lag_seconds{0.99}") : percentile(observerLag, 0.99);
  }

  boolean met() {
    return error == null
        && aliveMin >= opt.agents
        && aliveEnd >= opt.agents
        && p99() <= TARGET_LAG_MS;
  }
}
