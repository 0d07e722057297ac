package dev.convoy.cli;

import dev.convoy.coordinator.Coordinator;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "coordinator",
    description = {
      "Run a coordinator: rollouts through environments, over Redis, with an HTTP API.",
      "Needs CONVOY_API_TOKEN and CONVOY_SIGNING_KEY. Run two for failover.",
      "Changing rollouts needs CONVOY_API_TOKEN; reading rollouts, environments and events needs"
          + " it or the read-only CONVOY_READ_TOKEN (unless --public-read); /health and /metrics"
          + " are open."
    })
final class CoordinatorCommand implements Callable<Integer> {
  private final Cli cli;

  @picocli.CommandLine.Mixin BusOptions bus;

  @picocli.CommandLine.Mixin LogOptions logs = new LogOptions();

  @Option(
      names = "--control-url",
      required = true,
      description =
          "The PostgreSQL URL of the control database, where the coordinator keeps rollouts,"
              + " steps and events.")
  String controlUrl;

  @Option(
      names = "--environments",
      defaultValue = "dev,staging,prod",
      description = "Stage order, comma-separated (CONVOY_ENVIRONMENTS).")
  String environments;

  @Option(names = "--http-port", defaultValue = "8080", description = "HTTP port (0: any).")
  int httpPort;

  @Option(
      names = "--bind",
      defaultValue = BindAddress.DEFAULT,
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = BindAddress.HELP)
  String bind;

  @Option(
      names = "--public-read",
      description =
          "Serve reads (rollouts, environments, events, the dashboard's data) without a token"
              + " (CONVOY_PUBLIC_READ). Changes still need CONVOY_API_TOKEN.")
  boolean publicRead;

  @Option(
      names = "--read-token-file",
      paramLabel = "FILE",
      description =
          "File holding the read-only token for dashboards and scrapers (default:"
              + " CONVOY_READ_TOKEN, CONVOY_READ_TOKEN_FILE).")
  java.nio.file.Path readTokenFile;

  @Option(
      names = "--lease-ttl",
      defaultValue = "5s",
      description =
          "How long the leader's lease lasts unrenewed: a standby coordinator takes over this long"
              + " after the leader stops.")
  String leaseTtl;

  @Option(
      names = "--event-window",
      defaultValue = "10m",
      description =
          "Agents' events sent longer ago than this are refused as out of date (clock skew"
              + " included).")
  String eventWindow;

  @Option(
      names = "--drain-quiet",
      defaultValue = "30s",
      description =
          "How long a versions-drained gate waits, with no session of an old application version"
              + " reported, before it lets an environment's contract go (when the gate names no"
              + " time, as versions-drained:1m does).")
  String drainQuiet;

  @Option(names = "--id", description = "This coordinator's id (default: host-pid).")
  String id;

  CoordinatorCommand(Cli cli) {
    this.cli = cli;
  }

  static List<String> environments(String list) {
    List<String> envs =
        Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    for (String e : envs) {
      if (!e.matches("[A-Za-z0-9_-]{1,32}")) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "environment name '" + e + "' must be 1-32 letters, digits, '_' or '-'");
      }
    }
    if (envs.isEmpty() || envs.size() != envs.stream().distinct().count()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--environments needs distinct names in stage order, e.g. dev,staging,prod");
    }
    return envs;
  }

  /** The read-only token: from --read-token-file or the environment; never the API token. */
  private String readToken(String apiToken) {
    String token;
    try {
      token =
          readTokenFile == null
              ? Secrets.get("CONVOY_READ_TOKEN", false)
              : java.nio.file.Files.readString(readTokenFile).strip();
    } catch (java.io.IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--read-token-file " + readTokenFile + " cannot be read: " + e.getMessage());
    }
    if (token != null && token.equals(apiToken)) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "CONVOY_READ_TOKEN is the same as CONVOY_API_TOKEN: a read-only token must differ from"
              + " the token that changes rollouts; generate another (openssl rand -hex 32)");
    }
    return token;
  }

  @Override
  public Integer call() throws Exception {
    logs.apply();
    Duration window = dev.convoy.config.Durations.parse("--event-window", eventWindow);
    if (window.isZero() || window.isNegative()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--event-window '" + eventWindow + "' must be longer than zero, e.g. 10m");
    }
    Duration lease = dev.convoy.config.Durations.parse("--lease-ttl", leaseTtl);
    if (lease.compareTo(Duration.ofSeconds(1)) < 0 || lease.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--lease-ttl '"
              + leaseTtl
              + "' must be between 1s and 10m (a leader renews its lease every third of it), e.g."
              + " 5s");
    }
    Duration quiet = dev.convoy.config.Durations.parse("--drain-quiet", drainQuiet);
    if (quiet.isNegative()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--drain-quiet '" + drainQuiet + "' must be zero or longer, e.g. 30s");
    }
    String apiToken = Secrets.get("CONVOY_API_TOKEN", true);
    Coordinator.Config config =
        new Coordinator.Config(
            id == null
                ? dev.convoy.agent.state.Who.hostName() + "-" + ProcessHandle.current().pid()
                : id,
            controlUrl,
            environments(environments),
            bus.redisUrl(),
            bus.namespace,
            StartupChecks.port("--http-port", httpPort),
            bus.dir,
            apiToken,
            StartupChecks.signingKey(),
            lease,
            Duration.ofMillis(100),
            window,
            BindAddress.checked(bind),
            readToken(apiToken),
            publicRead,
            quiet);
    try (Coordinator c =
        StartupChecks.listening(
            "--http-port",
            config.bind(),
            config.httpPort(),
            () -> new Coordinator(cli.vertx(), config).start(bus.waitForServices()))) {
      LogOptions.announce(
          cli,
          "dev.convoy.coordinator.Coordinator",
          "convoy coordinator "
              + config.id()
              + " on http://"
              + config.bind()
              + ":"
              + c.httpPort()
              + " (API, dashboard, /metrics; reads "
              + (publicRead
                  ? "public"
                  : config.readToken() == null
                      ? "need CONVOY_API_TOKEN"
                      : "need CONVOY_READ_TOKEN or CONVOY_API_TOKEN")
              + ")");
      Runtime.getRuntime().addShutdownHook(new Thread(c::close));
      c.awaitStop();
    }
    return 0;
  }
}
