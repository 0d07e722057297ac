package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.OffsetClock;
import dev.convoy.testkit.Poll;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convoy rollout status} says what a rollout waits for and what releases it, how long a soak
 * has left, which stage's agent is silent and a failed step's error in full; {@code --watch}
 * redraws only on a terminal and otherwise prints a line per change.
 */
class RolloutStatusTest {
  @TempDir Path dir;

  private Path token() throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, Topology.TOKEN);
    return f;
  }

  private ConvoyShell.Result status(Topology t, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("rollout", "status", "--api", t.api(), "--token-file", token().toString()));
    args.addAll(List.of(more));
    return ConvoyShell.exec(args.toArray(String[]::new));
  }

  @Test
  void status_names_the_soak_the_approval_and_a_silent_agent_and_watch_prints_a_line_per_change()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "stat0001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    OffsetClock clock = new OffsetClock();
    try (Topology t = new Topology(dir)) {
      t.clock = clock;
      t.start();
      String id =
          t.startRollout(
              new JsonObject()
                  .put("contract_gate", "auto")
                  .put(
                      "gates", new JsonObject().put("staging", "soak:2m").put("prod", "approval")));
      JsonObject soaking =
          t.awaitRollout(
              id,
              "to soak before staging",
              r ->
                  r.getJsonObject("waiting_for") != null
                      && "soak".equals(r.getJsonObject("waiting_for").getString("kind")));
      assertEquals("running", soaking.getString("state"), "a soak is not a gate anyone releases");
      JsonObject soak = soaking.getJsonObject("waiting_for");
      assertEquals("staging", soak.getString("env"));
      assertEquals("soak:2m", soak.getString("gate"));
      double left = soak.getDouble("soak_remaining_seconds");
      assertTrue(left > 60 && left <= 120, soaking.encodePrettily());
      assertTrue(soak.getString("soak_ends_at").endsWith("Z"), soak.encode());
      status(t, id)
          .exits(0)
          .outContains(
              "running",
              "Soaking before staging; gate soak:2m, ",
              " s of soak left.",
              "Released by the soak's end at ");

      // Within the event window (10 min): agents' events stay in date on the moved clock.
      clock.advance(Duration.ofMinutes(2));
      t.awaitRollout(id, "to wait for prod's approval", r -> Topology.state(r).equals("waiting"));
      status(t, id)
          .exits(0)
          .outContains(
              "waiting",
              "Waiting for approval before prod; gate approval.",
              "Released by 'convoy rollout approve " + id + " --env prod'.");

      // prod's agent stops; the coordinator's clock jumps past the time an agent counts as alive.
      t.agents.get(2).close();
      clock.advance(Duration.ofSeconds(30));
      ConvoyShell.Result silent =
          Poll.until(
              Duration.ofSeconds(60),
              "status to mark prod's agent silent, and only prod's",
              () -> {
                try {
                  return status(t, id);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              },
              r ->
                  r.out().matches("(?s).*\\n  prod .*agent silent for \\d+ s.*")
                      && !r.out().matches("(?s).*\\n  (dev|staging) [^\\n]*silent.*"));
      assertTrue(silent.out().matches("(?s).*agent silent for (2\\d|3\\d) s.*"), silent.out());

      // Without a terminal, --watch prints a line each time the rollout changes, until it ends.
      java.io.StringWriter out = new java.io.StringWriter();
      java.io.StringWriter err = new java.io.StringWriter();
      String[] watch = {
        "rollout", "status", id, "--watch", "--api", t.api(), "--token-file", token().toString()
      };
      CompletableFuture<Integer> watching =
          CompletableFuture.supplyAsync(
              () ->
                  Main.run(
                      watch, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err)));
      Poll.until(
          Duration.ofSeconds(60),
          "--watch to print prod's silent agent",
          out::toString,
          o -> o.contains("prod pending (agent silent since "));
      // Three more seconds of silence: a redraw every second would have printed three frames.
      long silentFor = silence(t, id);
      Poll.until(
          Duration.ofSeconds(60),
          "prod's agent to be silent three seconds longer",
          () -> silence(t, id),
          n -> n >= silentFor + 3);
      t.agents.add(t.agent("prod", "agent-prod-2"));
      t.awaitAgents();
      ConvoyShell.exec(
              "rollout", "approve", id, "--api", t.api(), "--token-file", token().toString())
          .exits(0);
      assertEquals(0, watching.get(180, TimeUnit.SECONDS), err.toString());
      ConvoyShell.Result watched =
          new ConvoyShell.Result(String.join(" ", watch), 0, out.toString(), err.toString());
      List<String> lines =
          watched.outLines().stream()
              .filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d rollout .*"))
              .toList();
      assertTrue(
          watched.out().contains("\nRollout " + id + " to head (expand-first): succeeded\n"),
          "the end in full: " + watched.out());
      assertFalse(watched.out().contains("\u001b["), "no redraw without a terminal");
      assertTrue(lines.get(lines.size() - 1).contains("succeeded"), watched.out());
      assertTrue(
          lines.stream().anyMatch(l -> l.contains("prod pending (agent silent since ")),
          watched.out());
      for (int i = 1; i < lines.size(); i++) {
        assertTrue(
            !lines.get(i).substring(9).equals(lines.get(i - 1).substring(9)),
            "the same line twice:\n" + watched.out());
      }
      assertTrue(lines.size() < 20, "a line per change, not per second:\n" + watched.out());
    }
  }

  /** How long the coordinator has not heard from prod's agent, in seconds (0: it has). */
  private static long silence(Topology t, String id) {
    for (Object o : t.rollout(id).getJsonArray("stages")) {
      JsonObject stage = (JsonObject) o;
      if (stage.getString("env").equals("prod") && stage.getJsonObject("agent_silence") != null) {
        return stage.getJsonObject("agent_silence").getLong("silent_seconds", 0L);
      }
    }
    return 0;
  }

  @Test
  void a_failed_step_is_shown_in_full_and_watch_redraws_on_a_terminal() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "statf001",
        null,
        "  - op: create_table\n    table: item\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: qty, type: int, nullable: false}\n");
    files.yaml(
        "statf002",
        "statf001",
        "  - op: add_check\n    table: item\n    name: item_qty_positive\n"
            + "    check: \"qty > 0\"\n");
    try (Topology t = new Topology(dir)) {
      t.start();
      String first =
          t.startRollout(new JsonObject().put("target", "statf001").put("contract_gate", "auto"));
      assertEquals("succeeded", t.awaitEnd(first, Duration.ofSeconds(120)).getString("state"));
      t.dbs.get("prod").execute("INSERT INTO item VALUES (1, 0)");
      t.awaitHeads("statf001");
      String id = t.startRollout(new JsonObject().put("contract_gate", "auto"));
      JsonObject r = t.awaitEnd(id, Duration.ofSeconds(120));
      assertEquals("rolled_back", r.getString("state"), r.encodePrettily());
      JsonObject f = r.getJsonObject("failure");
      assertEquals("prod", f.getString("env"), r.encodePrettily());
      assertEquals("23514", f.getString("sqlstate"), f.encodePrettily());
      assertEquals("statf002", f.getString("revision"));
      assertTrue(f.getString("file").endsWith("statf002.yaml"), f.encode());
      assertTrue(f.getString("statement").contains("VALIDATE CONSTRAINT"), f.encode());
      assertTrue(f.getString("message").contains("item_qty_positive"), f.encode());
      ConvoyShell.Result shown =
          status(t, id)
              .exits(0)
              .outContains(
                  "rolled_back",
                  "in prod failed (upgrade",
                  "revision:  statf002",
                  "file:      ",
                  "statf002.yaml",
                  "operation: ",
                  "statement: ",
                  "VALIDATE CONSTRAINT",
                  "SQLSTATE:  23514",
                  "message:   ",
                  "item_qty_positive");
      assertFalse(shown.out().contains("convoy upgrade"), "no advice to run the local CLI");

      // On a terminal (script(1) gives the child one) --watch redraws: it clears the screen first.
      Path out = dir.resolve("tty.txt");
      String java =
          System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
      String cmd =
          String.join(
              " ",
              List.of(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "dev.convoy.cli.Main",
                  "rollout",
                  "status",
                  id,
                  "--watch",
                  "--api",
                  t.api(),
                  "--token-file",
                  token().toString()));
      Process p =
          new ProcessBuilder("script", "-qec", cmd, "/dev/null")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "status --watch on a terminal ends");
      String tty = Files.readString(out);
      assertTrue(tty.contains("\u001b[H\u001b[2J"), "redrawn on a terminal: " + tty);
      assertTrue(tty.contains("SQLSTATE:  23514"), tty);
    }
  }
}
