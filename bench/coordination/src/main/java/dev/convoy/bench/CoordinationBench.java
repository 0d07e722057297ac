package dev.convoy.bench;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.rollout.Keys;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Coordination benchmark (issue 4): one coordinator and its agents in this JVM, on the real
 * PostgreSQL and Redis, each component with its own Redis connections and database pools.
 *
 * <p><b>Part A (stages).</b> A trivial migration (one {@code create_table}) rolled through dev,
 * staging and prod, strategy per-environment, auto gates. Per stage, from the control database's
 * timestamps: stage wall = this step's {@code finished_at} minus the previous step's (the POST for
 * the first stage); SQL/apply = the step's {@code seconds} (measured by the agent around the
 * engine's apply); coordination overhead = stage wall − SQL/apply. Repeated over a chain of trivial
 * revisions (coord0001..coord000R, each rollout to the next), after one untimed warm-up rollout
 * (coord0000).
 *
 * <p><b>Part B (many agents).</b> A coordinator with N environments e01..eNN and one agent each
 * (its own Redis client), heartbeat every second, for S seconds once every agent is seen alive.
 * Heartbeat lag as the coordinator measures it ({@code convoy_event_lag_seconds{type="heartbeat"}}
 * on its /metrics), and as an independent reader of the events stream in this JVM sees it.
 */
public final class CoordinationBench {
  static final List<String> ENVS = List.of("dev", "staging", "prod");
  static final String TOKEN = "bench-token-" + UUID.randomUUID();
  static final String KEY = "bench-signing-key-" + UUID.randomUUID();
  static final double TARGET_OVERHEAD_MS = 100;
  static final double TARGET_LAG_MS = 50;
  static final String DB_PREFIX = "bench_coord_";

  // ------------------------------------------------------------------ options
  int repeats = 5;
  int warmups = 3;
  int agents = 50;
  int seconds = 20;
  int pollMs = 10;
  int tickMs = 100;
  int heartbeatMs = 1000;
  String parts = "AB";
  int busyLimit = 10;
  int busyRetries = 2;
  String pgHost = env("PGHOST", "127.0.0.1");
  int pgPort = Integer.parseInt(env("PGPORT", "5432"));
  String pgUser = env("PGUSER", "postgres");
  String redisUrl = env("CONVOY_REDIS_URL", "redis://127.0.0.1:6379");
  String namespacePrefix = "bench-coord-" + ProcessHandle.current().pid();
  String commandLine = "bash bench/coordination.sh";
  String convoyBuild;
  Path results;

  // ------------------------------------------------------------------ state
  final List<String> createdDbs = new ArrayList<>();
  Vertx admin;
  Pool adminPool;
  Path dir;
  PartA partA;
  PartB partB;
  PartB partBNoDb;
  boolean noDbVariant = true;

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // Convoy logs every step at INFO; the benchmark's own output is on stdout.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    CoordinationBench b = new CoordinationBench();
    b.parse(args);
    int rc;
    try {
      rc = b.run();
    } finally {
      b.cleanup();
    }
    System.exit(rc);
  }

  void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.println(
            "java -jar coordination.jar [--repeats 5] [--warmups 1] [--agents 50] [--seconds 20]"
                + " [--poll-ms 10] [--tick-ms 100] [--heartbeat-ms 1000] [--parts AB]"
                + " [--busy-limit 10] [--busy-retries 2] [--no-db-variant true]"
                + " [--redis redis://127.0.0.1:6379] [--namespace-prefix P] [--results FILE]"
                + " [--command TEXT]\nPostgreSQL from PGHOST/PGPORT/PGUSER (trust auth).");
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--repeats" -> repeats = positive(a, v);
        case "--warmups" -> warmups = Integer.parseInt(v);
        case "--agents" -> agents = positive(a, v);
        case "--seconds" -> seconds = positive(a, v);
        case "--poll-ms" -> pollMs = positive(a, v);
        case "--tick-ms" -> tickMs = positive(a, v);
        case "--heartbeat-ms" -> heartbeatMs = positive(a, v);
        case "--parts" -> parts = v.toUpperCase(Locale.ROOT);
        case "--busy-limit" -> busyLimit = Integer.parseInt(v);
        case "--busy-retries" -> busyRetries = Integer.parseInt(v);
        case "--no-db-variant" -> noDbVariant = Boolean.parseBoolean(v);
        case "--redis" -> redisUrl = v;
        case "--namespace-prefix" -> namespacePrefix = v;
        case "--results" -> results = Path.of(v);
        case "--command" -> commandLine = v;
        case "--convoy-build" -> convoyBuild = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (agents > 99) {
      throw new IllegalArgumentException("--agents must be at most 99 (environments e01..e99)");
    }
  }

  private static int positive(String name, String v) {
    int n = Integer.parseInt(v);
    if (n <= 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return n;
  }

  static void log(String s) {
    System.err.println("coordination: " + s);
  }

  int run() throws Exception {
    admin = Vertx.vertx();
    adminPool = pool("postgres", 2);
    dir = Files.createTempDirectory("convoy-coord-bench");
    writeMigrations(dir, warmups + repeats);
    // A part during which other processes used more than busyLimit % of the machine is run again
    // (the work of another build or test suite on a 2-core box shows up as coordination latency).
    if (parts.contains("A")) {
      for (int attempt = 1; ; attempt++) {
        partA = new PartA();
        partA.attempts = attempt;
        partA.run();
        if (!busy(partA.cpu, "part A") || attempt > busyRetries) {
          break;
        }
      }
    }
    if (parts.contains("B")) {
      for (int attempt = 1; ; attempt++) {
        partB = new PartB(true);
        partB.attempts = attempt;
        partB.run();
        if (!busy(partB.cpu, "part B") || attempt > busyRetries) {
          break;
        }
      }
      if (noDbVariant) {
        for (int attempt = 1; ; attempt++) {
          partBNoDb = new PartB(false);
          partBNoDb.attempts = attempt;
          partBNoDb.run();
          if (!busy(partBNoDb.cpu, "part B'") || attempt > busyRetries) {
            break;
          }
        }
      }
    }
    return report();
  }

  boolean busy(CpuUse use, String what) {
    if (use == null || !(use.foreignPct() > busyLimit)) {
      return false;
    }
    log(
        String.format(
            Locale.ROOT,
            "%s: other processes used %.0f%% of the machine (limit %d%%)%s",
            what,
            use.foreignPct(),
            busyLimit,
            busyRetries > 0 ? "; running it again" : ""));
    sleep(10_000);
    return true;
  }

  // ------------------------------------------------------------------ helpers: databases, files

  Pool pool(String database, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(
            new PgConnectOptions()
                .setHost(pgHost)
                .setPort(pgPort)
                .setUser(pgUser)
                .setDatabase(database)
                .addProperty("application_name", "convoy coordination bench"))
        .using(admin)
        .build();
  }

  String url(String database) {
    return "postgresql://" + pgUser + "@" + pgHost + ":" + pgPort + "/" + database;
  }

  void recreate(String database) {
    adminPool.query("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").execute().await();
    adminPool.query("CREATE DATABASE " + database).execute().await();
    if (!createdDbs.contains(database)) {
      createdDbs.add(database);
    }
  }

  /** A chain of trivial revisions coord0000 -> coord0001 -> ..., each creating one table. */
  static void writeMigrations(Path dir, int count) throws IOException {
    Path versions = Files.createDirectories(dir.resolve("versions"));
    for (int i = 0; i < count; i++) {
      String rev = String.format("coord%04d", i);
      String down = i == 0 ? "null" : String.format("coord%04d", i - 1);
      Files.writeString(
          versions.resolve(rev + "_trivial.yaml"),
          "revision: "
              + rev
              + "\ndown_revision: "
              + down
              + "\nmessage: trivial "
              + i
              + "\noperations:\n  - op: create_table\n    table: bench_t"
              + i
              + "\n    columns:\n      - {name: id, type: int, primary_key: true}\n");
    }
  }

  String serverVersion() {
    try {
      return adminPool.query("SHOW server_version").execute().await().iterator().next().getString(0);
    } catch (RuntimeException e) {
      return "?";
    }
  }

  String redisVersion() {
    Redis r = redis(admin);
    try {
      String info = r.send(Request.cmd(Command.INFO).arg("server")).await().toString();
      Matcher m = Pattern.compile("redis_version:(\\S+)").matcher(info);
      return m.find() ? m.group(1) : "?";
    } catch (RuntimeException e) {
      return "?";
    } finally {
      r.close();
    }
  }

  Redis redis(Vertx vertx) {
    return Redis.createClient(
        vertx,
        new RedisOptions()
            .setConnectionString(redisUrl)
            .setPreferredProtocolVersion(ProtocolVersion.RESP2)
            .setMaxPoolSize(2)
            .setMaxPoolWaiting(64));
  }

  /** Deletes every key of one namespace ({@code convoy:<namespace>:*}). */
  void deleteKeys(String namespace, List<String> envs) {
    Redis r = redis(admin);
    try {
      // The keys Convoy names today, then whatever else the namespace holds (SCAN), so that a
      // key added by a later Convoy version does not stay behind.
      Keys keys = new Keys(namespace);
      Request del = Request.cmd(Command.DEL).arg(keys.leader()).arg(keys.events());
      envs.forEach(e -> del.arg(keys.commands(e)));
      r.send(del).await();
      String cursor = "0";
      do {
        Response page =
            r.send(
                    Request.cmd(Command.SCAN)
                        .arg(cursor)
                        .arg("MATCH")
                        .arg("convoy:" + namespace + ":*")
                        .arg("COUNT")
                        .arg(1000))
                .await();
        cursor = page.get(0).toString();
        if (page.get(1).size() > 0) {
          Request more = Request.cmd(Command.DEL);
          page.get(1).forEach(k -> more.arg(k.toString()));
          r.send(more).await();
        }
      } while (!cursor.equals("0"));
    } catch (RuntimeException e) {
      log("could not delete the Redis keys of namespace " + namespace + ": " + e.getMessage());
    } finally {
      r.close();
    }
  }

  void cleanup() {
    if (admin == null) {
      return;
    }
    for (String db : createdDbs) {
      try {
        adminPool.query("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)").execute().await();
      } catch (RuntimeException e) {
        log("could not drop " + db + ": " + e.getMessage());
      }
    }
    try {
      if (dir != null) {
        try (var s = Files.walk(dir)) {
          s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      // A temp folder left behind.
    }
    adminPool.close().await();
    admin.close().await();
  }

  /**
   * A CPU snapshot: machine-wide busy seconds (all cores, /proc/stat), this JVM's CPU seconds, and
   * per process that is not this benchmark's (not this JVM, not Redis, not PostgreSQL except
   * backends of other databases) its CPU ticks, its reaped children's included.
   */
  record CpuMark(double machine, double self, Map<Integer, Long> others) {}

  private static final Pattern BACKEND =
      Pattern.compile("^postgres: [^:]+: \\S+ (\\S+) \\S+\\(\\d+\\)");

  static CpuMark cpu() {
    double machine = Double.NaN;
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // guest time is already in user
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      machine = busy / 100.0;
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    double self = Double.NaN;
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      self = os.getProcessCpuTime() / 1e9;
    }
    Map<Integer, Long> others = new java.util.HashMap<>();
    long me = ProcessHandle.current().pid();
    java.io.File[] procs = new java.io.File("/proc").listFiles();
    for (java.io.File d : procs == null ? new java.io.File[0] : procs) {
      if (!d.getName().matches("\\d+") || Long.parseLong(d.getName()) == me) {
        continue;
      }
      try {
        String stat = Files.readString(d.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        if (comm.startsWith("redis-server")) {
          continue;
        }
        if (comm.equals("postgres")) {
          // A backend of another database (a test suite's) is someone else's work; this run's
          // backends, the server's own processes and backends that exit meanwhile are not counted.
          String title = Files.readString(d.toPath().resolve("cmdline")).replace('\0', ' ');
          Matcher m = BACKEND.matcher(title);
          if (m.find() && !m.group(1).startsWith(DB_PREFIX) && !m.group(1).equals("postgres")) {
            others.put(Integer.parseInt(d.getName()), own);
          }
          continue;
        }
        // Children's time too: a test JVM that ends during the interval shows in its parent's.
        others.put(Integer.parseInt(d.getName()), own + children);
      } catch (IOException | RuntimeException e) {
        // Gone meanwhile.
      }
    }
    return new CpuMark(machine, self, others);
  }

  /** CPU use over an interval, in percent of all cores. */
  record CpuUse(double wallS, double machinePct, double selfPct, double foreignPct) {
    String line(String what) {
      return String.format(
          Locale.ROOT,
          "CPU over %s (%.0f s), in %% of all %d cores: machine %.0f%%, this JVM %.0f%%, other"
              + " processes (not this JVM, Redis or this run's PostgreSQL) %.0f%%",
          what,
          wallS,
          Runtime.getRuntime().availableProcessors(),
          machinePct,
          selfPct,
          foreignPct);
    }
  }

  static CpuUse cpuUse(CpuMark a, CpuMark b, double wallS) {
    double cap = wallS * Runtime.getRuntime().availableProcessors() / 100;
    long foreign = 0;
    for (var e : b.others().entrySet()) {
      foreign += Math.max(0, e.getValue() - a.others().getOrDefault(e.getKey(), 0L));
    }
    return new CpuUse(
        wallS, (b.machine() - a.machine()) / cap, (b.self() - a.self()) / cap, foreign / 100.0 / cap);
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  static int aliveAgents(Coordinator c) {
    int n = 0;
    for (Object o : c.environmentsView()) {
      for (Object a : ((JsonObject) o).getJsonArray("agents")) {
        if (((JsonObject) a).getBoolean("alive", false)) {
          n++;
        }
      }
    }
    return n;
  }

  /** Closes many agents at once (each waits for its threads), then the coordinator. */
  static void closeAll(List<AgentDaemon> list, Coordinator c) {
    // Agents stopped mid-heartbeat log "could not publish heartbeat event" (the Redis call is
    // interrupted); bench/coordination.sh counts those lines after this marker instead of showing them.
    log("stopping " + list.size() + " agent(s) and the coordinator");
    ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, Math.min(16, list.size())));
    list.forEach(a -> ex.execute(a::close));
    ex.shutdown();
    try {
      ex.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (c != null) {
      c.close();
    }
  }

  static double median(List<Double> xs) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static double max(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** Nearest-rank percentile. */
  static double percentile(List<Double> xs, double p) {
    if (xs.isEmpty()) {
      return Double.NaN;
    }
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    int rank = (int) Math.ceil(p * s.size());
    return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
  }

  static String f1(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String f3(double v) {
    return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
  }

  // ------------------------------------------------------------------ part A

  /** One stage of one rollout, in milliseconds. */
  record StageTiming(
      String env,
      String state,
      double wallMs,
      double sqlMs,
      double gateMs,
      double agentMs,
      double sendMs,
      double pickupMs,
      double extraMs,
      double reportMs) {
    double overheadMs() {
      return wallMs - sqlMs;
    }
  }

  /** One rollout: its stages, and its ends as the harness and the control database saw them. */
  record RolloutTiming(
      int index,
      boolean warmup,
      String target,
      String id,
      String state,
      double endToEndMs,
      double postMs,
      double finishMs,
      List<StageTiming> stages) {}

  final class PartA {
    final List<RolloutTiming> rollouts = new ArrayList<>();
    final String namespace = namespacePrefix + "-a";
    CpuUse cpu;
    int attempts;
    Redis probe;
    String error;

    void run() throws Exception {
      for (String e : ENVS) {
        recreate(DB_PREFIX + e);
      }
      recreate(DB_PREFIX + "control");
      Vertx coordVertx = Vertx.vertx();
      Vertx agentVertx = Vertx.vertx();
      Pool control = pool(DB_PREFIX + "control", 1);
      Coordinator coordinator = null;
      List<AgentDaemon> list = new ArrayList<>();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      probe = redis(admin);
      CpuMark cpu0 = cpu();
      long n0 = System.nanoTime();
      try {
        log("part A: coordinator (tick " + tickMs + " ms) and 3 agents, namespace " + namespace);
        coordinator =
            new Coordinator(
                    coordVertx,
                    new Coordinator.Config(
                        "bench-coordinator",
                        url(DB_PREFIX + "control"),
                        ENVS,
                        redisUrl,
                        namespace,
                        0,
                        dir,
                        TOKEN,
                        KEY,
                        Duration.ofSeconds(5),
                        Duration.ofMillis(tickMs)))
                .start();
        for (String e : ENVS) {
          list.add(
              new AgentDaemon(
                      agentVertx,
                      new AgentDaemon.Config(
                          e,
                          new DatabaseUrl(url(DB_PREFIX + e)),
                          redisUrl,
                          namespace,
                          dir,
                          KEY,
                          "agent-" + e,
                          -1,
                          "convoy",
                          Duration.ofMillis(heartbeatMs),
                          Duration.ofSeconds(15)))
                  .start());
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
        int total = warmups + repeats;
        for (int i = 0; i < total; i++) {
          boolean warm = i < warmups;
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
          sleep(300 + java.util.concurrent.ThreadLocalRandom.current().nextInt(2 * tickMs));
        }
      } catch (RuntimeException e) {
        error = String.valueOf(e.getMessage());
        log("part A failed: " + error);
      } finally {
        cpu = cpuUse(cpu0, cpu(), (System.nanoTime() - n0) / 1e9);
        closeAll(list, coordinator);
        probe.close();
        control.close().await();
        deleteKeys(namespace, ENVS);
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
        sleep(pollMs);
      }
      double e2e = (System.nanoTime() - t0) / 1e6;
      List<JsonObject> events = streamEvents(postAt.toEpochMilli() - 1000);
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
        Long cmdMs = commandEntryMs(s.getString(0), id, seq);
        Long acc = eventSentAt(events, id, seq, "accepted");
        Long suc = eventSentAt(events, id, seq, "succeeded");
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

    /** The events of the namespace's stream added since {@code fromMs}, as JSON. */
    List<JsonObject> streamEvents(long fromMs) {
      List<JsonObject> out = new ArrayList<>();
      try {
        Response r =
            probe
                .send(
                    Request.cmd(Command.XRANGE)
                        .arg(new Keys(namespace).events())
                        .arg(String.valueOf(fromMs))
                        .arg("+"))
                .await();
        for (Response entry : r) {
          Response fields = entry.get(1);
          for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
            if ("e".equals(fields.get(i).toString())) {
              out.add(new JsonObject(fields.get(i + 1).toString()));
            }
          }
        }
      } catch (RuntimeException e) {
        log("could not read the events stream: " + e.getMessage());
      }
      return out;
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

    /** The Redis time (ms) at which the command for (plan, step) entered env's stream. */
    Long commandEntryMs(String env, String plan, int step) {
      try {
        Response r =
            probe
                .send(
                    Request.cmd(Command.XRANGE)
                        .arg(new Keys(namespace).commands(env))
                        .arg("-")
                        .arg("+"))
                .await();
        Long first = null;
        for (Response entry : r) {
          Response fields = entry.get(1);
          for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
            if (!"e".equals(fields.get(i).toString())) {
              continue;
            }
            JsonObject c = new JsonObject(fields.get(i + 1).toString());
            if (plan.equals(c.getString("plan")) && c.getInteger("step", -1) == step) {
              String eid = entry.get(0).toString();
              long ms = Long.parseLong(eid.substring(0, eid.indexOf('-')));
              first = first == null ? ms : Math.min(first, ms);
            }
          }
        }
        return first;
      } catch (RuntimeException e) {
        log("could not read the command stream of " + env + ": " + e.getMessage());
        return null;
      }
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
      if (error != null || timed().size() < repeats) {
        return false;
      }
      for (String e : ENVS) {
        List<Double> o = col(e, StageTiming::overheadMs);
        if (o.size() < repeats || o.stream().anyMatch(x -> x.isNaN() || x > TARGET_OVERHEAD_MS)) {
          return false;
        }
      }
      return true;
    }
  }

  // ------------------------------------------------------------------ part B

  final class PartB {
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

    PartB(boolean withDb) {
      this.withDb = withDb;
      this.namespace = namespacePrefix + (withDb ? "-b" : "-b0");
    }

    void run() throws Exception {
      for (int i = 1; i <= agents; i++) {
        envs.add(String.format("e%02d", i));
      }
      // A fresh control database (the events cursor of part A must not carry over).
      recreate(DB_PREFIX + "control");
      if (!createdDbs.contains(DB_PREFIX + "dev")) {
        recreate(DB_PREFIX + "dev");
      }
      Vertx coordVertx = Vertx.vertx();
      Vertx agentVertx = Vertx.vertx();
      Vertx observerVertx = Vertx.vertx();
      Coordinator coordinator = null;
      List<AgentDaemon> list = new ArrayList<>();
      Redis observer = redis(observerVertx);
      Thread reader = null;
      HttpClient http = HttpClient.newHttpClient();
      try {
        log(
            (withDb ? "part B" : "part B' (agents' database unreachable)")
                + ": coordinator with "
                + agents
                + " environments, one agent each (heartbeat "
                + heartbeatMs
                + " ms), namespace "
                + namespace);
        coordinator =
            new Coordinator(
                    coordVertx,
                    new Coordinator.Config(
                        "bench-coordinator-b",
                        url(DB_PREFIX + "control"),
                        envs,
                        redisUrl,
                        namespace,
                        0,
                        dir,
                        TOKEN,
                        KEY,
                        Duration.ofSeconds(5),
                        Duration.ofMillis(tickMs)))
                .start();
        long t0 = System.nanoTime();
        for (String e : envs) {
          list.add(
              new AgentDaemon(
                      agentVertx,
                      new AgentDaemon.Config(
                          e,
                          new DatabaseUrl(
                              withDb
                                  ? url(DB_PREFIX + "dev")
                                  : "postgresql://" + pgUser + "@127.0.0.1:1/unreachable"),
                          redisUrl,
                          namespace,
                          dir,
                          KEY,
                          "agent-" + e,
                          -1,
                          "convoy",
                          Duration.ofMillis(heartbeatMs),
                          Duration.ofSeconds(15)))
                  .start());
        }
        long until = System.currentTimeMillis() + 60_000;
        while (!(coordinator.leader() && aliveAgents(coordinator) >= agents)) {
          if (System.currentTimeMillis() > until) {
            throw new IllegalStateException(
                "only "
                    + aliveAgents(coordinator)
                    + " of "
                    + agents
                    + " agents seen alive after 60 s");
          }
          sleep(50);
        }
        startupS = (System.nanoTime() - t0) / 1e9;
        log(
            String.format(
                Locale.ROOT,
                "all %d agents alive after %.1f s; measuring for %d s",
                agents,
                startupS,
                seconds));
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
        long end = w0 + TimeUnit.SECONDS.toNanos(seconds);
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
        deleteKeys(namespace, envs);
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
      return error == null && aliveMin >= agents && aliveEnd >= agents && p99() <= TARGET_LAG_MS;
    }
  }

  // ------------------------------------------------------------------ report

  /** Part B's section of the terminal table and the markdown. */
  void reportB(PartB b, StringBuilder out, StringBuilder md) {
    double op50;
    double op99;
    double omax;
    double tr50;
    double fr50;
    double tr99;
    double fr99;
    int n;
    synchronized (b) {
      op50 = percentile(b.observerLag, 0.5);
      op99 = percentile(b.observerLag, 0.99);
      omax = max(b.observerLag);
      tr50 = percentile(b.toRedis, 0.5);
      tr99 = percentile(b.toRedis, 0.99);
      fr50 = percentile(b.fromRedis, 0.5);
      fr99 = percentile(b.fromRedis, 0.99);
      n = b.observerLag.size();
    }
    String alive =
        String.format(
            Locale.ROOT,
            "Agents alive as the coordinator saw them: min %s, at the end %d of %d (all alive %.1f s"
                + " after the first agent started); window %.1f s",
            b.aliveMin == Integer.MAX_VALUE ? "n/a" : String.valueOf(b.aliveMin),
            b.aliveEnd,
            agents,
            b.startupS,
            b.windowS);
    out.append(b.withDb ? "\nB. " : "\nB'. ")
        .append(agents)
        .append(" agents at once (one environment each, own Redis client), heartbeat ")
        .append(heartbeatMs)
        .append(" ms")
        .append(
            b.withDb
                ? ", every agent on bench_coord_dev\n"
                : "; diagnostic, not the verdict: agents' database unreachable (no PostgreSQL"
                    + " connection per heartbeat)\n")
        .append(alive)
        .append("\n");
    String hb =
        String.format("%-44s | %8s | %8s | %8s | %8s", "heartbeat lag (ms)", "p50", "p99", "max", "n");
    out.append(hb).append("\n").append("-".repeat(hb.length())).append("\n");
    String coordRow;
    if (b.hasMetric()) {
      coordRow =
          String.format(
              "%-44s | %8s | %8s | %8s | %8s",
              "coordinator convoy_event_lag_seconds",
              f1(b.metricMs("convoy_event_lag_seconds{0.5}")),
              f1(b.metricMs("convoy_event_lag_seconds{0.99}")),
              f1(b.metricMs("convoy_event_lag_seconds_max")),
              f1(b.after.getOrDefault("convoy_event_lag_seconds_count", Double.NaN)).replace(".0", ""));
    } else {
      coordRow =
          String.format(
              "%-44s | %s",
              "coordinator convoy_event_lag_seconds",
              "not exported by this build of the coordinator");
    }
    out.append(coordRow).append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s | %8d",
                "observer in this JVM: agent -> read",
                f1(op50),
                f1(op99),
                f1(omax),
                n))
        .append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s |",
                "  of which agent clock -> Redis entry id", f1(tr50), f1(tr99), ""))
        .append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s |",
                "  of which Redis entry id -> read", f1(fr50), f1(fr99), ""))
        .append("\n");
    String cpuB = b.cpu == null ? "" : b.cpu.line("the measuring window") + "; attempts: " + b.attempts;
    out.append(cpuB).append("\n");
    if (b.hasMetric()) {
      out.append("coordinator mean lag over the window: ")
          .append(f1(b.windowMeanMs()))
          .append(" ms over ")
          .append(f1(b.windowCount()).replace(".0", ""))
          .append(" heartbeats\n");
    }
    md.append(b.withDb ? "\n## B. " : "\n## B'. ")
        .append(agents)
        .append(
            b.withDb
                ? " agents connected at once\n\n"
                : " agents, their database unreachable (diagnostic, not the verdict)\n\n")
        .append(
            b.withDb
                ? "Every agent's database is `bench_coord_dev`. "
                : "The same as B, but every agent's database URL points at a closed port, so each"
                    + " heartbeat reports empty heads at once instead of opening a PostgreSQL"
                    + " connection to read them. This separates the coordination path (Redis, the"
                    + " coordinator) from the agents' per-heartbeat database work, which on this"
                    + " one-machine setup lands one connection per agent per second on one"
                    + " PostgreSQL. ")
        .append("One coordinator with ")
        .append(agents)
        .append(" environments (e01..e")
        .append(String.format("%02d", agents))
        .append("), one in-process agent each, every agent with its own Redis client (its own")
        .append(" connections), heartbeat every ")
        .append(heartbeatMs)
        .append(" ms, measured for ")
        .append(seconds)
        .append(" s once every agent was seen alive. ")
        .append(alive)
        .append(".\n\n")
        .append("- coordinator: `convoy_event_lag_seconds{type=\"heartbeat\"}` from its `/metrics`")
        .append(" at the end (the agent's event timestamp to the coordinator reading it; Micrometer's")
        .append(" quantiles and max cover its last ~2 minutes, so agent start-up is included).\n")
        .append("- observer: a separate reader of the events stream in the same JVM (own Redis")
        .append(" connection), heartbeats of the measuring window only: agent clock → read, split at")
        .append(" the Redis entry id (Redis's clock when the entry was added). Same machine, one clock.\n\n");
    md.append("| heartbeat lag | p50 ms | p99 ms | max ms | heartbeats |\n");
    md.append("| --- | ---: | ---: | ---: | ---: |\n");
    if (b.hasMetric()) {
      md.append("| coordinator (`convoy_event_lag_seconds`) | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds{0.5}")))
          .append(" | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds{0.99}")))
          .append(" | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds_max")))
          .append(" | ")
          .append(f1(b.after.getOrDefault("convoy_event_lag_seconds_count", Double.NaN)).replace(".0", ""))
          .append(" |\n");
    } else {
      md.append("| coordinator (`convoy_event_lag_seconds`) | not exported by this build | | | |\n");
    }
    md.append("| observer: agent → read | ")
        .append(f1(op50))
        .append(" | ")
        .append(f1(op99))
        .append(" | ")
        .append(f1(omax))
        .append(" | ")
        .append(n)
        .append(" |\n");
    md.append("| observer: agent → Redis entry | ")
        .append(f1(tr50))
        .append(" | ")
        .append(f1(tr99))
        .append(" | | |\n");
    md.append("| observer: Redis entry → read | ")
        .append(f1(fr50))
        .append(" | ")
        .append(f1(fr99))
        .append(" | | |\n");
    md.append("\n").append(cpuB).append(".\n");
    if (b.hasMetric()) {
      md.append("\nCoordinator mean lag over the measuring window (growth of `_sum` / `_count`): ")
          .append(f1(b.windowMeanMs()))
          .append(" ms over ")
          .append(f1(b.windowCount()).replace(".0", ""))
          .append(" heartbeats.\n");
    } else {
      md.append("\nThe coordinator of this build does not export `convoy_event_lag_seconds`; the")
          .append(" verdict uses the observer's p99, which leaves out the coordinator's own")
          .append(" handling.\n");
    }
    if (b.error != null) {
      String which = b.withDb ? "Part B" : "Part B'";
      out.append(which).append(" error: ").append(b.error).append("\n");
      md.append("\n").append(which).append(" error: ").append(b.error).append("\n");
    }
  }


  int report() throws IOException {
    String javaVersion =
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")";
    String machine =
        Runtime.getRuntime().availableProcessors()
            + " cores, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
            + ", "
            + javaVersion
            + ", PostgreSQL "
            + serverVersion()
            + ", Redis "
            + redisVersion();
    String load = "?";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      // Not Linux.
    }
    StringBuilder md = new StringBuilder();
    StringBuilder out = new StringBuilder();
    md.append("# Coordination: overhead per stage and event lag\n\n");
    md.append("- date: ")
        .append(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC)))
        .append("\n- machine: ")
        .append(machine)
        .append("\n- command: `")
        .append(commandLine)
        .append("`\n- everything in one JVM: the coordinator, the agents and the benchmark's own")
        .append(" HTTP polling and stream reader share the machine's cores; each coordinator and")
        .append(" agent has its own Redis client (own connections) and database pools; 1-minute")
        .append(" load average at the end: ")
        .append(load)
        .append("\n");
    if (convoyBuild != null) {
      md.append("- Convoy build measured: ").append(convoyBuild).append("\n");
    }
    boolean metA = true;
    boolean metB = true;

    if (partA != null) {
      PartA a = partA;
      metA = a.met();
      md.append("\n## A. A trivial migration through dev, staging and prod (auto gates)\n\n");
      md.append("Coordinator tick ")
          .append(tickMs)
          .append(" ms, agent heartbeat ")
          .append(heartbeatMs)
          .append(" ms, strategy per-environment, API polled every ")
          .append(pollMs)
          .append(" ms. ")
          .append(repeats)
          .append(" timed rollouts, each to the next trivial revision (one `create_table`), after ")
          .append(warmups)
          .append(" untimed warm-up rollout(s). Times from the control database (`convoy_control.steps`):")
          .append(" stage wall = `finished_at` − previous stage's `finished_at` (the POST for dev);")
          .append(" SQL/apply = the agent's `seconds`; overhead = wall − SQL/apply, split into gate")
          .append(" (previous `finished_at` or POST → `sent_at`) and agent/transport (`sent_at` →")
          .append(" `finished_at`, minus SQL/apply).\n\n");
      out.append("\nA. trivial migration through dev -> staging -> prod, auto gates (")
          .append(repeats)
          .append(" timed rollouts, ")
          .append(warmups)
          .append(" warm-up)\n");
      String h =
          String.format(
              "%-8s | %13s | %10s | %12s | %9s | %14s | %16s",
              "stage",
              "overhead p50",
              "overhead max",
              "SQL/apply p50",
              "SQL max",
              "gate wait p50",
              "agent+transport p50");
      out.append(h).append(" (ms)\n").append("-".repeat(h.length())).append("\n");
      md.append(
          "| stage | overhead median ms | overhead max ms | SQL/apply median ms | SQL/apply max ms |"
              + " gate wait median ms | agent + transport median ms |\n");
      md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
      for (String e : ENVS) {
        List<Double> ov = a.col(e, StageTiming::overheadMs);
        List<Double> sql = a.col(e, StageTiming::sqlMs);
        List<Double> gate = a.col(e, StageTiming::gateMs);
        List<Double> ag = a.col(e, StageTiming::agentMs);
        out.append(
                String.format(
                    "%-8s | %13s | %12s | %13s | %9s | %14s | %19s",
                    e,
                    f1(median(ov)),
                    f1(max(ov)),
                    f1(median(sql)),
                    f1(max(sql)),
                    f1(median(gate)),
                    f1(median(ag))))
            .append("\n");
        md.append("| ")
            .append(e)
            .append(" | ")
            .append(f1(median(ov)))
            .append(" | ")
            .append(f1(max(ov)))
            .append(" | ")
            .append(f1(median(sql)))
            .append(" | ")
            .append(f1(max(sql)))
            .append(" | ")
            .append(f1(median(gate)))
            .append(" | ")
            .append(f1(median(ag)))
            .append(" |\n");
      }
      String bh =
          String.format(
              "%-8s | %10s | %10s | %14s | %13s | %12s",
              "stage",
              "gate wait",
              "send",
              "agent pickup",
              "agent non-SQL",
              "report");
      out.append("where the overhead goes, medians in ms (gate wait: previous stage done -> sent_at;")
          .append(" send: sent_at -> command entry in Redis; agent pickup: entry -> agent's 'accepted';")
          .append(" agent non-SQL: accepted -> succeeded minus SQL/apply; report: agent's 'succeeded' ->")
          .append(" finished_at recorded by the coordinator)\n")
          .append(bh)
          .append("\n")
          .append("-".repeat(bh.length()))
          .append("\n");
      md.append("\nWhere the overhead goes, medians in ms. Gate wait: previous stage done (the POST")
          .append(" for dev) → `sent_at`; send: `sent_at` → the command's entry id in the")
          .append(" environment's Redis stream; agent pickup: that entry → the agent's `accepted` event")
          .append(" (reading the stream, signature, migrations directory, epoch fence); agent non-SQL:")
          .append(" `accepted` → `succeeded` minus SQL/apply; report: the agent's `succeeded` event →")
          .append(" `finished_at` written by the coordinator. Redis ids and agent event times are")
          .append(" millisecond clocks, so each part is ±1 ms.\n\n")
          .append("| stage | gate wait | send | agent pickup | agent non-SQL | report |\n")
          .append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
      for (String e : ENVS) {
        String[] v = {
          f1(median(a.col(e, StageTiming::gateMs))),
          f1(median(a.col(e, StageTiming::sendMs))),
          f1(median(a.col(e, StageTiming::pickupMs))),
          f1(median(a.col(e, StageTiming::extraMs))),
          f1(median(a.col(e, StageTiming::reportMs)))
        };
        out.append(
                String.format(
                    "%-8s | %10s | %10s | %14s | %13s | %12s", e, v[0], v[1], v[2], v[3], v[4]))
            .append("\n");
        md.append("| ").append(e).append(" | ").append(String.join(" | ", v)).append(" |\n");
      }
      List<Double> e2e = a.timed().stream().map(RolloutTiming::endToEndMs).toList();
      List<Double> sqlSum =
          a.timed().stream()
              .map(r -> r.stages().stream().mapToDouble(StageTiming::sqlMs).sum())
              .toList();
      List<Double> ovSum =
          a.timed().stream()
              .map(r -> r.stages().stream().mapToDouble(StageTiming::overheadMs).sum())
              .toList();
      List<Double> fin = a.timed().stream().map(RolloutTiming::finishMs).toList();
      List<Double> stored = a.timed().stream().map(RolloutTiming::postMs).toList();
      String summary =
          String.format(
              Locale.ROOT,
              "end-to-end (POST -> 'succeeded' seen by polling): median %s ms, max %s ms; of which"
                  + " SQL/apply over the 3 stages: median %s ms; overhead over the 3 stages: median"
                  + " %s ms; last step done -> rollout marked succeeded: median %s ms; dev's gate"
                  + " wait includes the POST itself (harness sends -> rollout row stored): median %s"
                  + " ms",
              f1(median(e2e)),
              f1(max(e2e)),
              f1(median(sqlSum)),
              f1(median(ovSum)),
              f1(median(fin)),
              f1(median(stored)));
      String cpuA = a.cpu == null ? "" : a.cpu.line("part A") + "; attempts: " + a.attempts;
      out.append(summary).append("\n").append(cpuA).append("\n");
      md.append("\n").append(summary).append(".\n\n").append(cpuA).append(".\n\n");
      md.append("Every rollout, per stage: overhead (of which gate wait) / SQL/apply, ms:\n\n");
      md.append("| # | target | state | end-to-end ms | dev | staging | prod |\n");
      md.append("| ---: | --- | --- | ---: | ---: | ---: | ---: |\n");
      for (RolloutTiming r : a.rollouts) {
        md.append("| ")
            .append(r.index())
            .append(r.warmup() ? " (warm-up, not counted)" : "")
            .append(" | ")
            .append(r.target())
            .append(" | ")
            .append(r.state())
            .append(" | ")
            .append(f1(r.endToEndMs()));
        for (String e : ENVS) {
          StageTiming s =
              r.stages().stream().filter(x -> x.env().equals(e)).findFirst().orElse(null);
          md.append(" | ")
              .append(
                  s == null
                      ? "n/a"
                      : f1(s.overheadMs()) + " (" + f1(s.gateMs()) + ") / " + f1(s.sqlMs()));
        }
        md.append(" |\n");
      }
      if (a.error != null) {
        out.append("part A error: ").append(a.error).append("\n");
        md.append("\nPart A error: ").append(a.error).append("\n");
      }
    }

    if (partB != null) {
      metB = partB.met();
      reportB(partB, out, md);
    }
    if (partBNoDb != null) {
      reportB(partBNoDb, out, md);
    }


    List<String> why = new ArrayList<>();
    if (partA != null) {
      why.add(
          "A: "
              + (metA ? "met" : "missed")
              + " (every stage's coordination overhead <= "
              + (int) TARGET_OVERHEAD_MS
              + " ms in every timed rollout, all rollouts succeeded)");
    }
    if (partB != null) {
      why.add(
          "B: "
              + (metB ? "met" : "missed")
              + " (heartbeat lag p99 "
              + f1(partB.p99())
              + " ms <= "
              + (int) TARGET_LAG_MS
              + " ms"
              + (partB.hasMetric() ? ", coordinator metric" : ", observer: coordinator metric absent")
              + "; all "
              + agents
              + " agents alive throughout)");
    }
    String verdict = (metA && metB) ? "TARGET MET" : "TARGET MISSED";
    if (partBNoDb != null) {
      why.add(
          "B' (diagnostic, not in the verdict): heartbeat lag p99 "
              + f1(partBNoDb.p99())
              + " ms with the agents' database unreachable");
    }
    out.append("\n").append(verdict).append(": ").append(String.join("; ", why)).append("\n");
    md.append("\n**").append(verdict).append("**: ").append(String.join("; ", why)).append("\n");
    System.out.print(out);
    if (results != null) {
      Files.createDirectories(results.toAbsolutePath().getParent());
      Files.writeString(results, md.toString());
      log("wrote " + results);
    }
    return (partA != null && partA.error != null)
            || (partB != null && partB.error != null)
            || (partBNoDb != null && partBNoDb.error != null)
        ? 1
        : 0;
  }
}
