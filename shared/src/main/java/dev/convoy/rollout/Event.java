package dev.convoy.rollout;

import java.util.List;

/**
 * What an agent tells the coordinator: {@code heartbeat} (who it is, its environment's heads, the
 * digest of its migrations directory), and for a command: {@code accepted}, {@code progress}
 * (backfill rows), {@code succeeded}, {@code failed} or {@code rejected} (with the reason), each
 * with the epoch of the command it answers, so a coordinator ignores answers to superseded sends.
 * {@code sentAt} is the agent's clock in epoch milliseconds, for lag measurements.
 */
public record Event(
    String type,
    String agent,
    String env,
    String plan,
    Integer step,
    Long epoch,
    List<String> heads,
    String digest,
    String message,
    Long rows,
    Long total,
    Double seconds,
    long sentAt) {
  public static final String HEARTBEAT = "heartbeat";
  public static final String ACCEPTED = "accepted";
  public static final String PROGRESS = "progress";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String REJECTED = "rejected";

  public Event {
    heads = heads == null ? List.of() : List.copyOf(heads);
  }

  /**
   * A heartbeat; {@code working} is the command in progress ({@link Command#key()}), or null. It
   * tells the coordinator the step is alive even when it sends no progress (a long index build).
   */
  public static Event heartbeat(
      String agent, String env, List<String> heads, String digest, String working) {
    return new Event(
        HEARTBEAT, agent, env, null, null, null, heads, digest, working, null, null, null, now());
  }

  public static Event about(
      String type, String agent, Command c, List<String> heads, String message, Double seconds) {
    return new Event(
        type, agent, c.env(), c.plan(), c.step(), c.epoch(), heads, null, message, null, null,
        seconds, now());
  }

  public static Event progress(String agent, Command c, long rows, long total) {
    return new Event(
        PROGRESS, agent, c.env(), c.plan(), c.step(), c.epoch(), null, null, null, rows, total,
        null, now());
  }

  public boolean finishes() {
    return type.equals(SUCCEEDED) || type.equals(FAILED) || type.equals(REJECTED);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
