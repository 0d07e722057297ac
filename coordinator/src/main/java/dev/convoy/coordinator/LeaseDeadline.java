package dev.convoy.coordinator;

import java.util.function.LongSupplier;

/**
 * The leader's local deadline: the time (on this process's monotonic clock) by which its lease may
 * have run out in Redis. A renewal's deadline starts from the moment its request was sent, not
 * answered (Redis counts the ttl from when it ran the command, which is later), less a margin for
 * clock rates; so while {@link #holds()} is true no other coordinator can hold the lease, whatever
 * Redis or the network does. A leader past its deadline sends and writes nothing until it holds the
 * lease again.
 */
final class LeaseDeadline {
  private final LongSupplier nanos;
  private final long ttlNanos;
  private final long marginNanos;
  private volatile long deadline;
  private volatile boolean set;

  /** {@code nanos} is a monotonic clock ({@code System::nanoTime} outside tests). */
  LeaseDeadline(LongSupplier nanos, long ttlMs) {
    this.nanos = nanos;
    this.ttlNanos = ttlMs * 1_000_000L;
    this.marginNanos = ttlNanos / 5;
  }

  /** The clock's reading, taken right before a SET or extend request is sent. */
  long beforeRequest() {
    return nanos.getAsLong();
  }

  /** The request sent at {@code sentAt} took or kept the lease. */
  void renewed(long sentAt) {
    deadline = sentAt + ttlNanos - marginNanos;
    set = true;
  }

  /** The lease is lost or given up. */
  void clear() {
    set = false;
  }

  /** True while the lease is certainly this coordinator's. */
  boolean holds() {
    return set && nanos.getAsLong() - deadline < 0;
  }

  /** Milliseconds left before the deadline (negative past it); for logs. */
  long remainingMs() {
    return set ? (deadline - nanos.getAsLong()) / 1_000_000L : -1;
  }
}
