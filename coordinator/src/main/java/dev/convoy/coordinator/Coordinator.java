package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Loops;
import dev.convoy.rollout.Signer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator: competes for the Redis lease; as leader bumps the epoch, reads the agents'
 * events (resuming from the cursor saved in the control database) and drives rollouts (see {@link
 * Driver}); as standby it still tracks heartbeats and serves the API. Three loops on their own
 * threads ({@link LeaseLoop}, {@link EventsLoop}, {@link DriverLoop}), each logging and carrying on
 * through Redis or database outages; the HTTP API on Vert.x. This class wires them and answers the
 * API's questions about them.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  /**
   * Everything a coordinator needs; validated by the caller's option parsing. The HTTP server
   * listens on {@code bind} ({@link #LOOPBACK} unless the operator says otherwise); reads need
   * {@code apiToken} or {@code readToken} unless {@code publicRead}. {@code drainQuiet} is the
   * quiet time of a {@code versions-drained} gate that names none (null: 30 s).
   */
  public record Config(
      String id,
      String controlUrl,
      List<String> environments,
      String redisUrl,
      String namespace,
      int httpPort,
      Path dir,
      String apiToken,
      String signingKey,
      Duration leaseTtl,
      Duration tick,
      Duration eventWindow,
      String bind,
      String readToken,
      boolean publicRead,
      Duration drainQuiet) {
    /** Events older than this are refused (as {@code out_of_date}) unless the caller says. */
    public static final Duration EVENT_WINDOW = Duration.ofMinutes(10);

    public static final String LOOPBACK = "127.0.0.1";

    public Config {
      bind = bind == null || bind.isBlank() ? LOOPBACK : bind.strip();
      readToken = readToken == null || readToken.isEmpty() ? null : readToken;
      drainQuiet = drainQuiet == null ? DrainGate.DEFAULT_QUIET : drainQuiet;
      if (drainQuiet.isNegative()) {
        throw new IllegalArgumentException("the drain quiet time is negative: " + drainQuiet);
      }
    }

    /** Listening on loopback only, reads behind the tokens (the command's defaults). */
    public Config(
        String id,
        String controlUrl,
        List<String> environments,
        String redisUrl,
        String namespace,
        int httpPort,
        Path dir,
        String apiToken,
        String signingKey,
        Duration leaseTtl,
        Duration tick) {
      this(
          id,
          controlUrl,
          environments,
          redisUrl,
          namespace,
          httpPort,
          dir,
          apiToken,
          signingKey,
          leaseTtl,
          tick,
          EVENT_WINDOW,
          LOOPBACK,
          null,
          false,
          null);
    }
  }

  private final Config config;
  private final Vertx vertx;
  private final Redis redis;
  private final dev.convoy.rollout.ServiceProbe services;
  private volatile boolean closing;
  private final Redis events;
  private final ControlStore store;
  private final Keys keys;
  private final DriverLoop driverLoop;
  private final StepOutcomes outcomes;
  private final Rollouts rollouts;
  private final CoordinatorMetrics metrics;
  private final Roster roster;
  private final AgentDigests digests;
  private final LeaseLoop leadership;
  private final EventsLoop eventsLoop;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private HttpServer http;
  private Thread[] threads;

  public Coordinator(Vertx vertx, Config config) {
    this(vertx, config, Clock.systemUTC());
  }

  /**
   * With the wall clock its time-dependent decisions read (soak gates, agent liveness, the events
   * window): {@link Clock#systemUTC()} outside tests. The lease runs on the monotonic clock.
   */
  public Coordinator(Vertx vertx, Config config, Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.keys = new Keys(config.namespace());
    this.redis = redis(vertx, config.redisUrl());
    this.events = redis(vertx, config.redisUrl());
    this.store = new ControlStore(vertx, config.controlUrl());
    this.services = ServiceCheck.of(redis, config.redisUrl(), store);
    Lease lease =
        new Lease(
            redis, keys.leader(), config.id(), config.leaseTtl().toMillis(), System::nanoTime);
    this.metrics = new CoordinatorMetrics(config.environments());
    this.roster = new Roster(config.environments(), clock);
    this.digests = new AgentDigests(roster, this::graph);
    DrainGate drain =
        new DrainGate(
            roster.versions(), this::graph, DrainGate.fromControl(store), config.drainQuiet());
    this.rollouts = new Rollouts(store, config.environments(), clock, roster, drain);
    this.outcomes = new StepOutcomes(store, metrics);
    this.leadership =
        new LeaseLoop(config.id(), lease, store, keys, metrics, config.leaseTtl().toMillis());
    this.eventsLoop =
        new EventsLoop(
            config.id(),
            leadership,
            store,
            events,
            keys,
            new EventsIn(
                config.id(),
                new EventCheck(
                    new Signer(config.signingKey()), config.environments(), config.eventWindow()),
                metrics,
                clock),
            roster,
            outcomes,
            metrics,
            this::wake,
            clock);
    Driver driver =
        new Driver(
            lease,
            config.id(),
            store,
            redis,
            keys,
            new Signer(config.signingKey()),
            config.environments(),
            metrics,
            clock,
            new RollbackGuard(this::graph, () -> roster.liveHeads()),
            drain);
    this.driverLoop =
        new DriverLoop(
            config.id(),
            leadership,
            driver,
            rollouts,
            roster,
            metrics,
            config.environments(),
            config.tick().toMillis());
  }

  private static Redis redis(Vertx vertx, String url) {
    return Redis.createClient(
        vertx,
        new RedisOptions()
            .setConnectionString(url)
            .setPreferredProtocolVersion(ProtocolVersion.RESP2)
            .setMaxPoolSize(4)
            .setMaxPoolWaiting(64));
  }

  public Coordinator start() {
    return start(Duration.ZERO);
  }

  /**
   * Starts, once Redis and the control database answer: fails at once when they do not, or after
   * {@code waitForServices}.
   */
  public Coordinator start(Duration waitForServices) {
    services.awaitAtStart(waitForServices);
    store.ensure();
    http = new Api(this).listen(config.bind(), config.httpPort());
    threads =
        new Thread[] {
          thread("lease", leadership),
          thread("events", eventsLoop),
          thread("driver", driverLoop),
          thread("health", this::healthLoop)
        };
    log.info(
        "{} - coordinator up: environments {}, namespace {}, http on {}:{}{}",
        config.id(),
        config.environments(),
        config.namespace(),
        config.bind(),
        httpPort(),
        config.publicRead() ? " (reads public)" : "");
    return this;
  }

  public int httpPort() {
    return http == null ? -1 : http.actualPort();
  }

  /** Leading: holds an epoch and is before its lease's local deadline. */
  public boolean leader() {
    return leadership.leader();
  }

  public long epoch() {
    return leadership.epoch();
  }

  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  Config config() {
    return config;
  }

  Vertx vertx() {
    return vertx;
  }

  Rollouts rollouts() {
    return rollouts;
  }

  ControlStore store() {
    return store;
  }

  CoordinatorMetrics metrics() {
    return metrics;
  }

  RevisionGraph graph() {
    return MigrationDirectory.load(config.dir());
  }

  /** Refuses a rollback that would cross a revision that cannot be undone. */
  RollbackGuard rollbackGuard() {
    return new RollbackGuard(this::graph, this::liveHeads);
  }

  /** Each environment's heads, from agents heard from in the last five seconds. */
  Map<String, List<String>> liveHeads() {
    return roster.liveHeads();
  }

  /** Each environment's agents as the API shows them. */
  public JsonArray environmentsView() {
    return roster.view();
  }

  /** {@code GET /api/environments}: agents, and whether their directories match this one's. */
  JsonObject environmentsJson() {
    return digests.environments();
  }

  private Thread thread(String name, Runnable body) {
    return Loops.start("convoy-coordinator-" + name, body);
  }

  /** Asks the driver to look at the rollouts now (a rollout was created, approved, resumed). */
  void wake() {
    driverLoop.wake();
  }

  /** Probes Redis and the control database every two seconds, for {@code /health}. */
  private void healthLoop() {
    while (!closing) {
      services.probe();
      if (!Loops.pause(2000)) {
        return;
      }
    }
  }

  /** What the coordinator cannot reach now (empty: it is up). */
  List<String> problems() {
    return services.problems();
  }

  @Override
  public void close() {
    closing = true;
    leadership.stop();
    eventsLoop.stop();
    driverLoop.stop();
    if (threads != null) {
      Loops.stop(threads);
    }
    leadership.release();
    if (http != null) {
      http.close().await();
    }
    redis.close();
    events.close();
    store.close();
    stopped.countDown();
  }
}
