package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to the coordinator's HTTP API: malformed JSON, wrong types, unknown fields and values,
 * a body over 1 MB, unknown rollout ids, actions and environments, and illegal transitions are each
 * answered 400/404/405/409/413/415 with {@code {"error", "field", "rule"}} naming the field, never
 * 500 and never a hang; none of them creates a rollout, and valid rollouts still succeed after.
 */
class ApiInputTest {
  @TempDir Path dir;

  private final List<String> answered = new ArrayList<>();

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "api00001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "api00002",
        "api00001",
        "  - op: add_column\n    table: item\n    column: {name: note, type: text}\n");
  }

  /** One request; the answer must come within 30 s (the machine may be loaded), never hang. */
  private HttpResponse<String> send(
      Topology t, String method, String path, String contentType, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create(t.api() + path))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + Topology.TOKEN)
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body));
      if (contentType != null) {
        b.header("content-type", contentType);
      }
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + " got no answer: " + e, e);
    }
  }

  /** Sends a bad request and checks the status and the field the answer names. */
  private JsonObject refused(
      Topology t, String method, String path, String body, int status, String field) {
    return refused(t, method, path, "application/json", body, status, field);
  }

  private JsonObject refused(
      Topology t,
      String method,
      String path,
      String contentType,
      String body,
      int status,
      String field) {
    HttpResponse<String> r = send(t, method, path, contentType, body);
    String what = method + " " + path + " " + abbreviated(body) + " -> " + r.body();
    answered.add(r.statusCode() + " " + what);
    assertEquals(status, r.statusCode(), what);
    assertTrue(
        r.headers().firstValue("content-type").orElse("").startsWith("application/json"), what);
    JsonObject answer = new JsonObject(r.body());
    assertEquals(field, answer.getString("field"), what);
    assertTrue(!answer.getString("error", "").isBlank(), "a sentence says what: " + what);
    assertTrue(answer.getString("rule") != null, "the rule is named: " + what);
    assertTrue(!r.body().contains("Exception"), "no stack trace: " + what);
    return answer;
  }

  private static String abbreviated(String body) {
    return body == null ? "" : body.length() > 60 ? body.substring(0, 60) + "…" : body;
  }

  private String rolloutsInControl(Topology t) {
    return t.control.scalar("SELECT count(*)::text FROM convoy_control.rollouts");
  }

  @Test
  void bad_requests_are_refused_naming_the_field_and_the_rule_then_valid_rollouts_succeed() {
    migrations();
    try (Topology t = new Topology(dir)) {
      t.start();
      String start = "/api/rollouts";
      refused(t, "POST", start, "{\"target\": \"head\"", 400, "body");
      refused(t, "POST", start, "[1, 2]", 400, "body");
      refused(t, "POST", start, "\"head\"", 400, "body");
      refused(t, "POST", start, "null", 400, "body");
      refused(t, "POST", start, "{\"target\": 5}", 400, "target");
      refused(t, "POST", start, "{\"target\": [\"head\"]}", 400, "target");
      JsonObject typo =
          refused(t, "POST", start, "{\"stratgy\": \"expand-first\"}", 400, "stratgy");
      assertTrue(
          typo.getString("error").contains("target, strategy, gates, rollback, contract_gate"),
          "an unknown field lists the known ones: " + typo);
      refused(t, "POST", start, "{\"strategy\": \"expand-frist\"}", 400, "strategy");
      refused(t, "POST", start, "{\"strategy\": 1}", 400, "strategy");
      refused(t, "POST", start, "{\"gates\": \"prod=approval\"}", 400, "gates");
      refused(t, "POST", start, "{\"gates\": [\"prod\"]}", 400, "gates");
      refused(t, "POST", start, "{\"gates\": {\"nope\": \"approval\"}}", 400, "gates.nope");
      refused(t, "POST", start, "{\"gates\": {\"prod\": \"aproval\"}}", 400, "gates.prod");
      refused(t, "POST", start, "{\"gates\": {\"prod\": 30}}", 400, "gates.prod");
      refused(t, "POST", start, "{\"gates\": {\"prod\": \"soak:forever\"}}", 400, "gates.prod");
      refused(t, "POST", start, "{\"rollback\": \"some\"}", 400, "rollback");
      refused(t, "POST", start, "{\"contract_gate\": \"later\"}", 400, "contract_gate");
      refused(t, "POST", start, "{\"contract_gate\": true}", 400, "contract_gate");
      refused(
          t,
          "POST",
          start,
          "{\"strategy\": \"per-environment\", \"contract_gate\": \"auto\"}",
          400,
          "contract_gate");
      refused(t, "POST", start, "{\"target\": \"nosuchrev\"}", 400, "target");
      refused(t, "POST", start, "{\"target\": \"head-99999999999999999999\"}", 400, "target");
      refused(t, "POST", start, "{\"target\": \"" + "a".repeat(300) + "\"}", 400, "target");
      refused(t, "POST", start + "?dry_run=1", "{}", 400, "dry_run");
      refused(t, "POST", start, "text/plain", "{}", 415, "content-type");
      refused(
          t,
          "POST",
          start,
          "application/x-www-form-urlencoded",
          "target=head",
          415,
          "content-type");
      String big = "{\"target\": \"head\", \"pad\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}";
      refused(t, "POST", start, big, 413, "body");
      refused(t, "PUT", start, "{}", 405, "method");
      refused(t, "GET", "/api/nothing", null, 404, "path");
      refused(t, "GET", "/api/rollouts/nope", null, 404, "id");
      refused(t, "GET", "/api/rollouts/%00%27", null, 404, "id");
      refused(t, "POST", "/api/rollouts/nope/approve", null, 404, "id");
      refused(t, "POST", "/api/rollouts/nope/launch", null, 404, "action");
      refused(t, "GET", "/api/events?after=yesterday", null, 400, "after");
      assertEquals("0", rolloutsInControl(t), "no bad request started a rollout");

      // A rollout waiting at prod's approval gate: what it may and may not be asked.
      String id =
          t.startRollout(
              new JsonObject()
                  .put("target", "api00001")
                  .put("strategy", "per-environment")
                  .put("gates", new JsonObject().put("prod", "approval")));
      String at = "/api/rollouts/" + id;
      t.awaitRollout(id, "to wait at prod's approval", r -> Topology.state(r).equals("waiting"));
      refused(t, "POST", at + "/resume", null, 409, "state");
      refused(t, "POST", at + "/approve?env=dev", null, 409, "env");
      refused(t, "POST", at + "/approve?env=nope", null, 400, "env");
      refused(t, "POST", at + "/approve?envv=prod", null, 400, "envv");
      refused(t, "POST", at + "/approve", "{\"by\": 7}", 400, "by");
      refused(t, "POST", at + "/approve", "{\"who\": \"me\"}", 400, "who");
      refused(t, "POST", at + "/approve", "{by: me}", 400, "body");
      refused(t, "POST", at + "/deployed", null, 409, "state");
      refused(t, "POST", at + "/promote", null, 404, "action");
      assertEquals(
          200, send(t, "POST", at + "/approve?env=prod", null, "{\"by\": \"ci\"}").statusCode());
      JsonObject done = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("succeeded", done.getString("state"), done.encodePrettily());

      // A finished rollout takes no more transitions.
      refused(t, "POST", at + "/approve", null, 409, "state");
      refused(t, "POST", at + "/approve?env=prod", null, 409, "state");
      refused(t, "POST", at + "/resume", null, 409, "state");
      refused(t, "POST", at + "/pause", null, 409, "state");
      refused(t, "POST", at + "/deployed", null, 409, "state");
      assertTrue(answered.size() >= 25, answered.size() + " bad requests");
      assertTrue(
          answered.stream().noneMatch(a -> a.startsWith("500")), String.join("\n", answered));

      t.awaitHeads("api00001");
      String last =
          t.startRollout(new JsonObject().put("target", "head").put("contract_gate", "auto"));
      JsonObject r = t.awaitEnd(last, Duration.ofSeconds(120));
      assertEquals("succeeded", r.getString("state"), r.encodePrettily());
      for (String env : Topology.ENVS) {
        assertEquals("api00002", t.heads(env), env);
      }
      assertEquals("2", rolloutsInControl(t), "only the two valid rollouts exist");
    }
  }
}
