package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.BuildVersion;
import dev.convoy.rollout.RecentRevisions;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the coordinator's /metrics serves, and that its labels stay bounded. */
class CoordinatorMetricsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final CoordinatorMetrics metrics =
      new CoordinatorMetrics(List.of("dev", "prod"), nanos::get);

  private static Set<String> revisions(String scrape) {
    Set<String> out = new TreeSet<>();
    Matcher m =
        Pattern.compile("convoy_step_duration_seconds_count\\{[^}]*revision=\"([^\"]+)\"")
            .matcher(scrape);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @Test
  void step_durations_keep_the_series_of_the_last_ten_revisions_only() {
    for (int i = 1; i <= 12; i++) {
      String revision = String.format("r%04d", i);
      metrics.stepDuration("dev", "expand", revision, 1.5);
      metrics.stepDuration("prod", "upgrade", revision, 2.5);
    }
    Set<String> served = revisions(metrics.scrape());
    assertEquals(RecentRevisions.CAPACITY, served.size(), served.toString());
    assertTrue(served.contains("r0012") && served.contains("r0003"), served.toString());
    assertTrue(!served.contains("r0001") && !served.contains("r0002"), served.toString());
    assertTrue(
        metrics
            .scrape()
            .contains(
                "convoy_step_duration_seconds_count{env=\"prod\",op=\"upgrade\",revision=\"r0012\"}"
                    + " 1"),
        metrics.scrape());
  }

  @Test
  void every_metric_says_what_it_counts_in_its_help_and_stage_states_their_codes() {
    metrics.stepDuration("dev", "expand", "r0001", 1);
    metrics.backfillRows("dev", 10L);
    metrics.eventLag("heartbeat", 5);
    String scrape = metrics.scrape();
    List<String> bare = new java.util.ArrayList<>();
    Matcher m = Pattern.compile("(?m)^# HELP (convoy_\\S+) ?(.*)$").matcher(scrape);
    int seen = 0;
    while (m.find()) {
      seen++;
      if (m.group(2).isBlank()) {
        bare.add(m.group(1));
      }
    }
    assertTrue(seen >= 14, scrape);
    assertEquals(List.of(), bare, "metrics without a HELP text");
    assertTrue(
        scrape.contains(
            "# HELP convoy_rollout_stage_state The latest rollout's stage in the environment: 0"
                + " pending, 1 running, 2 expanded, 3 done, 4 rolling back, 5 rolled back, -1"
                + " failed."),
        scrape);
  }

  @Test
  void a_revision_seen_again_stays_among_the_recent_ones() {
    metrics.stepDuration("dev", "expand", "r0001", 1);
    for (int i = 2; i <= RecentRevisions.CAPACITY + 1; i++) {
      metrics.stepDuration("dev", "expand", String.format("r%04d", i), 1);
      metrics.stepDuration("dev", "downgrade", "r0001", 1); // rolled back to it each time
    }
    Set<String> served = revisions(metrics.scrape());
    assertTrue(served.contains("r0001"), served.toString());
    assertTrue(!served.contains("r0002"), served.toString());
  }

  @Test
  void taking_and_losing_the_lease_count_as_leadership_changes_and_renewing_it_does_not() {
    metrics.leader(false); // a standby from the start: no change
    metrics.leader(true);
    metrics.leader(true);
    metrics.leader(false);
    String scrape = metrics.scrape();
    assertTrue(scrape.contains("convoy_leadership_changes_total 2.0"), scrape);
    assertTrue(scrape.contains("convoy_coordinator_leader 0.0"), scrape);
  }

  @Test
  void the_build_info_names_the_version_and_the_component() {
    assertTrue(
        metrics
            .scrape()
            .contains(
                "convoy_build_info{component=\"coordinator\",version=\""
                    + BuildVersion.current()
                    + "\"} 1"),
        metrics.scrape());
    assertTrue(!BuildVersion.current().equals("unknown"), "Maven filled in the version");
  }

  @Test
  void a_stage_clock_restarts_when_the_stage_changes_state_or_a_new_rollout_begins() {
    metrics.stage("ro1", "dev", "running");
    metrics.agents("dev", 0, 65_000);
    String scrape = metrics.scrape();
    assertTrue(scrape.contains("convoy_rollout_stage_state{env=\"dev\"} 1.0"), scrape);
    assertTrue(scrape.contains("convoy_agent_last_heard_seconds{env=\"dev\"} 65.0"), scrape);
    assertTrue(scrape.contains("convoy_agents_up{env=\"dev\"} 0.0"), scrape);
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(90));
    metrics.stage("ro1", "dev", "running");
    assertEquals(90.0, stageSeconds("dev"), "the same state: its clock runs on");
    metrics.stage("ro1", "dev", "expanded");
    assertEquals(0.0, stageSeconds("dev"), "a new state");
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(30));
    metrics.stage("ro2", "dev", "expanded");
    assertEquals(0.0, stageSeconds("dev"), "the same state, but of a new rollout");
    nanos.addAndGet(TimeUnit.SECONDS.toNanos(5));
    assertEquals(5.0, stageSeconds("dev"));
  }

  private double stageSeconds(String env) {
    Matcher m =
        Pattern.compile("convoy_rollout_stage_state_seconds\\{env=\"" + env + "\"} (\\S+)")
            .matcher(metrics.scrape());
    assertTrue(m.find(), metrics.scrape());
    return Double.parseDouble(m.group(1));
  }

  private static java.util.Map<String, dev.convoy.rollout.VersionSessions> sessions(
      String... nameAndCount) {
    java.util.Map<String, dev.convoy.rollout.VersionSessions> out = new java.util.HashMap<>();
    for (int i = 0; i < nameAndCount.length; i += 2) {
      String rev = nameAndCount[i];
      out.put(
          rev,
          new dev.convoy.rollout.VersionSessions(
              "convoy_v_" + rev, Integer.parseInt(nameAndCount[i + 1]), null));
    }
    return out;
  }

  @Test
  void
      version_sessions_are_a_gauge_per_environment_and_version_zero_once_drained_gone_when_unknown() {
    metrics.versions("prod", sessions("aaaa1111", "3", "bbbb2222", "1"));
    String scrape = metrics.scrape();
    assertTrue(
        scrape.contains("convoy_version_sessions{env=\"prod\",version=\"convoy_v_aaaa1111\"} 3.0"),
        scrape);
    assertTrue(
        scrape.contains("convoy_version_sessions{env=\"prod\",version=\"convoy_v_bbbb2222\"} 1.0"),
        scrape);
    metrics.versions("prod", sessions("bbbb2222", "2"));
    scrape = metrics.scrape();
    assertTrue(
        scrape.contains("convoy_version_sessions{env=\"prod\",version=\"convoy_v_aaaa1111\"} 0.0"),
        "a drained version shows 0: " + scrape);
    metrics.versions("prod", null);
    assertTrue(
        !metrics.scrape().contains("convoy_version_sessions{env=\"prod\""),
        "no recent report: nothing is known, nothing is served");
    for (int i = 1; i <= 12; i++) {
      metrics.versions("dev", sessions(String.format("r%04d", i), "1"));
    }
    long served =
        metrics
            .scrape()
            .lines()
            .filter(l -> l.startsWith("convoy_version_sessions{env=\"dev\""))
            .count();
    assertEquals(RecentRevisions.CAPACITY, served, "bounded like the revision label");
  }
}
