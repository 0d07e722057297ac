package dev.convoy.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** approve, deployed, pause, resume, rollback: one POST each. */
abstract class RolloutAction implements Callable<Integer> {
  private final Cli cli;
  @picocli.CommandLine.Mixin RolloutCommand.Api api = new RolloutCommand.Api();

  @Parameters(index = "0", paramLabel = "ID", description = "The rollout's id.")
  String id;

  RolloutAction(Cli cli) {
    this.cli = cli;
  }

  abstract String action();

  String query() {
    return "";
  }

  JsonObject body() {
    return null;
  }

  @Override
  public Integer call() {
    JsonObject r = api.call("POST", "/api/rollouts/" + id + "/" + action() + query(), body());
    r = afterRelease(r);
    cli.out().println(api.json ? r.encodePrettily() : RolloutView.render(r));
    cli.out().flush();
    return 0;
  }

  /**
   * The rollout once the coordinator acted on a released gate: the answer to approve or deployed
   * still says {@code waiting} (the driver moves it on just after), so it is read again for up to
   * two seconds until it runs or waits for something else, and printed as it is then.
   */
  private JsonObject afterRelease(JsonObject r) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(2).toNanos();
    while (released(r) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return r;
      }
      r = api.call("GET", "/api/rollouts/" + id, null);
    }
    return r;
  }

  /** Waiting, but for nothing any more: its gate was released and the driver has not moved yet. */
  private static boolean released(JsonObject r) {
    return "waiting".equals(r.getString("state")) && r.getJsonObject("waiting_for") == null;
  }

  @Command(
      name = "approve",
      description =
          "Pass the approval gate a rollout waits at: a stage's, or the contract gate (the deploy"
              + " window of an expand-first rollout) once it is there.")
  static final class Approve extends RolloutAction {
    @Option(names = "--env", description = "The environment to approve (default: the next).")
    String env;

    @Option(names = "--by", description = "Who approves, for the event log (default: user@host).")
    String by;

    @Option(
        names = "--allow-data-loss",
        description =
            "Release a rollback waiting because it would drop tables or columns holding rows"
                + " (status shows what, per environment). Back the data up first.")
    boolean allowDataLoss;

    @Override
    JsonObject body() {
      return new JsonObject().put("by", by == null ? Who.me() : by);
    }

    Approve(Cli cli) {
      super(cli);
    }

    @Override
    String action() {
      return "approve";
    }

    @Override
    String query() {
      java.util.List<String> q = new java.util.ArrayList<>();
      if (env != null) {
        q.add("env=" + java.net.URLEncoder.encode(env, java.nio.charset.StandardCharsets.UTF_8));
      }
      if (allowDataLoss) {
        q.add("allow_data_loss=true");
      }
      return q.isEmpty() ? "" : "?" + String.join("&", q);
    }
  }

  @Command(
      name = "deployed",
      description = {
        "Say the new application is out: this releases the contract gate (the deploy window"
            + " between expand and contract) an expand-first rollout waits at.",
        "Made by a deploy pipeline; refused (exit 2) when the rollout is not waiting there."
      })
  static final class Deployed extends RolloutAction {
    @Option(names = "--by", description = "Who deployed, for the event log (default: user@host).")
    String by;

    Deployed(Cli cli) {
      super(cli);
    }

    @Override
    String action() {
      return "deployed";
    }

    @Override
    JsonObject body() {
      return new JsonObject().put("by", by == null ? Who.me() : by);
    }
  }

  @Command(name = "pause", description = "Stop sending steps (the running one finishes).")
  static final class Pause extends RolloutAction {
    Pause(Cli cli) {
      super(cli);
    }

    @Override
    String action() {
      return "pause";
    }
  }

  @Command(name = "resume", description = "Continue a paused rollout.")
  static final class Resume extends RolloutAction {
    Resume(Cli cli) {
      super(cli);
    }

    @Override
    String action() {
      return "resume";
    }
  }

  @Command(
      name = "rollback",
      description = {
        "Bring every touched environment back to all of its starting heads.",
        "A rollback that would drop tables or columns holding rows waits for 'rollout approve ID"
            + " --allow-data-loss', unless --allow-data-loss is given here."
      })
  static final class Rollback extends RolloutAction {
    @Option(
        names = "--allow-data-loss",
        description = "Approve up front dropping tables and columns that hold rows.")
    boolean allowDataLoss;

    @Option(names = "--by", description = "Who asks, for the event log (default: user@host).")
    String by;

    Rollback(Cli cli) {
      super(cli);
    }

    @Override
    String query() {
      return allowDataLoss ? "?allow_data_loss=true" : "";
    }

    @Override
    JsonObject body() {
      return new JsonObject().put("by", by == null ? Who.me() : by);
    }

    @Override
    String action() {
      return "rollback";
    }
  }

  /** Who calls, for the coordinator's event log. */
  static final class Who {
    private Who() {}

    static String me() {
      String host = System.getenv("HOSTNAME");
      if (host == null || host.isBlank()) {
        try {
          host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
          host = "unknown host";
        }
      }
      return System.getProperty("user.name") + "@" + host + " (convoy rollout)";
    }
  }
}
