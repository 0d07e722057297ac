package dev.convoy.cli;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.agent.state.Who;
import dev.convoy.config.Durations;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "agent",
    description = {
      "Run the agent of one environment: apply the coordinator's commands to its database.",
      "Needs CONVOY_SIGNING_KEY (the coordinator's)."
    })
final class AgentCommand implements Callable<Integer> {
  private final Cli cli;

  @picocli.CommandLine.Mixin BusOptions bus;

  @picocli.CommandLine.Mixin LogOptions logs = new LogOptions();

  @Option(
      names = "--env",
      required = true,
      description =
          "The environment this agent serves, one of the coordinator's --environments"
              + " (CONVOY_ENV).")
  String env;

  @Option(names = "--url", required = true, description = "This environment's database URL.")
  String url;

  @Option(
      names = "--schema",
      defaultValue = "convoy",
      description = "The schema that holds Convoy's state tables in this database.")
  String schema;

  @Option(
      names = "--metrics-port",
      defaultValue = "0",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description =
          "Port of the agent's Prometheus /metrics (default 0: a free port, printed at start, so"
              + " several agents run on one host; set one for a scrape config).")
  int metricsPort;

  @Option(
      names = "--bind",
      defaultValue = BindAddress.DEFAULT,
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = "For the metrics listener: " + BindAddress.HELP)
  String bind;

  @Option(names = "--agent-id", description = "This agent's id (default: host-pid-env).")
  String agentId;

  @Option(
      names = "--command-window",
      defaultValue = "10m",
      description =
          "Commands issued longer ago than this (or this far in the future) are refused, so an"
              + " old command replayed into the stream is not run (env CONVOY_COMMAND_WINDOW;"
              + " 10s to 24h).")
  String commandWindow;

  @picocli.CommandLine.Mixin EngineOptions tuning = new EngineOptions();

  AgentCommand(Cli cli) {
    this.cli = cli;
  }

  /** The daemon's configuration from the options; a bad value is a clear error. */
  AgentDaemon.Config config() {
    // The engine's settings are checked first, as the engine would at the first command: a typo
    // must stop the agent now, not fail the first rollout that reaches it.
    DatabaseUrl db = new DatabaseUrl(url);
    EngineTuning tuned = tuning.tuning();
    new EngineConfig(db, schema, tuned, null);
    Duration window = commandWindow(commandWindow);
    return new AgentDaemon.Config(
        env,
        db,
        bus.redisUrl(),
        bus.namespace,
        bus.dir,
        StartupChecks.signingKey(),
        agentId == null
            ? Who.hostName() + "-" + ProcessHandle.current().pid() + "-" + env
            : agentId,
        StartupChecks.port("--metrics-port", metricsPort),
        schema,
        Duration.ofSeconds(1),
        Duration.ofSeconds(15),
        tuned,
        window,
        BindAddress.checked(bind));
  }

  /** The command window, checked: long enough for a command to arrive, short enough to matter. */
  static Duration commandWindow(String text) {
    Duration d = Durations.parse("--command-window", text);
    if (d.compareTo(Duration.ofSeconds(10)) < 0 || d.compareTo(Duration.ofHours(24)) > 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--command-window "
              + text
              + " must be from 10s to 24h (default 10m): commands issued longer ago than this are"
              + " refused");
    }
    return d;
  }

  @Override
  public Integer call() throws Exception {
    logs.apply();
    AgentDaemon.Config config = config();
    // Every line of the agent's start and stop names its environment, as its threads' lines do.
    try (var context = dev.convoy.rollout.LogContext.of(null, env, null, null);
        AgentDaemon agent =
            StartupChecks.listening(
                "--metrics-port",
                config.metricsBind(),
                config.metricsPort(),
                () -> new AgentDaemon(cli.vertx(), config).start(bus.waitForServices()))) {
      LogOptions.announce(
          cli,
          "dev.convoy.agent.daemon.AgentDaemon",
          "convoy agent "
              + config.agentId()
              + " serving "
              + env
              + "; metrics on http://"
              + config.metricsBind()
              + ":"
              + agent.metricsPort()
              + "/metrics");
      Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
      agent.awaitStop();
    }
    return 0;
  }
}
