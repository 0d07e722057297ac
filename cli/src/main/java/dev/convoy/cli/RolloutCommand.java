package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "rollout",
    description = "Start and follow rollouts through a coordinator's HTTP API.",
    subcommands = {
      RolloutCommand.Start.class,
      RolloutCommand.Status.class,
      RolloutAction.Approve.class,
      RolloutAction.Deployed.class,
      RolloutAction.Pause.class,
      RolloutAction.Resume.class,
      RolloutAction.Rollback.class
    })
final class RolloutCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Options every rollout subcommand shares. */
  static class Api {
    @Option(
        names = "--api",
        defaultValue = "http://127.0.0.1:8080",
        description = "The URL of the coordinator's HTTP API (CONVOY_API_URL).")
    String api;

    @Option(names = "--json", description = "Print the API's JSON.")
    boolean json;

    @Option(
        names = "--token-file",
        description =
            "File holding the API token (default: CONVOY_API_TOKEN, CONVOY_API_TOKEN_FILE; reads"
                + " fall back to the read-only CONVOY_READ_TOKEN, CONVOY_READ_TOKEN_FILE).")
    java.nio.file.Path tokenFile;

    JsonObject call(String method, String path, JsonObject body) {
      String token;
      try {
        token =
            tokenFile == null
                ? Secrets.get("CONVOY_API_TOKEN", false)
                : java.nio.file.Files.readString(tokenFile).strip();
        if (token == null && method.equals("GET")) {
          token = Secrets.get("CONVOY_READ_TOKEN", false);
        }
      } catch (IOException e) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "--token-file " + tokenFile + " cannot be read: " + e.getMessage());
      }
      return callWith(token, method, path, body);
    }

    JsonObject callWith(String token, String method, String path, JsonObject body) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(api.replaceAll("/+$", "") + path))
              .timeout(Duration.ofSeconds(30))
              .header("content-type", "application/json");
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      b.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body.encode()));
      HttpResponse<String> r;
      try {
        r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new ConvoyException(
            ErrorCode.CONNECTION_FAILED,
            "cannot reach the coordinator at "
                + api
                + ": "
                + (e instanceof java.net.ConnectException
                    ? "connection refused"
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + ". Is 'convoy coordinator' running? (--api or CONVOY_API_URL)");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      JsonObject answer;
      try {
        answer = r.body().isBlank() ? new JsonObject() : new JsonObject(r.body());
      } catch (RuntimeException e) {
        throw new ConvoyException(
            ErrorCode.CONNECTION_FAILED,
            "the server at "
                + api
                + " answered "
                + r.statusCode()
                + " with something that is not JSON; is --api (CONVOY_API_URL) a Convoy"
                + " coordinator?");
      }
      if (r.statusCode() >= 400) {
        throw new ConvoyException(
            List.of(400, 401, 403, 404, 405, 409, 413, 415).contains(r.statusCode())
                ? ErrorCode.BAD_INPUT
                : ErrorCode.CONNECTION_FAILED,
            "coordinator answered " + r.statusCode() + ": " + answer.getString("error", r.body()));
      }
      return answer;
    }
  }

  @Command(
      name = "start",
      description = "Start a rollout to TARGET (head unless given, as an argument or with --to).")
  static final class Start implements Callable<Integer> {
    private final Cli cli;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin Api api = new Api();

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "TARGET",
        description = "The revision to roll out to: head, heads or a revision id (as --to).")
    String positional;

    @Option(
        names = "--to",
        defaultValue = "head",
        description = "The revision to roll out to: head, heads or a revision id.")
    String target;

    @Option(
        names = "--strategy",
        defaultValue = "expand-first",
        description =
            "How the rollout moves: expand-first runs expand and backfill in every environment,"
                + " waits at the contract gate (the deploy window), then contracts each;"
                + " per-environment runs every phase in one environment before the next.")
    String strategy;

    @Option(
        names = "--gate",
        showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
        description =
            "A gate before an environment's stage, as ENV=GATE (repeatable): auto goes on at once,"
                + " approval waits for 'rollout approve', soak:30s waits that long after the"
                + " stage before it finished; versions-drained[:30s] holds the environment's"
                + " contract until no session of an old application version was seen there for"
                + " that long (default: the coordinator's --drain-quiet; expand-first only).")
    List<String> gates = new ArrayList<>();

    @Option(
        names = "--rollback",
        defaultValue = "all",
        description =
            "What a failed step rolls back: all takes every touched environment back to its"
                + " starting revision, failed only the environment that failed, none leaves"
                + " every environment as it is.")
    String rollback;

    @Option(
        names = "--contract-gate",
        paramLabel = "GATE",
        description =
            "For expand-first, what ends the deploy window between expand (done in every environment)"
                + " and contract: approval (default; 'rollout approve ID' or 'rollout deployed"
                + " ID'), deployed (only 'rollout deployed ID', from a deploy pipeline),"
                + " soak:<duration>, versions-drained[:<duration>] (each environment's contract"
                + " waits for its old versions to drain), or auto (no window).")
    String contractGate;

    Start(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() {
      if (positional != null) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--to")
            && !positional.equals(target)) {
          throw new ConvoyException(
              ErrorCode.BAD_INPUT,
              "rollout start got two targets, '"
                  + positional
                  + "' and --to '"
                  + target
                  + "'; give one of them.");
        }
        target = positional;
      }
      JsonObject g = new JsonObject();
      for (String gate : gates) {
        int eq = gate.indexOf('=');
        if (eq <= 0) {
          throw new ConvoyException(
              ErrorCode.BAD_INPUT, "--gate '" + gate + "' must be ENV=GATE, e.g. prod=approval");
        }
        g.put(gate.substring(0, eq), gate.substring(eq + 1));
      }
      JsonObject r =
          api.call(
              "POST",
              "/api/rollouts",
              new JsonObject()
                  .put("target", target)
                  .put("strategy", strategy)
                  .put("gates", g)
                  .put("rollback", rollback)
                  .put("contract_gate", contractGate)
                  .put("by", startedBy()));
      cli.out()
          .println(
              api.json
                  ? r.encodePrettily()
                  : "Rollout "
                      + r.getString("id")
                      + " started; follow it with 'convoy rollout status "
                      + r.getString("id")
                      + " --watch'");
      cli.out().flush();
      return 0;
    }
  }

  @Command(
      name = "status",
      description = "Show a rollout (default: the latest), --watch to follow.")
  static final class Status implements Callable<Integer> {
    private final Cli cli;
    @picocli.CommandLine.Mixin Api api = new Api();

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "ID",
        description = "The rollout's id (default: the latest).")
    String id;

    @Option(
        names = "--watch",
        description =
            "Follow the rollout until it ends: on a terminal the status is redrawn every second;"
                + " otherwise (a pipe, a CI log) one line is printed each time it changes.")
    boolean watch;

    Status(Cli cli) {
      this.cli = cli;
    }

    @Override
    public Integer call() throws InterruptedException {
      boolean redraw = watch && cli.interactive() && !api.json;
      String last = null;
      while (true) {
        JsonObject r = fetch();
        if (r == null) {
          cli.out().println("No rollouts yet: start one with 'convoy rollout start'.");
          cli.out().flush();
          return 0;
        }
        if (!watch || redraw) {
          if (redraw) {
            cli.out().print("\033[H\033[2J");
          }
          cli.out().println(api.json ? r.encodePrettily() : RolloutView.render(r));
        } else {
          // No terminal: a line when something changed, never the same one twice.
          String line = RolloutView.line(r);
          if (!line.equals(last)) {
            cli.out()
                .println(
                    api.json ? r.encode() : java.time.LocalTime.now().withNano(0) + " " + line);
            last = line;
          }
          if (RolloutView.ended(r.getString("state")) && !api.json) {
            // The end in full, once: every stage, and a failed step's whole error.
            cli.out().println(RolloutView.render(r));
          }
        }
        cli.out().flush();
        String state = r.getString("state");
        if (!watch || RolloutView.ended(state)) {
          return state.equals("failed") ? 1 : 0;
        }
        Thread.sleep(1000);
      }
    }

    private JsonObject fetch() {
      if (id != null) {
        return api.call("GET", "/api/rollouts/" + id, null);
      }
      JsonArray all = api.call("GET", "/api/rollouts", null).getJsonArray("rollouts");
      return all.isEmpty() ? null : all.getJsonObject(0);
    }
  }

  /**
   * Who starts a rollout from the command line, as the console and the event log show it: the local
   * user (no host lookup, which can stall on a badly configured resolver).
   */
  static String startedBy() {
    return System.getProperty("user.name", "someone") + " (convoy rollout start)";
  }
}
