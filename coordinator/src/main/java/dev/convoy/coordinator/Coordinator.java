package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Loops;
import dev.convoy.rollout.Signer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
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
 * threads (lease, events, driver), each logging and carrying on through Redis or database outages;
 * the HTTP API on Vert.x.
 */
public final class Coordinator implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

  /**
   * Everything a coordinator needs; validated by the caller's option parsing. The HTTP server
   * listens on {@code bind} ({@link #LOOPBACK} unless the operator says otherwise); reads need
   * {@code apiToken} or {@code readToken} unless {@code publicRead}.
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
      boolean publicRead) {
    /** Events older than this are refused (as {@code out_of_date}) unless the caller says. */
    public static final Duration EVENT_WINDOW = Duration.ofMinutes(10);

    public static final String LOOPBACK = "127.0.0.1";

    public Config {
      bind = bind == null || bind.isBlank() ? LOOPBACK : bind.strip();
      readToken = readToken == null || readToken.isEmpty() ? null : readToken;
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
          false);
    }
  }

  private final Config config;
  private final Vertx vertx;
  private final Redis redis;
  private final Redis events;
  private final ControlStore store;
  private final Keys keys;
  private final Lease lease;
  private final Driver driver;
  private final StepOutcomes outcomes;
  private final Rollouts rollouts;
  private final CoordinatorMetrics metrics;
  private final Roster roster;
  private final EventsIn eventsIn;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final java.util.concurrent.Semaphore wake = new java.util.concurrent.Semaphore(0);
  private volatile boolean running = true;
  private volatile long epoch = -1;
  private HttpServer http;
  private Thread[] threads;

  public Coordinator(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
    this.keys = new Keys(config.namespace());
    this.redis = redis(vertx, config.redisUrl());
    this.events = redis(vertx, config.redisUrl());
    this.store = new ControlStore(vertx, config.controlUrl());
    this.lease =
        new Lease(
            redis, keys.leader(), config.id(), config.leaseTtl().toMillis(), System::nanoTime);
    this.metrics = new CoordinatorMetrics(config.environments());
    this.rollouts = new Rollouts(store, config.environments());
    this.outcomes = new StepOutcomes(store, metrics);
    this.roster = new Roster(config.environments());
    this.eventsIn =
        new EventsIn(
            config.id(),
            new EventCheck(
                new Signer(config.signingKey()), config.environments(), config.eventWindow()),
            metrics);
    this.driver =
        new Driver(
            lease,
            config.id(),
            store,
            redis,
            keys,
            new Signer(config.signingKey()),
            config.environments(),
            metrics,
            Clock.systemUTC(),
            new RollbackGuard(this::graph, () -> roster.liveHeads()));
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
    store.ensure();
    http = new Api(this).listen(config.bind(), config.httpPort());
    threads =
        new Thread[] {
          thread("lease", this::leaseLoop),
          thread("events", this::eventsLoop),
          thread("driver", this::driverLoop)
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
    return epoch >= 0 && lease.held();
  }

  public long epoch() {
    return epoch;
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

  JsonArray environments() {
    return roster.view();
  }

  private Thread thread(String name, Runnable body) {
    return Loops.start("convoy-coordinator-" + name, body);
  }

  private void leaseLoop() {
    while (running) {
      try {
        if (epoch >= 0 && !lease.held()) {
          // Not renewed in time (Redis unreachable, or this process paused): another coordinator
          // may lead by now. Stop here; leading again takes the lease and a new epoch.
          log.warn(
              "{} - lease not renewed before its deadline (epoch {}); sending and writing nothing"
                  + " until it holds the lease again",
              config.id(),
              epoch);
          stepDown();
        }
        if (epoch < 0) {
          if (lease.tryAcquire()) {
            long term = store.bumpEpoch(config.id());
            lease.announce(keys.epoch(), term);
            epoch = term;
            metrics.leader(true);
            log.info("{} - took the lease; epoch {}", config.id(), epoch);
          }
        } else if (!lease.extend()) {
          log.warn("{} - lost the lease (epoch {}); standing by", config.id(), epoch);
          stepDown();
        }
      } catch (Exception e) {
        if (!running) {
          return;
        }
        log.warn("{} - lease check failed, trying again: {}", config.id(), e.getMessage());
      }
      sleep(config.leaseTtl().toMillis() / 3);
    }
  }

  private void stepDown() {
    epoch = -1;
    metrics.leader(false);
  }

  private void eventsLoop() {
    String cursor = null;
    long readingAs = -1;
    while (running) {
      try {
        if (epoch != readingAs) {
          // Became leader (or stood down): go back to the saved cursor. A standby's own cursor ran
          // ahead over the outcomes it ignored, which the new leader must still record.
          readingAs = epoch;
          cursor = null;
        }
        if (epoch >= 0 && !lease.held()) {
          // Past the lease deadline: write no outcome and save no cursor until the lease loop
          // decides; the entries wait in the stream.
          cursor = null;
          sleep(50);
          continue;
        }
        if (cursor == null) {
          cursor = store.eventsCursor();
        }
        Response r =
            Replies.await(
                events.send(
                    Request.cmd(Command.XREAD)
                        .arg("COUNT")
                        .arg(500)
                        .arg("BLOCK")
                        .arg(500)
                        .arg("STREAMS")
                        .arg(keys.events())
                        .arg(cursor)),
                5500);
        if (r == null || r.size() == 0) {
          continue;
        }
        long term = epoch;
        for (Response entry : r.get(0).get(1)) {
          String id = entry.get(0).toString();
          EventCheck.Verdict v = eventsIn.read(id, field(entry.get(1), "e"));
          if (v != null) {
            try {
              handle(v.event(), term);
            } catch (RuntimeException ex) {
              if (!ControlStore.refusedStatement(ex)) {
                throw ex; // an outage: read it again once the database is back
              }
              // The database refused what this entry asked to record: it would refuse it again.
              eventsIn.unprocessable(id, ex);
            }
          }
          cursor = id;
        }
        if (term >= 0 && leader()) {
          store.saveEventsCursor(cursor, term);
        }
      } catch (Exception e) {
        // Redis or the control database is down: read again from the saved cursor. A bad entry
        // never lands here (EventsIn skips it).
        if (running) {
          log.warn("{} - events stream unavailable, retrying: {}", config.id(), e.getMessage());
          cursor = null;
          sleep(500);
        }
      }
    }
  }

  /** The value of {@code name} in a stream entry's fields, or null. */
  private static String field(Response fields, String name) {
    for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
      if (fields.get(i) != null && name.equals(fields.get(i).toString())) {
        Response v = fields.get(i + 1);
        return v == null ? null : v.toString();
      }
    }
    return null;
  }

  private void handle(Event e, long term) {
    long now = System.currentTimeMillis();
    metrics.eventLag(e.type(), now - e.sentAt());
    if (e.type().equals(Event.HEARTBEAT)) {
      roster.heard(e, now);
      if (term >= 0 && leader() && e.message() != null) {
        outcomes.heard(e.message(), term); // the step its agent is working on is alive
      }
      return;
    }
    if (term >= 0 && leader()) {
      outcomes.apply(e, term);
      if (e.finishes()) {
        wake.release(); // the next step need not wait for the next tick
      }
    }
  }

  /** Asks the driver to look at the rollouts now (a rollout was created, approved, resumed). */
  void wake() {
    wake.release();
  }

  private void driverLoop() {
    while (running) {
      try {
        for (String env : config.environments()) {
          metrics.agentsUp(env, roster.alive(env));
        }
        long term = epoch;
        if (term >= 0 && lease.held()) {
          driver.tick(term);
          updateStageMetrics();
        }
      } catch (Exception e) {
        if (!running) {
          return;
        }
        log.warn("{} - rollout tick failed, trying again: {}", config.id(), e.getMessage());
      }
      try {
        if (wake.tryAcquire(config.tick().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void updateStageMetrics() {
    JsonObject latest = rollouts.latest();
    if (latest == null) {
      return;
    }
    for (Object s : latest.getJsonArray("stages")) {
      JsonObject stage = (JsonObject) s;
      metrics.stage(stage.getString("env"), stage.getString("state"));
    }
  }

  private void sleep(long ms) {
    if (!Loops.pause(ms)) {
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    if (threads != null) {
      Loops.stop(threads);
    }
    try {
      if (epoch >= 0) {
        lease.release();
      }
    } catch (RuntimeException e) {
      // The lease expires on its own.
    }
    if (http != null) {
      http.close().await();
    }
    redis.close();
    events.close();
    store.close();
    stopped.countDown();
  }
}
