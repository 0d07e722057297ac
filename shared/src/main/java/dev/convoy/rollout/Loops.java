package dev.convoy.rollout;

/**
 * The background loops of the coordinator and the agents: daemon threads that run until stopped,
 * log and carry on through outages, and stop promptly when interrupted.
 */
public final class Loops {
  private Loops() {}

  public static Thread start(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Sleeps; false when interrupted (the loop should end). */
  public static boolean pause(long ms) {
    return pause(Sleeper.THREAD, ms);
  }

  /** Pauses with {@code sleeper}; false when interrupted (the loop should end). */
  public static boolean pause(Sleeper sleeper, long ms) {
    try {
      sleeper.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Interrupts each loop and waits up to three seconds for it to end. */
  public static void stop(Thread... threads) {
    for (Thread t : threads) {
      if (t == null) {
        continue;
      }
      t.interrupt();
      try {
        t.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
