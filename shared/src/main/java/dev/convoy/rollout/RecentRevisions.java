package dev.convoy.rollout;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Bounds the {@code revision} label of a metric: it remembers the last {@code capacity} revisions
 * seen and, when a new one pushes the oldest out, names it so the caller removes that revision's
 * series. A long-lived agent or coordinator thus serves at most {@code capacity} revisions per
 * environment and step operation, however many rollouts it has seen; the newest ones, which a
 * dashboard and an alert look at, are always among them.
 */
public final class RecentRevisions {
  /** How many revisions a metric keeps by default: a few rollouts' worth. */
  public static final int CAPACITY = 10;

  private final int capacity;
  private final Deque<String> recent = new ArrayDeque<>();

  public RecentRevisions(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /**
   * Marks {@code revision} as seen now; answers the revision that fell out of the last {@code
   * capacity}, whose series should go.
   */
  public synchronized Optional<String> seen(String revision) {
    recent.remove(revision);
    recent.addLast(revision);
    return recent.size() > capacity ? Optional.of(recent.removeFirst()) : Optional.empty();
  }
}
