package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.rollout.BuildVersion;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The alerting rules (deploy/prometheus/alerts.yml) and the Grafana dashboard
 * (deploy/grafana/convoy.json) read only metrics a real coordinator or agent serves. The names are
 * parsed out of the two files, so a rule or a panel added later is checked too.
 */
class MetricsServedTest {
  static final Path ALERTS = Path.of("..", "deploy", "prometheus", "alerts.yml");
  static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "convoy.json");
  private static final Pattern NAME = Pattern.compile("\\bconvoy_[a-z0-9_]+\\b");

  @TempDir Path dir;

  @Test
  void every_metric_the_alerts_and_the_dashboard_read_is_served_during_and_after_a_rollout()
      throws Exception {
    Set<String> alerts = alertNames();
    Set<String> dashboard = dashboardNames();
    assertTrue(alerts.size() >= 10, "names found in alerts.yml: " + alerts);
    assertTrue(dashboard.size() >= 15, "names found in convoy.json: " + dashboard);
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String first =
          t.startRollout(new JsonObject().put("target", "mets0001").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      for (String env : Topology.ENVS) {
        t.dbs.get(env).execute("INSERT INTO item SELECT g, 1 FROM generate_series(1, 20000) g");
      }
      t.awaitHeads("mets0001");
      // Held in its deploy window after the expand: a scrape is sure to see the rollout running.
      String id = t.startRollout(new JsonObject().put("target", "head"));
      t.awaitRollout(id, "to wait in its deploy window", r -> waiting(r));
      List<String> during = scrapes(t);
      assertEquals(
          200, t.http("POST", "/api/rollouts/" + id + "/deployed", null, true).statusCode());
      assertEquals("succeeded", t.awaitEnd(id, Duration.ofSeconds(120)).getString("state"));
      // The stage gauges are set by the round after the one that finished the rollout.
      Poll.until(
          Duration.ofSeconds(60),
          "the metrics to show prod done",
          () -> t.http("GET", "/metrics", null, false).body(),
          m -> m.contains("convoy_rollout_stage_state{env=\"prod\"} 3.0"));
      List<String> after = scrapes(t);

      Set<String> served = new TreeSet<>();
      during.forEach(s -> served.addAll(names(s)));
      after.forEach(s -> served.addAll(names(s)));
      Set<String> missing = new TreeSet<>(alerts);
      missing.addAll(dashboard);
      missing.removeAll(served);
      assertEquals(Set.of(), missing, "read by alerts.yml or convoy.json but not served");

      String version = BuildVersion.current();
      assertTrue(
          after
              .get(0)
              .contains(
                  "convoy_build_info{component=\"coordinator\",version=\"" + version + "\"} 1"),
          after.get(0));
      for (String agent : after.subList(1, after.size())) {
        assertTrue(
            agent.contains("convoy_build_info{component=\"agent\",version=\"" + version + "\"} 1"),
            agent);
      }
      // Step durations and lock waits say what the step did and which revision it reached.
      assertTrue(
          after
              .get(0)
              .contains(
                  "convoy_step_duration_seconds_count{env=\"prod\",op=\"expand\","
                      + "revision=\"mets0002\"} 1"),
          after.get(0));
      String prodAgent = after.get(after.size() - 1);
      assertTrue(
          Pattern.compile(
                  "convoy_step_duration_seconds_count\\{action=\"upgrade\",env=\"prod\","
                      + "op=\"upgrade\",phase=\"all\",revision=\"mets0002\"} 1")
              .matcher(prodAgent)
              .find(),
          prodAgent);
      assertTrue(
          prodAgent.contains(
              "convoy_lock_wait_seconds_count{env=\"prod\",op=\"expand\",revision=\"mets0002\"} 1"),
          prodAgent);
      Matcher done =
          Pattern.compile("convoy_backfill_rows_done\\{env=\"prod\"} (\\S+)").matcher(prodAgent);
      assertTrue(done.find() && Double.parseDouble(done.group(1)) == 20000, prodAgent);
    }
  }

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "mets0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "mets0002",
        "mets0001",
        "  - op: add_column\n    table: item\n    column: {name: label, type: text, nullable:"
            + " false}\n    backfill: \"'item ' || id\"\n");
  }

  private static boolean waiting(JsonObject rollout) {
    return Topology.state(rollout).equals("waiting");
  }

  /** The coordinator's scrape first, then each agent's in stage order. */
  private static List<String> scrapes(Topology t) throws Exception {
    List<String> out = new ArrayList<>();
    out.add(t.http("GET", "/metrics", null, false).body());
    for (AgentDaemon agent : t.agents) {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + agent.metricsPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      out.add(r.body());
    }
    return out;
  }

  /** The names of the samples of a Prometheus scrape. */
  static Set<String> names(String scrape) {
    Set<String> out = new TreeSet<>();
    for (String line : scrape.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        out.add(line.split("[{ ]", 2)[0]);
      }
    }
    return out;
  }

  /** The convoy_ metrics the expressions of alerts.yml read. */
  @SuppressWarnings("unchecked")
  static Set<String> alertNames() throws IOException {
    Set<String> out = new TreeSet<>();
    try (InputStream in = Files.newInputStream(ALERTS)) {
      Map<String, Object> doc = new Yaml().load(in);
      for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
        for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
          out.addAll(metricNames((String) rule.get("expr")));
        }
      }
    }
    return out;
  }

  /** The convoy_ metrics the panels, annotations and variables of convoy.json query. */
  static Set<String> dashboardNames() throws IOException {
    Set<String> out = new TreeSet<>();
    walk(new JsonObject(Files.readString(DASHBOARD)), out);
    return out;
  }

  private static void walk(Object node, Set<String> out) {
    if (node instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        if (Set.of("expr", "query", "definition").contains(e.getKey())
            && e.getValue() instanceof String s) {
          out.addAll(metricNames(s));
        } else {
          walk(e.getValue(), out);
        }
      }
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> walk(v, out));
    }
  }

  private static Set<String> metricNames(String expr) {
    Set<String> out = new TreeSet<>();
    Matcher m = NAME.matcher(expr);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
