package dev.convoy.rollout;

/**
 * How code that waits between attempts pauses: {@link #THREAD} outside tests; a test passes a
 * sleeper that returns at once and moves its clock, so a retry schedule is checked without waiting.
 */
@FunctionalInterface
public interface Sleeper {
  Sleeper THREAD = Thread::sleep;

  void sleep(long ms) throws InterruptedException;
}
