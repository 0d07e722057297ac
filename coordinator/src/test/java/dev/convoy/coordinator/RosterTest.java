package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.rollout.Event;
import dev.convoy.testkit.MovingClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Agent liveness on the coordinator's clock, moved by the test: down after 5 s of silence. */
class RosterTest {
  private final MovingClock clock = MovingClock.at(Instant.parse("2030-01-01T00:00:00Z"));
  private final Roster roster = new Roster(List.of("dev", "prod"), clock);

  private static Event heartbeat(String agent, String env, String head) {
    return Event.heartbeat(agent, env, List.of(head), "digest", null);
  }

  private JsonObject devAgent() {
    return roster.view().getJsonObject(0).getJsonArray("agents").getJsonObject(0);
  }

  @Test
  void an_agent_counts_as_alive_until_exactly_five_seconds_of_silence() {
    roster.heard(heartbeat("a1", "dev", "r1"));
    assertEquals(1, roster.alive("dev"));
    clock.advance(Duration.ofMillis(Roster.ALIVE_MS - 1));
    assertEquals(1, roster.alive("dev"), "4.999 s of silence");
    assertEquals(Map.of("dev", List.of("r1")), roster.liveHeads());
    assertEquals(true, devAgent().getBoolean("alive"));
    clock.advance(Duration.ofMillis(1));
    assertEquals(0, roster.alive("dev"), "5 s of silence: down");
    assertEquals(Map.of(), roster.liveHeads(), "a rollout is not planned from a silent agent");
    assertEquals(false, devAgent().getBoolean("alive"));
    assertEquals(5000L, devAgent().getLong("last_seen_ms_ago"));
  }

  @Test
  void a_new_heartbeat_brings_an_agent_back_with_its_new_heads() {
    roster.heard(heartbeat("a1", "dev", "r1"));
    clock.advance(Duration.ofMinutes(1));
    assertEquals(0, roster.alive("dev"));
    roster.heard(heartbeat("a1", "dev", "r2"));
    assertEquals(1, roster.alive("dev"));
    assertEquals(Map.of("dev", List.of("r2")), roster.liveHeads());
    assertEquals(0L, devAgent().getLong("last_seen_ms_ago"));
  }

  @Test
  void each_agent_of_an_environment_is_timed_on_its_own() {
    roster.heard(heartbeat("a1", "dev", "r1"));
    clock.advance(Duration.ofSeconds(3));
    roster.heard(heartbeat("a2", "dev", "r1"));
    clock.advance(Duration.ofSeconds(2));
    assertEquals(1, roster.alive("dev"), "a1 silent for 5 s, a2 for 2 s");
    clock.advance(Duration.ofSeconds(3));
    assertEquals(0, roster.alive("dev"));
    assertEquals(0, roster.alive("prod"), "never heard of");
  }

  @Test
  void an_environment_is_silent_since_its_freshest_heartbeat_or_since_the_start_if_none_came() {
    clock.advance(Duration.ofSeconds(7));
    assertEquals(7000L, roster.silentMillis("prod"), "no agent of prod heard since the start");
    roster.heard(heartbeat("a1", "dev", "r1"));
    clock.advance(Duration.ofSeconds(2));
    roster.heard(heartbeat("a2", "dev", "r1"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1000L, roster.silentMillis("dev"), "a2 was heard a second ago");
    assertEquals(10000L, roster.silentMillis("prod"));
  }
}
