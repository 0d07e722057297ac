package dev.convoy.agent.daemon;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.DataLossRefused;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.engine.PhaseMode;
import dev.convoy.agent.state.Who;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Loops;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent beside one environment's database: takes that environment's commands from its Redis
 * stream (as one consumer of the environment's group, so a standby agent takes over what a dead one
 * left unacknowledged), checks each (signature, revisions and checksums against its own migrations
 * directory, coordinator epoch against the database's fence), applies it with the engine, and
 * reports accepted / progress / succeeded / failed / rejected on the events stream. A heartbeat
 * every second says which agent it is, its environment's heads and its directory's digest. This
 * class wires the parts and handles one command; reading the stream is {@link CommandLoop}, the
 * heartbeat {@link Heartbeat}, publishing {@link AgentEvents}, the metrics listener {@link
 * MetricsEndpoint}.
 *
 * <p>Delivery is at least once; each command takes effect at most once per database: the database's
 * command ledger (see {@link CommandLedger}) answers a command it has seen with the recorded
 * outcome and runs nothing, and commands older than the command window are refused.
 */
public final class AgentDaemon implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentDaemon.class);

  /** The code of a downgrade refused because it would drop rows (see {@link DataLossRefused}). */
  static final String DATA_LOSS = "data_loss";

  /**
   * Everything an agent needs; validated by the caller's option parsing. The metrics listener
   * listens on {@code metricsBind} (loopback unless the operator says otherwise).
   */
  public record Config(
      String env,
      DatabaseUrl url,
      String redisUrl,
      String namespace,
      Path dir,
      String signingKey,
      String agentId,
      int metricsPort,
      String schema,
      Duration heartbeat,
      Duration claimIdle,
      EngineTuning tuning,
      Duration commandWindow,
      String metricsBind) {
    /** How old (or how far in the future) a command's issue time may be: 10 minutes. */
    public static final Duration DEFAULT_COMMAND_WINDOW = Duration.ofMinutes(10);

    public static final String LOOPBACK = "127.0.0.1";

    public Config {
      tuning = tuning == null ? EngineTuning.DEFAULTS : tuning;
      commandWindow = commandWindow == null ? DEFAULT_COMMAND_WINDOW : commandWindow;
      metricsBind = metricsBind == null || metricsBind.isBlank() ? LOOPBACK : metricsBind.strip();
    }

    /** With the default command window, metrics on loopback only (the command's defaults). */
    public Config(
        String env,
        DatabaseUrl url,
        String redisUrl,
        String namespace,
        Path dir,
        String signingKey,
        String agentId,
        int metricsPort,
        String schema,
        Duration heartbeat,
        Duration claimIdle,
        EngineTuning tuning) {
      this(
          env,
          url,
          redisUrl,
          namespace,
          dir,
          signingKey,
          agentId,
          metricsPort,
          schema,
          heartbeat,
          claimIdle,
          tuning,
          null,
          LOOPBACK);
    }
  }

  private final Config config;
  private final Vertx vertx;
  private final Keys keys;
  private final RedisBus bus;
  private final AgentMetrics metrics;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile String working;

  /** The agent's own connection for heartbeats and the fence (not the migrations' lock). */
  private final SessionHolder stateDb;

  private final DirectoryCache directory;
  private final CommandIntake intake;
  private final AgentEvents events;
  private final Heartbeat heartbeat;
  private final CommandLoop commandLoop;
  private final ResumeAfterLoss resume;
  private MetricsEndpoint metricsEndpoint;
  private Thread commands;
  private Thread heartbeats;
  private Thread probes;
  private final AgentHealth health;

  public AgentDaemon(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
    this.keys = new Keys(config.namespace());
    Signer signer = new Signer(config.signingKey());
    this.bus = new RedisBus(vertx, config.redisUrl());
    this.metrics = new AgentMetrics(config.env());
    this.stateDb = new SessionHolder(vertx, config.url(), "convoy agent " + config.agentId());
    this.directory = new DirectoryCache(config.dir());
    this.health = new AgentHealth(bus, stateDb, config.redisUrl(), config.env());
    this.intake =
        new CommandIntake(
            config.agentId(),
            new CommandGate(config, signer, directory, bus, keys),
            new CommandLedger(stateDb, config.schema()));
    this.events =
        new AgentEvents(
            config.agentId(), config.schema(), bus, keys, signer, stateDb, () -> running);
    this.heartbeat =
        new Heartbeat(
            config.agentId(),
            config.env(),
            directory,
            events,
            new LiveVersions(config.schema(), stateDb),
            () -> working,
            config.heartbeat().toMillis());
    this.commandLoop =
        new CommandLoop(
            config.agentId(),
            config.env(),
            keys.commands(config.env()),
            config.claimIdle().toMillis(),
            bus,
            this::handle);
    Who self = Who.local();
    this.resume =
        new ResumeAfterLoss(
            config.agentId(),
            stateDb,
            List.of(self.applicationName("migrate"), self.applicationName("watch")),
            config.commandWindow(),
            () -> running);
  }

  /** Starts the metrics endpoint, the heartbeat and the command loop; returns at once. */
  public AgentDaemon start() {
    return start(Duration.ZERO);
  }

  /**
   * Starts once its Redis and its database answer: fails at once with one line when they do not, or
   * after {@code waitForServices}.
   */
  public AgentDaemon start(Duration waitForServices) {
    // Every line of the start names the environment, as the agent's threads' lines do.
    try (var context = dev.convoy.rollout.LogContext.of(null, config.env(), null, null)) {
      return starting(waitForServices);
    }
  }

  private AgentDaemon starting(Duration waitForServices) {
    health.awaitAtStart(waitForServices);
    // Behind a pooler in transaction pooling no command could hold the migration lock: say so now.
    synchronized (stateDb) {
      dev.convoy.agent.db.PoolerCheck.requireSessionState(
          stateDb.get(), () -> vertx, config.url(), "convoy agent " + config.agentId());
    }
    if (config.metricsPort() >= 0) {
      metricsEndpoint =
          MetricsEndpoint.listen(
              vertx,
              metrics,
              () -> health.json(config.agentId(), working),
              config.metricsBind(),
              config.metricsPort());
    }
    try {
      bus.createGroup(keys.commands(config.env()), config.env());
    } catch (RuntimeException e) {
      // Redis slow or away at start: the command loop makes the group when it finds it missing.
      log.warn("{} - could not create the command group yet: {}", config.agentId(), e.getMessage());
    }
    heartbeats = thread("heartbeat", heartbeat);
    commands = thread("commands", commandLoop);
    probes = thread("health", health::loop);
    log.info(
        "{} - agent for {} started (database {}, namespace {}, metrics on {}:{})",
        config.agentId(),
        config.env(),
        config.url(),
        config.namespace(),
        config.metricsBind(),
        metricsPort());
    return this;
  }

  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  /** Blocks until {@link #close} is called. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  private Thread thread(String name, Runnable body) {
    // Every line an agent's thread logs names its environment.
    return Loops.start(
        "convoy-agent-" + name,
        () -> {
          try (var context = dev.convoy.rollout.LogContext.of(null, config.env(), null, null)) {
            body.run();
          }
        });
  }

  /** Checks and applies one command; every outcome is an event. */
  void handle(String json) {
    Command c;
    try {
      c = Wire.read(json, Command.class);
    } catch (RuntimeException e) {
      log.warn("{} - dropped a malformed command: {}", config.agentId(), e.getMessage());
      return;
    }
    // Every line logged while this command is handled names its rollout, step and epoch.
    try (var context = dev.convoy.rollout.LogContext.of(c)) {
      handle(c);
    }
  }

  private void handle(Command c) {
    // Refused, or already in the database's command ledger: answered without running.
    Event answer = intake.answer(c);
    if (answer != null) {
      events.publish(answer);
      return;
    }
    events.publish(events.accepted(c));
    long t0 = System.nanoTime();
    working = c.key();
    try {
      // A lost database connection is resumed, not failed: see ResumeAfterLoss.
      MigrationResult r = resume.run(c, () -> apply(c));
      double seconds = (System.nanoTime() - t0) / 1e9;
      metrics.stepDone(c, Duration.ofNanos(System.nanoTime() - t0));
      intake.finish(c, Event.SUCCEEDED, r.to(), null, null);
      events.publish(Event.about(Event.SUCCEEDED, config.agentId(), c, r.to(), null, seconds));
      log.info(
          "{} - {} done: {} {} -> {}", config.agentId(), c.key(), c.action(), c.target(), r.to());
    } catch (DataLossRefused e) {
      // Not a failure: nothing changed, and the coordinator asks a person to approve the loss.
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.warn("{} - {} refused, it would lose data: {}", config.agentId(), c.key(), e.summary());
      List<String> heads = events.heads();
      intake.finish(c, Event.FAILED, heads, e.summary(), DATA_LOSS);
      events.publish(
          Event.about(Event.FAILED, config.agentId(), c, heads, e.summary(), seconds, DATA_LOSS));
    } catch (RuntimeException e) {
      double seconds = (System.nanoTime() - t0) / 1e9;
      log.warn("{} - {} failed: {}", config.agentId(), c.key(), e.getMessage());
      List<String> heads = events.heads();
      intake.finish(c, Event.FAILED, heads, e.getMessage(), null);
      events.publish(
          Event.about(Event.FAILED, config.agentId(), c, heads, e.getMessage(), seconds));
    } finally {
      working = null;
      metrics.stepEnded();
    }
  }

  private MigrationResult apply(Command c) {
    EngineConfig engine =
        new EngineConfig(
            config.url(),
            config.schema(),
            config.tuning(),
            new Who(
                Who.hostName(),
                ProcessHandle.current().pid(),
                config.agentId(),
                c.epoch(),
                c.plan(),
                c.step()));
    Migrator migrator =
        new Migrator(
            () -> vertx,
            engine,
            directory::graph,
            metrics.listener(c, config.agentId(), events::publish));
    if (c.action().equals(Command.DOWNGRADE)) {
      // Back to exactly the command's heads (every branch); dropping rows needs an approval.
      return migrator.downgradeTo(c.targetHeads(), c.allowDataLoss());
    }
    PhaseMode mode = c.phase().equals("expand") ? PhaseMode.EXPAND : PhaseMode.ALL;
    return migrator.upgrade(c.target(), mode);
  }

  @Override
  public void close() {
    try (var context = dev.convoy.rollout.LogContext.of(null, config.env(), null, null)) {
      stopping();
    }
  }

  private void stopping() {
    running = false;
    heartbeat.stop();
    commandLoop.stop();
    Loops.stop(commands, heartbeats, probes);
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    bus.close();
    stateDb.reset();
    stopped.countDown();
  }
}
