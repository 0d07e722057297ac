package dev.convoy.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time a test moves by hand: a {@link Clock} (wall time), a monotonic reading ({@link #nanos()},
 * where code takes {@code System::nanoTime}) and a sleeper ({@link #sleep(long)}, where code takes
 * {@code Thread::sleep}) that returns at once, records the pause and moves the time on by it. So a
 * test of a soak, a lease or a retry schedule runs in microseconds and asserts exact moments.
 */
public final class MovingClock extends Clock {
  private final Instant origin;
  private final ZoneId zone;
  private final AtomicLong elapsedNanos;
  private final List<Long> sleeps;

  private MovingClock(Instant origin, ZoneId zone, AtomicLong elapsedNanos, List<Long> sleeps) {
    this.origin = origin;
    this.zone = zone;
    this.elapsedNanos = elapsedNanos;
    this.sleeps = sleeps;
  }

  /** A clock reading {@code start} until moved. */
  public static MovingClock at(Instant start) {
    return new MovingClock(start, ZoneOffset.UTC, new AtomicLong(), new ArrayList<>());
  }

  /** Moves the time on by {@code d}. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + d);
    }
    elapsedNanos.addAndGet(d.toNanos());
  }

  /** Moves the time on to {@code t} (which must not be in this clock's past). */
  public void advanceTo(Instant t) {
    advance(Duration.between(instant(), t));
  }

  /** The monotonic reading: nanoseconds since this clock was made, as {@code System.nanoTime}. */
  public long nanos() {
    return elapsedNanos.get();
  }

  /** A sleep that returns at once: records {@code ms} and moves the time on by it. */
  public void sleep(long ms) {
    synchronized (sleeps) {
      sleeps.add(ms);
    }
    advance(Duration.ofMillis(ms));
  }

  /** Every sleep asked for, in order (milliseconds). */
  public List<Long> sleeps() {
    synchronized (sleeps) {
      return List.copyOf(sleeps);
    }
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new MovingClock(origin, zone, elapsedNanos, sleeps);
  }
}
