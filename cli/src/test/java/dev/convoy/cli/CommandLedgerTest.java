package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.daemon.AgentDaemon;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each command takes effect at most once per database: replayed entries of the command stream are
 * answered from the database's command ledger and change nothing, and commands older than the
 * agent's command window are refused.
 */
class CommandLedgerTest {
  @TempDir Path dir;
  @TempDir Path logs;

  private void migrations() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "led00001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    // Rolled back while empty, so the rollback loses no data.
    files.yaml(
        "led00002",
        "led00001",
        "  - op: create_table\n    table: audit\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
  }

  @Test
  void replaying_a_rollout_its_rollback_and_a_roll_forward_changes_nothing_and_says_so()
      throws Exception {
    migrations();
    try (Topology t = new Topology(dir, List.of("dev"));
        Streams s = new Streams(t)) {
      t.coordinator = t.coordinator("c1");
      Path log = logs.resolve("agent-dev.log");
      Process agent = agentProcess(t, log);
      try {
        try {
          t.awaitAgents();
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; agent log:\n" + Topology.tail(log), e);
        }
        String first = t.startRollout(auto().put("target", "led00001"));
        assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
        t.awaitHeads("led00001");
        String second = t.startRollout(auto().put("target", "led00002"));
        assertEquals("succeeded", t.awaitEnd(second, Duration.ofSeconds(120)).getString("state"));
        assertEquals(
            200, t.http("POST", "/api/rollouts/" + second + "/rollback", null, true).statusCode());
        assertEquals("rolled_back", t.awaitEnd(second, Duration.ofSeconds(120)).getString("state"));
        t.awaitHeads("led00001");
        String third = t.startRollout(auto().put("target", "led00002"));
        assertEquals("succeeded", t.awaitEnd(third, Duration.ofSeconds(120)).getString("state"));
        var db = t.dbs.get("dev");
        db.execute("INSERT INTO audit SELECT g FROM generate_series(1, 1000) g");
        String history = db.scalar("SELECT count(*) || '/' || max(id) FROM convoy.history");
        String ledger = ledger(t);
        assertTrue(ledger.contains("downgrade led00001 succeeded"), ledger);

        List<String> stream = s.entries(s.commands("dev"));
        int before = s.answers().size();
        for (String entry : stream) {
          s.add(s.commands("dev"), entry);
        }
        List<JsonObject> replies =
            Poll.until(
                Duration.ofSeconds(60),
                "an answer to each of the " + stream.size() + " replayed entries",
                () -> since(s, before),
                r -> finishing(r) >= stream.size());
        assertEquals(
            stream.size(), finishing(replies), "every replayed entry answered: " + replies);
        for (JsonObject e : replies) {
          assertTrue(!e.getString("type").equals("accepted"), "nothing ran again: " + e.encode());
          assertEquals("already_applied", e.getString("code"), e.encode());
          assertTrue(e.getString("message").contains("; not applied again"), e.encode());
        }
        assertEquals("led00002", t.heads("dev"));
        assertEquals("1000", db.scalar("SELECT count(*) FROM audit"), "the table and its rows");
        assertEquals(history, db.scalar("SELECT count(*) || '/' || max(id) FROM convoy.history"));
        assertEquals(ledger, ledger(t), "the ledger is unchanged");
        String agentLog = Files.readString(log);
        assertTrue(
            agentLog.contains("already applied as succeeded at ")
                && agentLog.split("not applied again", -1).length - 1 >= stream.size(),
            agentLog);
      } finally {
        agent.destroy();
        agent.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void a_command_issued_eleven_minutes_ago_or_in_the_future_is_refused_and_changes_nothing() {
    migrations();
    try (Topology t = new Topology(dir, List.of("dev"));
        Streams s = new Streams(t)) {
      t.agents.add(t.agent("dev", "agent-dev"));
      long now = System.currentTimeMillis();
      List<String> revs = List.of("led00001");
      s.send(
          "dev", Streams.command(dir, "old", 1, 1, "upgrade", "led00001", revs, now - 11 * 60_000));
      s.send(
          "dev",
          Streams.command(dir, "ahead", 1, 1, "upgrade", "led00001", revs, now + 11 * 60_000));
      JsonObject expired = s.await("rejected", e -> "old".equals(e.getString("plan")));
      assertEquals("rejected", expired.getString("type"));
      assertEquals("expired", expired.getString("code"));
      assertTrue(
          expired.getString("message").contains("issued 11 min 0 s ago")
              && expired.getString("message").contains("command window of 10 min 0 s"),
          expired.getString("message"));
      JsonObject ahead = s.await("rejected", e -> "ahead".equals(e.getString("plan")));
      assertEquals("future", ahead.getString("code"), ahead.encode());
      assertTrue(ahead.getString("message").contains("in the future"), ahead.encode());
      assertEquals(null, t.heads("dev"), "nothing was applied, not even Convoy's own tables");
      // A command issued now runs: the agent was not just idle.
      s.send("dev", Streams.command(dir, "now", 1, 1, "upgrade", "led00001", revs, now));
      assertEquals("succeeded", s.await("answer", e -> isAnswer(e, "now")).getString("type"));
      assertEquals("led00001", t.heads("dev"));
    }
  }

  @Test
  void a_recreated_consumer_group_reads_only_new_entries_never_the_history() {
    migrations();
    try (Topology t = new Topology(dir, List.of("dev"));
        Streams s = new Streams(t)) {
      List<String> revs = List.of("led00001", "led00002");
      long now = System.currentTimeMillis();
      // Old entries, in a stream whose group does not exist (yet).
      s.send("dev", Streams.command(dir, "old", 1, 1, "upgrade", "led00002", revs, now));
      AgentDaemon agent = t.agent("dev", "agent-dev");
      t.agents.add(agent);
      s.send(
          "dev",
          Streams.command(dir, "new", 1, 1, "upgrade", "led00001", List.of("led00001"), now));
      assertEquals("succeeded", s.await("answer", e -> isAnswer(e, "new")).getString("type"));
      assertEquals("led00001", t.heads("dev"), "the old entry was not applied");

      // The group is deleted under the running agent; it makes it again, at the stream's end.
      s.send(io.vertx.redis.client.Command.XGROUP, "DESTROY", s.commands("dev"), "dev");
      Poll.until(
          Duration.ofSeconds(60),
          "the agent to make its consumer group again",
          () ->
              s.send(io.vertx.redis.client.Command.XINFO, "GROUPS", s.commands("dev"))
                  .toString()
                  .contains("dev"));
      s.send("dev", Streams.command(dir, "newer", 1, 1, "upgrade", "led00001", revs, now));
      s.await("answer", e -> isAnswer(e, "newer"));
      List<JsonObject> answers = s.answers();
      assertEquals(
          0, answers.stream().filter(e -> "old".equals(e.getString("plan"))).count(), "" + answers);
      assertEquals(
          1,
          answers.stream().filter(e -> isAnswer(e, "new")).count(),
          "the entry read before is not read again: " + answers);
      assertEquals("led00001", t.heads("dev"));
      assertEquals(
          "new,newer",
          t.dbs.get("dev").scalar("SELECT string_agg(plan, ',' ORDER BY plan) FROM convoy.ledger"));
    }
  }

  @Test
  void a_command_window_that_is_not_a_duration_or_out_of_range_is_a_clear_error() {
    String url = "postgresql://postgres@127.0.0.1:5432/postgres";
    ConvoyShell.exec("agent", "--env", "dev", "--url", url, "--command-window", "1s")
        .exits(2)
        .errContains("--command-window 1s must be from 10s to 24h (default 10m)");
    ConvoyShell.exec("agent", "--env", "dev", "--url", url, "--command-window", "soon")
        .exits(2)
        .errContains("--command-window 'soon' is not a duration");
  }

  private static boolean isAnswer(JsonObject e, String plan) {
    return plan.equals(e.getString("plan"))
        && List.of("succeeded", "failed", "rejected").contains(e.getString("type"));
  }

  private static List<JsonObject> since(Streams s, int before) {
    List<JsonObject> all = s.answers();
    return all.subList(before, all.size());
  }

  private static long finishing(List<JsonObject> events) {
    return events.stream()
        .filter(e -> List.of("succeeded", "failed", "rejected").contains(e.getString("type")))
        .count();
  }

  private static String ledger(Topology t) {
    return t.dbs
        .get("dev")
        .scalar(
            "SELECT string_agg(action || ' ' || target || ' ' || state || ' '"
                + " || coalesce(finished_at::text, ''), E'\\n' ORDER BY started_at)"
                + " FROM convoy.ledger");
  }

  private static JsonObject auto() {
    return new JsonObject().put("contract_gate", "auto");
  }

  /** The environment's agent in a JVM of its own, its log in {@code log}. */
  private Process agentProcess(Topology t, Path log) throws Exception {
    return ChildConvoy.agent(t, log, "dev", "agent-dev");
  }
}
