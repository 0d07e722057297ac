package dev.convoy.coordinator;

import dev.convoy.rollout.Keys;
import dev.convoy.rollout.LogContext;
import dev.convoy.rollout.Loops;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's lease loop and the term it holds: every third of the lease's ttl it takes the
 * free lease (bumping the epoch in the control database and announcing it to the agents) or extends
 * the one it holds, and stands down when it lost the lease or passed its local deadline. Apart from
 * the {@link Coordinator} because every other loop asks it the same questions before writing: which
 * epoch, and is it still certainly the leader.
 */
final class LeaseLoop implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(LeaseLoop.class);

  private final String id;
  private final Lease lease;
  private final ControlStore store;
  private final Keys keys;
  private final CoordinatorMetrics metrics;
  private final long periodMs;
  private volatile boolean running = true;
  private volatile long epoch = -1;

  LeaseLoop(
      String id,
      Lease lease,
      ControlStore store,
      Keys keys,
      CoordinatorMetrics metrics,
      long leaseTtlMs) {
    this.id = id;
    this.lease = lease;
    this.store = store;
    this.keys = keys;
    this.metrics = metrics;
    this.periodMs = leaseTtlMs / 3;
  }

  /** The epoch this coordinator leads in, or -1 when it stands by. */
  long epoch() {
    return epoch;
  }

  /** Before the lease's local deadline (see {@link Lease#held()}). */
  boolean held() {
    return lease.held();
  }

  /** Leading: holds an epoch and is before its lease's local deadline. */
  boolean leader() {
    return epoch >= 0 && lease.held();
  }

  @Override
  public void run() {
    while (running) {
      try {
        check();
      } catch (Exception e) {
        if (!running) {
          return;
        }
        log.warn("{} - lease check failed, trying again: {}", id, e.getMessage());
      }
      if (!Loops.pause(periodMs)) {
        running = false;
      }
    }
  }

  /**
   * One look at the lease: stand down past the local deadline or when the lease is lost, take it
   * when free, extend it when held. The loop runs it every third of the ttl; a test runs it by hand
   * after moving the lease's clock.
   */
  void check() {
    if (epoch >= 0 && !lease.held()) {
      // Not renewed in time (Redis unreachable, or this process paused): another coordinator
      // may lead by now. Stop here; leading again takes the lease and a new epoch.
      try (var context = LogContext.of(null, null, null, epoch)) {
        log.warn(
            "{} - lease not renewed before its deadline (epoch {}); sending and writing nothing"
                + " until it holds the lease again",
            id,
            epoch);
      }
      stepDown();
    }
    if (epoch < 0) {
      if (lease.tryAcquire()) {
        long term = store.bumpEpoch(id);
        lease.announce(keys.epoch(), term);
        epoch = term;
        metrics.leader(true);
        try (var context = LogContext.of(null, null, null, epoch)) {
          log.info("{} - took the lease; epoch {}", id, epoch);
        }
      }
    } else if (!lease.extend()) {
      try (var context = LogContext.of(null, null, null, epoch)) {
        log.warn("{} - lost the lease (epoch {}); standing by", id, epoch);
      }
      stepDown();
    }
  }

  private void stepDown() {
    epoch = -1;
    metrics.leader(false);
  }

  /** Ends the loop; its thread is interrupted next. */
  void stop() {
    running = false;
  }

  /** Gives the lease up if this coordinator leads; otherwise it expires on its own. */
  void release() {
    try {
      if (epoch >= 0) {
        lease.release();
      }
    } catch (RuntimeException e) {
      // The lease expires on its own.
    }
  }
}
