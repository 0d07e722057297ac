package dev.convoy.cli;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.state.StateStore;
import dev.convoy.agent.state.Who;
import dev.convoy.coordinator.Coordinator;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.MigrationDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

@picocli.CommandLine.Command(
    name = "demo",
    description = {
      "Roll the example migrations through dev, staging and prod on the local PostgreSQL and"
          + " Redis.",
      "It runs a coordinator and one agent per environment, with live progress. Running it again"
          + " starts over."
    })
final class DemoCommand implements Callable<Integer> {
  private static final List<String> ENVS = List.of("dev", "staging", "prod");

  /** The example app before the seed's email change: author and book exist. */
  private static final String SEEDED_AT = "2b3c4d5e6f70";

  private final Cli cli;

  @Option(
      names = "--server",
      defaultValue = "postgresql://postgres@127.0.0.1:5432/postgres",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = {
        "A PostgreSQL URL whose user may create databases (CONVOY_SERVER).",
        "Its default, the local server as postgres, is postgresql://postgres@127.0.0.1:5432/postgres."
      })
  String server;

  @Option(
      names = "--redis",
      defaultValue = "redis://127.0.0.1:6379",
      description = "The Redis server the demo's coordinator and agents use.")
  String redis;

  @Option(
      names = "--dir",
      defaultValue = "migrations",
      description = "The directory holding the migrations the demo rolls out.")
  Path dir;

  @Option(
      names = "--authors",
      defaultValue = "100000",
      description = "How many authors (each with books) are seeded in every environment.")
  int authors;

  @Option(
      names = "--serve",
      negatable = true,
      description =
          "Keep the coordinator and agents"
              + " running after the rollout (default: only on a terminal).")
  Boolean serve;

  DemoCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() throws Exception {
    if (authors < 1) {
      throw new ConvoyException(ErrorCode.BAD_INPUT, "--authors must be at least 1");
    }
    DatabaseUrl base = new DatabaseUrl(server);
    MigrationDirectory.load(dir); // a broken directory stops here, before anything is created
    say("Creating databases convoy_demo_{dev,staging,prod,control} on " + base.redacted());
    try (TextSession admin = PgSession.openText(base, "convoy demo")) {
      for (String db : List.of("dev", "staging", "prod", "control")) {
        admin.execute("DROP DATABASE IF EXISTS convoy_demo_" + db + " WITH (FORCE)");
        admin.execute("CREATE DATABASE convoy_demo_" + db);
      }
    }
    for (String env : ENVS) {
      seed(env, base.withDatabase("convoy_demo_" + env));
    }
    String ns = "demo";
    clearRedis(ns);
    String token = random();
    String key = random();
    int port = free(8080);
    Coordinator coordinator =
        new Coordinator(
                cli.vertx(),
                new Coordinator.Config(
                    "demo-coordinator",
                    base.withDatabase("convoy_demo_control").url(),
                    ENVS,
                    redis,
                    ns,
                    port,
                    dir,
                    token,
                    key,
                    Duration.ofSeconds(5),
                    Duration.ofMillis(100),
                    Coordinator.Config.EVENT_WINDOW,
                    // Loopback only, so the dashboard may read without a token; changes still
                    // need the demo's random API token.
                    Coordinator.Config.LOOPBACK,
                    null,
                    true,
                    null))
            .start();
    List<AgentDaemon> agents = new ArrayList<>();
    try {
      for (String env : ENVS) {
        agents.add(
            new AgentDaemon(
                    cli.vertx(),
                    new AgentDaemon.Config(
                        env,
                        base.withDatabase("convoy_demo_" + env),
                        redis,
                        ns,
                        dir,
                        key,
                        "demo-agent-" + env,
                        free(9100 + ENVS.indexOf(env) + 1),
                        "convoy",
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(15),
                        EngineTuning.DEFAULTS))
                .start());
      }
      String api = "http://127.0.0.1:" + coordinator.httpPort();
      waitForAgents(coordinator);
      RolloutCommand.Api client = new RolloutCommand.Api();
      client.api = api;
      String id =
          client
              .callWith(
                  token,
                  "POST",
                  "/api/rollouts",
                  new JsonObject()
                      .put("target", "head")
                      .put("strategy", "expand-first")
                      .put("by", "convoy demo"))
              .getString("id");
      say("Rollout " + id + ": example migrations to head, expand-first, dev -> staging -> prod");
      JsonObject r = follow(client, token, id);
      say("");
      for (String env : ENVS) {
        try (TextSession db =
            PgSession.openText(base.withDatabase("convoy_demo_" + env), "convoy demo")) {
          say(
              String.format(
                  "  %-8s at %s (%s authors, %s NULL emails)",
                  env,
                  String.join(",", new StateStore("convoy").heads(db)),
                  db.value("SELECT count(*) FROM author"),
                  db.value("SELECT count(*) FROM author WHERE email IS NULL")));
        }
      }
      say("");
      say(
          "Console and API: "
              + api
              + "   (GET /api/rollouts, /api/environments, /health; reads are open, the demo"
              + " listens on 127.0.0.1 only)");
      say("Coordinator metrics: " + api + "/metrics");
      for (AgentDaemon a : agents) {
        say("Agent metrics: http://127.0.0.1:" + a.metricsPort() + "/metrics");
      }
      boolean keep = serve == null ? cli.interactive() : serve;
      if (keep) {
        say("Serving until Ctrl-C (run again with --no-serve to exit at once).");
        coordinator.awaitStop();
      }
      return r.getString("state").equals("succeeded") ? 0 : 1;
    } finally {
      for (AgentDaemon a : agents) {
        a.close();
      }
      coordinator.close();
    }
  }

  private void seed(String env, DatabaseUrl url) {
    EngineConfig config = new EngineConfig(url, "convoy", EngineTuning.DEFAULTS, Who.local());
    new Migrator(cli::vertx, config, () -> MigrationDirectory.load(dir), MigrationListener.SILENT)
        .upgrade(SEEDED_AT);
    try (TextSession db = PgSession.openText(url, "convoy demo")) {
      db.execute(
          "INSERT INTO author (name) SELECT 'Author ' || g FROM generate_series(1, "
              + authors
              + ") g; INSERT INTO book (title, author_id) SELECT 'Book ' || g, g FROM"
              + " generate_series(1, "
              + authors
              + ") g; ANALYZE author; ANALYZE book");
    }
    say(String.format("Seeded %s: %,d authors and books, at revision %s", env, authors, SEEDED_AT));
  }

  private void clearRedis(String ns) {
    Redis r = Redis.createClient(cli.vertx(), redis);
    try {
      Request del =
          Request.cmd(Command.DEL).arg("convoy:" + ns + ":leader").arg("convoy:" + ns + ":events");
      for (String env : ENVS) {
        del.arg("convoy:" + ns + ":cmd:" + env);
      }
      r.send(del).await();
    } catch (RuntimeException e) {
      throw new ConvoyException(
          ErrorCode.CONNECTION_FAILED,
          "cannot reach Redis at "
              + redis
              + ": "
              + e.getMessage()
              + ". Start it (redis-server) or pass --redis.",
          e);
    } finally {
      r.close();
    }
  }

  private void waitForAgents(Coordinator c) throws InterruptedException {
    long until = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < until) {
      boolean all = true;
      for (Object o : c.environmentsView()) {
        JsonArray a = ((JsonObject) o).getJsonArray("agents");
        all &= a.stream().anyMatch(x -> ((JsonObject) x).getBoolean("alive"));
      }
      if (all && c.leader()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new ConvoyException(
        ErrorCode.CONNECTION_FAILED,
        "the demo's agents did not report within 15 s; is Redis at " + redis + " reachable?");
  }

  /**
   * Shows the rollout as it changes until it ends. At the deploy window (expand done everywhere,
   * contract gate closed) the demo stands in for a deploy pipeline and releases it, as a pipeline
   * would once the new application is out: the demo keeps finishing on its own.
   */
  private JsonObject follow(RolloutCommand.Api client, String token, String id)
      throws InterruptedException {
    String last = "";
    boolean released = false;
    while (true) {
      JsonObject r = client.call("GET", "/api/rollouts/" + id, null);
      String view = RolloutView.render(r);
      if (!view.equals(last)) {
        if (cli.interactive() && !last.isEmpty()) {
          cli.out().print("\033[" + (last.split("\n").length) + "A\033[J");
        }
        cli.out().println(view);
        cli.out().flush();
        last = view;
      }
      if (RolloutView.ended(r.getString("state"))) {
        return r;
      }
      JsonObject waiting = r.getJsonObject("waiting_for");
      if (!released && waiting != null && "deploy".equals(waiting.getString("kind"))) {
        say(
            "The demo stands in for your deploy pipeline: the new application would ship now;"
                + " it calls 'convoy rollout deployed "
                + id
                + "'.");
        last = "";
        client.callWith(
            token,
            "POST",
            "/api/rollouts/" + id + "/deployed",
            new JsonObject().put("by", "convoy demo, standing in for the deploy pipeline"));
        released = true;
      }
      Thread.sleep(250);
    }
  }

  private static int free(int preferred) {
    try (ServerSocket s = new ServerSocket(preferred)) {
      return preferred;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static String random() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private void say(String line) {
    cli.out().println(line);
    cli.out().flush();
  }
}
