package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How long a replica has been behind, from the primary's WAL positions over time. */
class WalHistoryTest {
  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @Test
  void a_replica_is_behind_since_the_first_position_past_what_it_replayed() {
    WalHistory h = new WalHistory();
    h.record(T0, 100);
    h.record(T0.plusSeconds(1), 200);
    h.record(T0.plusSeconds(2), 300);
    assertEquals(Duration.ofSeconds(3), h.behind(150, T0.plusSeconds(4)));
    assertEquals(Duration.ofSeconds(4), h.behind(50, T0.plusSeconds(4)), "all of it");
    assertEquals(Duration.ofSeconds(2), h.behind(250, T0.plusSeconds(4)));
  }

  @Test
  void a_replica_that_replayed_every_sampled_position_is_not_behind() {
    WalHistory h = new WalHistory();
    h.record(T0, 100);
    h.record(T0.plusSeconds(1), 200);
    assertEquals(Duration.ZERO, h.behind(200, T0.plusSeconds(60)));
  }

  @Test
  void a_position_that_did_not_move_keeps_its_first_time() {
    WalHistory h = new WalHistory();
    h.record(T0, 100);
    h.record(T0.plusSeconds(5), 100);
    assertEquals(Duration.ofSeconds(6), h.behind(99, T0.plusSeconds(6)));
  }
}
