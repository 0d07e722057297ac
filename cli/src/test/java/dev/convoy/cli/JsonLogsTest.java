package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and agents started as {@code convoy coordinator|agent} with CONVOY_LOG_FORMAT=json
 * write nothing but JSON objects, one per line, naming the rollout, environment, step and epoch of
 * the work they log; PostgreSQL's notices are debug lines on both database clients, its warnings
 * stay warnings.
 */
class JsonLogsTest {
  private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  @TempDir Path dir;
  @TempDir Path logs;

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    // A plain revision: runs on the agent's blocking (pgjdbc) connection.
    files.sql(
        "logs0001",
        null,
        "CREATE TABLE item (id bigint PRIMARY KEY);\n"
            + "DROP TABLE IF EXISTS gone_plain;\n"
            + "DO $$ BEGIN RAISE WARNING 'the plain revision warns'; END $$;",
        "DROP TABLE item;\nDROP TABLE IF EXISTS gone_plain_down;");
    // Outside a transaction: a phased step, on the agent's Vert.x connection.
    files.yaml(
        "logs0002",
        "logs0001",
        "transactional: false\n",
        "  - op: sql\n    transactional: false\n    up: \"DROP TABLE IF EXISTS gone_phased\"\n"
            + "    down: \"DROP TABLE IF EXISTS gone_phased_down\"\n"
            + "  - op: sql\n    transactional: false\n"
            + "    up: \"DO $$ BEGIN RAISE WARNING 'the phased step warns'; END $$\"\n"
            + "    down: \"SELECT 1\"\n");
    // Fails in prod only: the rollout rolls back, running downgrades in both environments.
    files.sql(
        "logs0003",
        "logs0002",
        "DO $$ BEGIN IF current_database() LIKE '%prod%' THEN"
            + " RAISE EXCEPTION 'prod refuses this'; END IF; END $$;",
        "SELECT 1;");
  }

  @Test
  void an_unknown_log_format_or_level_is_one_clear_line() {
    ConvoyShell.exec(
            "coordinator", "--control-url", "postgresql://127.0.0.1:1/x", "--log-format", "xml")
        .exits(2)
        .errContains("error: --log-format 'xml' must be text or json (env CONVOY_LOG_FORMAT)");
    ConvoyShell.exec(
            "agent", "--env", "dev", "--url", "postgresql://127.0.0.1:1/x", "--log-level", "loud")
        .exits(2)
        .errContains("error: --log-level 'loud' must be error, warn, info, debug or trace");
  }

  @Test
  void a_coordinator_and_agents_logging_json_write_one_object_per_line_naming_the_rollout()
      throws Exception {
    migrations();
    List<Process> children = new ArrayList<>();
    try (Topology t = new Topology(dir, List.of("dev", "prod"))) {
      try {
        rollOut(t, children);
      } finally {
        stop(children);
      }
    }
  }

  private void rollOut(Topology t, List<Process> children) throws Exception {
    Map<String, String> json = Map.of("CONVOY_LOG_FORMAT", "json");
    ChildConvoy.Child c = ChildConvoy.coordinator(t, logs, "c1", t.redisUrl, "5s", json);
    children.add(c.process());
    for (String env : t.envs) {
      children.add(
          ChildConvoy.agent(
              t,
              logs.resolve("agent-" + env + ".log"),
              env,
              "agent-" + env,
              Map.of("CONVOY_LOG_FORMAT", "json", "CONVOY_LOG_LEVEL", "debug")));
    }
    ChildConvoy.awaitLeader(c.port(), true, logs.resolve("c1.log"));
    ChildConvoy.awaitAgentsHeard(c.port(), t.envs.size());
    String id = ChildConvoy.startRollout(c.port(), new JsonObject().put("contract_gate", "auto"));
    JsonObject done = ChildConvoy.awaitEnd(c.port(), id);
    assertEquals("rolled_back", done.getString("state"), done.encodePrettily());

    List<JsonObject> coordinator = lines(logs.resolve("c1.log"));
    List<JsonObject> dev = lines(logs.resolve("agent-dev.log"));
    List<JsonObject> prod = lines(logs.resolve("agent-prod.log"));
    assertTrue(
        coordinator.stream().anyMatch(about(id, "prod")),
        "the coordinator names the rollout, env, step and epoch of a step it sends:\n"
            + coordinator);
    assertTrue(
        prod.stream().anyMatch(about(id, "prod").and(l -> l.getString("level").equals("warn"))),
        "prod's agent names the rollout, env, step and epoch of its failed step:\n" + prod);
    assertTrue(dev.stream().anyMatch(about(id, "dev")), dev.toString());
    assertTrue(
        coordinator.stream()
            .anyMatch(
                l ->
                    message(l).contains("took the lease") && l.getValue("epoch") instanceof Number),
        "the line saying the coordinator took the lease names the epoch:\n" + coordinator);
    assertTrue(
        coordinator.stream()
            .anyMatch(about(id, "prod").and(l -> message(l).contains("rolling back"))),
        "the line saying a failed step starts the rollback names its env and step:\n"
            + coordinator);
    for (String env : t.envs) {
      List<JsonObject> agent = env.equals("dev") ? dev : prod;
      List<JsonObject> without =
          agent.stream().filter(l -> !env.equals(l.getString("env"))).toList();
      assertTrue(without.isEmpty(), "every line of " + env + "'s agent names it: " + without);
    }

    for (List<JsonObject> agent : List.of(dev, prod)) {
      assertTrue(
          agent.stream().noneMatch(l -> l.getString("level").equals("warn") && notice(l)),
          "no notice is logged as a warning:\n" + agent);
      for (String table : List.of("gone_plain", "gone_phased")) {
        assertTrue(
            agent.stream()
                .anyMatch(l -> l.getString("level").equals("debug") && message(l).contains(table)),
            "the notice about " + table + " is a debug line:\n" + agent);
      }
      for (String warning : List.of("the plain revision warns", "the phased step warns")) {
        assertTrue(
            agent.stream()
                .anyMatch(l -> l.getString("level").equals("warn") && message(l).contains(warning)),
            "PostgreSQL's WARNING '" + warning + "' stays a warning:\n" + agent);
      }
    }
    assertTrue(
        dev.stream()
            .anyMatch(
                l ->
                    l.getString("level").equals("debug") && message(l).contains("gone_plain_down")),
        "a downgrade's notice is a debug line:\n" + dev);
  }

  /** Stops the children before their databases go; keeps their logs under target/json-logs. */
  private void stop(List<Process> children) throws Exception {
    children.forEach(Process::destroy);
    for (Process p : children) {
      p.waitFor();
    }
    // Kept for a look at what the lines are like.
    Path kept = Path.of("target", "json-logs");
    Files.createDirectories(kept);
    try (var files = Files.list(logs)) {
      for (Path f : files.toList()) {
        Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Every line of {@code log}, each parsed as a JSON object with the fields every line has. */
  private static List<JsonObject> lines(Path log) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      if (line.isEmpty()) {
        continue;
      }
      JsonObject o;
      try {
        o = new JsonObject(line);
      } catch (RuntimeException e) {
        fail(log.getFileName() + " has a line that is not a JSON object: " + line);
        return out;
      }
      assertNotNull(o.getString("time"), line);
      assertTrue(o.getString("time").endsWith("Z"), "time is ISO-8601 UTC: " + line);
      Instant.parse(o.getString("time"));
      assertTrue(LEVELS.contains(o.getString("level")), line);
      assertTrue(!o.getString("logger", "").isEmpty(), line);
      assertNotNull(o.getString("message"), line);
      if (o.containsKey("step")) {
        assertTrue(o.getValue("step") instanceof Number, "step is a number: " + line);
      }
      if (o.containsKey("epoch")) {
        assertTrue(o.getValue("epoch") instanceof Number, "epoch is a number: " + line);
      }
      out.add(o);
    }
    assertTrue(!out.isEmpty(), log + " is empty");
    return out;
  }

  private static Predicate<JsonObject> about(String rollout, String env) {
    return l ->
        rollout.equals(l.getString("rollout"))
            && env.equals(l.getString("env"))
            && l.getValue("step") instanceof Number
            && l.getValue("epoch") instanceof Number;
  }

  private static String message(JsonObject line) {
    return line.getString("message");
  }

  private static boolean notice(JsonObject line) {
    String m = message(line);
    return m.contains("Backend notice") || m.contains("NOTICE") || m.contains("skipping");
  }
}
