package dev.convoy.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The system's clock, plus an offset the test moves forward: for a whole running coordinator, whose
 * loops need time to pass as usual, when a test must jump over a soak of minutes at once.
 */
public final class OffsetClock extends Clock {
  private final AtomicLong offsetNanos;
  private final ZoneId zone;

  public OffsetClock() {
    this(new AtomicLong(), ZoneOffset.UTC);
  }

  private OffsetClock(AtomicLong offsetNanos, ZoneId zone) {
    this.offsetNanos = offsetNanos;
    this.zone = zone;
  }

  /** From now on this clock reads {@code d} later than it would have. */
  public void advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("time only moves forward: " + d);
    }
    offsetNanos.addAndGet(d.toNanos());
  }

  @Override
  public Instant instant() {
    return Instant.now().plusNanos(offsetNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new OffsetClock(offsetNanos, zone);
  }
}
