package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseDeadlineTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(1_000 * MS);
  private final LeaseDeadline deadline = new LeaseDeadline(now::get, 2000);

  @Test
  void a_coordinator_that_never_renewed_holds_nothing() {
    assertFalse(deadline.holds());
  }

  @Test
  void the_deadline_counts_from_when_the_request_was_sent_not_answered_less_a_margin() {
    long sent = deadline.beforeRequest();
    now.addAndGet(1500 * MS); // a slow answer
    deadline.renewed(sent);
    assertTrue(deadline.holds(), "1.5 s after sending a 2 s lease");
    now.set(sent + 1599 * MS);
    assertTrue(deadline.holds(), "just before ttl less the margin (a fifth)");
    now.set(sent + 1600 * MS);
    assertFalse(deadline.holds(), "at ttl less the margin it no longer holds");
    now.set(sent + 2000 * MS);
    assertFalse(deadline.holds(), "nor at the ttl, when Redis may have given it to another");
  }

  @Test
  void a_renewal_moves_the_deadline_and_a_failed_one_ends_it_at_once() {
    deadline.renewed(deadline.beforeRequest());
    now.addAndGet(1000 * MS);
    deadline.renewed(deadline.beforeRequest());
    now.addAndGet(1500 * MS);
    assertTrue(deadline.holds(), "2.5 s after the first renewal, 1.5 s after the second");
    deadline.clear();
    assertFalse(deadline.holds(), "the lease was lost");
  }

  @Test
  void a_clock_near_the_end_of_its_range_still_compares_right() {
    now.set(Long.MAX_VALUE - 500 * MS);
    deadline.renewed(deadline.beforeRequest());
    now.addAndGet(1000 * MS); // wraps around
    assertTrue(deadline.holds());
    now.addAndGet(1000 * MS);
    assertFalse(deadline.holds());
  }
}
