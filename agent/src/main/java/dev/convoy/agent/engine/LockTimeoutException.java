package dev.convoy.agent.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A statement kept hitting lock_timeout (SQLSTATE 55P03) until its retries ran out. Names the
 * sessions that held the conflicting locks, as seen while it waited.
 */
public class LockTimeoutException extends RuntimeException {
  /** A session that blocked the statement. */
  public record Blocker(int pid, String applicationName, String state, String query, String since) {
    @Override
    public String toString() {
      return "pid "
          + pid
          + (applicationName == null || applicationName.isEmpty()
              ? ""
              : " (" + applicationName + ")")
          + ", "
          + state
          + (since == null ? "" : " since " + since)
          + ", running: "
          + (query == null ? "?" : query.strip().replaceAll("\\s+", " "));
    }
  }

  private final List<Blocker> blockers;

  public LockTimeoutException(
      String what, int attempts, long lockTimeoutMs, List<Blocker> blockers, Throwable last) {
    super(
        "lock_timeout ("
            + lockTimeoutMs
            + " ms) hit on each of "
            + attempts
            + " attempts (SQLSTATE 55P03) for "
            + what
            + (blockers.isEmpty()
                ? "; the blocking session had gone by the time it was looked up"
                : "; blocked by "
                    + blockers.stream().map(Blocker::toString).collect(Collectors.joining("; ")))
            + ". End or wait for the blocking session (SELECT pg_cancel_backend(pid)), then run again;"
            + " --lock-timeout and --lock-retries tune how long Convoy waits.",
        last);
    this.blockers = List.copyOf(blockers);
  }

  public List<Blocker> blockers() {
    return blockers;
  }
}
