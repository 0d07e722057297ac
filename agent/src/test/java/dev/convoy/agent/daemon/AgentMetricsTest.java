package dev.convoy.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.engine.BackfillProgress;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.rollout.BuildVersion;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.RecentRevisions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What an agent's /metrics serves while it runs commands, and that its labels stay bounded. */
class AgentMetricsTest {
  private final AgentMetrics metrics = new AgentMetrics("prod");
  private final List<Event> published = new ArrayList<>();

  private static Command command(String action, String phase, String target) {
    return new Command("plan", 1, "prod", 1, action, target, phase, List.of(), 0, false, null);
  }

  private double value(String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics.scrape());
    assertTrue(m.find(), series + " in\n" + metrics.scrape());
    return Double.parseDouble(m.group(1));
  }

  @Test
  void step_durations_lock_waits_and_retries_say_what_the_step_did_and_for_which_revision() {
    Command c = command(Command.UPGRADE, "expand", "r0002");
    MigrationListener l = metrics.listener(c, "a1", published::add);
    assertEquals(
        0, value("convoy_lock_retries_total{env=\"prod\",op=\"expand\",revision=\"r0002\"}"));
    l.lockAcquired(Duration.ofMillis(250));
    l.lockRetry("revision r0002", 1, 5, List.of(), Duration.ofMillis(200));
    metrics.stepDone(c, Duration.ofSeconds(2));
    assertEquals(
        1, value("convoy_lock_wait_seconds_count{env=\"prod\",op=\"expand\",revision=\"r0002\"}"));
    assertEquals(
        1, value("convoy_lock_retries_total{env=\"prod\",op=\"expand\",revision=\"r0002\"}"));
    assertEquals(
        2.0,
        value(
            "convoy_step_duration_seconds_sum{action=\"upgrade\",env=\"prod\",op=\"expand\","
                + "phase=\"expand\",revision=\"r0002\"}"));
    Command back = command(Command.DOWNGRADE, "all", "r0001");
    metrics.listener(back, "a1", published::add).lockAcquired(Duration.ZERO);
    assertEquals(
        1,
        value("convoy_lock_wait_seconds_count{env=\"prod\",op=\"downgrade\",revision=\"r0001\"}"));
    assertEquals(
        1,
        value("convoy_build_info{component=\"agent\",version=\"" + BuildVersion.current() + "\"}"));
  }

  @Test
  void every_metric_says_what_it_counts_in_its_help() {
    Command c = command(Command.UPGRADE, "expand", "r0002");
    metrics.listener(c, "a1", published::add).lockAcquired(Duration.ZERO);
    metrics.stepDone(c, Duration.ofSeconds(1));
    List<String> bare = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^# HELP (convoy_\\S+) ?(.*)$").matcher(metrics.scrape());
    int seen = 0;
    while (m.find()) {
      seen++;
      if (m.group(2).isBlank()) {
        bare.add(m.group(1));
      }
    }
    assertTrue(seen >= 10, metrics.scrape());
    assertEquals(List.of(), bare, "metrics without a HELP text");
  }

  @Test
  void only_the_last_ten_revisions_keep_their_series() {
    for (int i = 1; i <= 12; i++) {
      Command c = command(Command.UPGRADE, "all", String.format("r%04d", i));
      metrics.listener(c, "a1", published::add).lockAcquired(Duration.ofMillis(5));
      metrics.stepDone(c, Duration.ofSeconds(1));
    }
    String scrape = metrics.scrape();
    for (String name :
        List.of(
            "convoy_step_duration_seconds_count",
            "convoy_lock_wait_seconds_count",
            "convoy_lock_retries_total")) {
      Set<String> revisions = new TreeSet<>();
      Matcher m =
          Pattern.compile(Pattern.quote(name) + "\\{[^}]*revision=\"([^\"]+)\"").matcher(scrape);
      while (m.find()) {
        revisions.add(m.group(1));
      }
      assertEquals(RecentRevisions.CAPACITY, revisions.size(), name + ": " + revisions);
      assertTrue(!revisions.contains("r0002") && revisions.contains("r0003"), name + revisions);
    }
  }

  @Test
  void a_running_backfill_shows_its_rows_estimate_and_eta_until_the_step_ends() {
    Command c = command(Command.UPGRADE, "all", "r0002");
    MigrationListener l = metrics.listener(c, "a1", published::add);
    l.backfill(null, new BackfillProgress("item", 4000, 10000, 1000, 1000, false));
    assertEquals(1, value("convoy_backfill_running{env=\"prod\"}"));
    assertEquals(4000, value("convoy_backfill_rows_done{env=\"prod\"}"));
    assertEquals(10000, value("convoy_backfill_rows_estimated{env=\"prod\"}"));
    assertEquals(6, value("convoy_backfill_eta_seconds{env=\"prod\"}"));
    assertEquals(1000, value("convoy_backfill_rows_per_second{env=\"prod\"}"));
    assertEquals(4000, value("convoy_backfill_rows_total{env=\"prod\"}"));
    assertEquals(1, published.size(), "progress goes to the coordinator");
    metrics.stepEnded(); // failed, say, half way
    assertEquals(0, value("convoy_backfill_running{env=\"prod\"}"));
    assertEquals(0, value("convoy_backfill_eta_seconds{env=\"prod\"}"));
    assertEquals(0, value("convoy_backfill_rows_per_second{env=\"prod\"}"));
    assertEquals(4000, value("convoy_backfill_rows_done{env=\"prod\"}"), "where it stopped");
  }
}
