package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.BackfillSettings;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.EngineTuning;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console in a real browser: brings up a coordinator and an agent for dev, staging and prod
 * (each environment its own database, a Redis namespace of its own), prepares what the scenarios
 * need, then runs the browser tests in {@code e2e/} ({@code node --test}, playwright-core driving
 * Debian's chromium) against it and fails with their output when they fail. The scenarios are
 * JavaScript because that is where Playwright lives; the topology is Java because {@link Topology}
 * already starts a whole, real Convoy in seconds. The scenarios' screenshots land in {@code
 * cli/target/e2e-screenshots/}, their output in {@code cli/target/e2e-node.log}.
 */
class ConsoleBrowserIT {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path E2E = REPO.resolve("e2e");
  private static final Path TARGET = Path.of("target").toAbsolutePath();

  /** A migration message an unescaping page would turn into an element that runs script. */
  static final String MARKUP = "<img src=x onerror=alert(1)>";

  /** Rows per environment: the backfill the operator watches. */
  static final int ROWS = 100_000;

  /**
   * The agents' backfill is capped at this many rows a second so that 100,000 rows take about five
   * seconds an environment: the bar moves through several progress events (at most two a second)
   * instead of jumping from empty to full.
   */
  static final long ROWS_PER_SECOND = 20_000;

  @TempDir Path dir;

  @Test
  void the_console_starts_a_rollout_shows_its_progress_failures_and_rollbacks_and_escapes_messages()
      throws Exception {
    Path chromium = Path.of(System.getenv().getOrDefault("E2E_CHROMIUM", "/usr/bin/chromium"));
    assertTrue(
        Files.isExecutable(chromium),
        "the browser tests drive Debian's chromium at "
            + chromium
            + ", which is missing: run `bash e2e/run.sh --prepare` (it installs it with apt-get)");
    ensurePlaywright();
    migrations();
    try (Topology t = new Topology(dir)) {
      t.coordinator = t.coordinator("c1");
      for (String env : t.envs) {
        t.agents.add(cappedAgent(t, env));
      }
      t.awaitAgents();
      // The markup message's revision is the root: its rollout is there, finished, for scenario c.
      String markup =
          t.startRollout(new JsonObject().put("target", "e2e0001").put("contract_gate", "auto"));
      JsonObject first = t.awaitEnd(markup, Duration.ofSeconds(120));
      assertEquals("succeeded", first.getString("state"), first.encodePrettily());
      for (String env : t.envs) {
        t.dbs
            .get(env)
            .execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, " + ROWS + ") g");
        t.dbs.get(env).execute("ANALYZE item"); // the backfill's total is the catalog's estimate
      }
      // e2e0003's check holds everywhere but in prod.
      t.dbs.get("prod").execute("UPDATE item SET qty = -1 WHERE id = 4242");
      t.awaitHeads("e2e0001"); // the plan starts from the heartbeats' heads

      NodeRun run =
          node(
              Map.of(
                  "E2E_CONSOLE_URL",
                  t.api() + "/",
                  "E2E_TOKEN",
                  Topology.TOKEN,
                  "E2E_BACKFILL_TARGET",
                  "e2e0002",
                  "E2E_FAILING_TARGET",
                  "e2e0003",
                  "E2E_MARKUP_ROLLOUT",
                  markup,
                  "E2E_MARKUP_MESSAGE",
                  MARKUP,
                  "E2E_SCREENSHOTS",
                  TARGET.resolve("e2e-screenshots").toString(),
                  "E2E_CHROMIUM",
                  chromium.toString()));
      if (run.code() != 0) {
        fail(
            "the browser tests failed (exit "
                + run.code()
                + "; screenshots in "
                + TARGET.resolve("e2e-screenshots")
                + "):\n"
                + run.output());
      }
    }
  }

  /**
   * The three revisions the scenarios use: a root whose message is markup, a column whose backfill
   * walks every row, and a check that a prod row violates.
   */
  private void migrations() throws IOException {
    Path versions = Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        versions.resolve("e2e0001.yaml"),
        "revision: e2e0001\ndown_revision: null\n"
            + "message: \""
            + MARKUP
            + "\"\n"
            + "operations:\n"
            + "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    Files.writeString(
        versions.resolve("e2e0002.yaml"),
        "revision: e2e0002\ndown_revision: e2e0001\n"
            + "message: Label every item (a backfill of every row)\n"
            + "operations:\n"
            + "  - op: add_column\n    table: item\n"
            + "    column: {name: label, type: text, nullable: false}\n"
            + "    backfill: \"'item ' || id\"\n");
    Files.writeString(
        versions.resolve("e2e0003.yaml"),
        "revision: e2e0003\ndown_revision: e2e0002\n"
            + "message: Quantities are positive (prod holds a row that is not)\n"
            + "operations:\n"
            + "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: \"qty > 0\"\n");
  }

  /** An environment's agent as {@link Topology#agent} starts it, with its backfill rate capped. */
  private static AgentDaemon cappedAgent(Topology t, String env) {
    EngineTuning tuning =
        new EngineTuning(
            EngineConfig.DEFAULT_LOCK_TIMEOUT,
            EngineConfig.DEFAULT_LOCK_RETRIES,
            new BackfillSettings(
                BackfillSettings.DEFAULTS.targetBatchTime(),
                BackfillSettings.DEFAULTS.initialBatch(),
                ROWS_PER_SECOND,
                BackfillSettings.DEFAULT_WORKERS));
    return new AgentDaemon(
            t.vertx,
            new AgentDaemon.Config(
                env,
                new DatabaseUrl(t.dbs.get(env).url()),
                t.redisUrl,
                t.namespace,
                t.dir,
                Topology.KEY,
                "agent-" + env,
                0,
                "convoy",
                Duration.ofMillis(500),
                Duration.ofSeconds(3),
                tuning))
        .start(Duration.ofSeconds(60));
  }

  /** Installs playwright-core from e2e/package-lock.json when it is not there yet. */
  private static void ensurePlaywright() throws Exception {
    if (Files.isDirectory(E2E.resolve("node_modules/playwright-core"))) {
      return;
    }
    NodeRun install =
        run(
            List.of("npm", "ci", "--no-audit", "--no-fund"),
            Map.of(),
            TARGET.resolve("e2e-npm.log"),
            300);
    assertEquals(0, install.code(), "npm ci in e2e/ failed:\n" + install.output());
  }

  /** Runs every scenario in e2e/tests, one after another (they share the topology). */
  private static NodeRun node(Map<String, String> env) throws Exception {
    List<String> command =
        new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec"));
    try (Stream<Path> files = Files.list(E2E.resolve("tests"))) {
      files
          .map(p -> "tests/" + p.getFileName())
          .filter(n -> n.endsWith(".test.mjs"))
          .sorted()
          .forEach(command::add);
    }
    return run(command, env, TARGET.resolve("e2e-node.log"), 360);
  }

  private record NodeRun(int code, String output) {}

  /**
   * Runs a command in e2e/ with its output in {@code log}; past {@code seconds} it and its children
   * (node's test processes, chromium) are ended and the run fails.
   */
  private static NodeRun run(List<String> command, Map<String, String> env, Path log, long seconds)
      throws Exception {
    Files.createDirectories(log.getParent());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(E2E.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError(
          command.get(0)
              + " is not installed: run `bash e2e/run.sh --prepare` (it installs Node.js, npm and"
              + " chromium with apt-get)",
          e);
    }
    boolean ended = p.waitFor(seconds, TimeUnit.SECONDS);
    if (!ended) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    System.out.println(output);
    return new NodeRun(
        ended ? p.exitValue() : -1, ended ? output : output + "\n(ended after " + seconds + " s)");
  }
}
