package dev.convoy.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * How tests wait: poll for the condition they need until a deadline, never a fixed sleep. The pause
 * between two looks is only pacing (10 ms, growing to 200 ms). Past the deadline it fails saying
 * what it waited for, how long, and the last value it saw. A probe that throws a {@link
 * RuntimeException} (a server not answering yet) counts as "not yet"; the exception is the last
 * value seen. Deadlines are generous on purpose: a loaded two-core machine is slow, and a deadline
 * is only ever reached by a test that fails anyway.
 */
public final class Poll {
  private static final long FIRST_PAUSE_MS = 10;
  private static final long MAX_PAUSE_MS = 200;

  private Poll() {}

  /** Waits until {@code condition} holds. */
  public static void until(Duration deadline, String what, BooleanSupplier condition) {
    until(deadline, what, condition::getAsBoolean, Boolean.TRUE::equals);
  }

  /** Waits until {@code probe} answers a value, and returns it. */
  public static <T> T until(Duration deadline, String what, Supplier<Optional<T>> probe) {
    return until(deadline, what, probe, Optional::isPresent).orElseThrow();
  }

  /** Waits until the value {@code probe} answers passes {@code done}, and returns that value. */
  public static <T> T until(
      Duration deadline, String what, Supplier<T> probe, Predicate<? super T> done) {
    long start = System.nanoTime();
    long pause = FIRST_PAUSE_MS;
    Object last = "(nothing yet)";
    while (true) {
      try {
        T value = probe.get();
        last = value;
        if (done.test(value)) {
          return value;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      long waited = System.nanoTime() - start;
      if (waited >= deadline.toNanos()) {
        throw new AssertionError(
            "waited "
                + deadline.toSeconds()
                + " s for "
                + what
                + "; last seen: "
                + Objects.toString(last));
      }
      pause(Math.min(pause, Math.max(1, (deadline.toNanos() - waited) / 1_000_000)));
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while polling", e);
    }
  }
}
