package dev.convoy.rollout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a coordinator or an agent can reach what it needs (Redis, a database): each check pings
 * one service, and a failed ping is a problem naming the service, where its URL comes from and why.
 * Asked at start (fail, or wait as long as told) and then every few seconds for {@code /health}.
 */
public final class ServiceProbe {
  /** One service: {@code what} names it and its option (with the URL, never its password). */
  public record Check(String what, Runnable ping) {}

  private final List<Check> checks;
  private volatile List<String> problems = List.of();

  public ServiceProbe(List<Check> checks) {
    this.checks = List.copyOf(checks);
  }

  /** What is unreachable now (empty when all is well); also remembered for {@link #problems}. */
  public List<String> probe() {
    List<String> out = new ArrayList<>();
    for (Check c : checks) {
      try {
        c.ping().run();
      } catch (RuntimeException e) {
        out.add(c.what() + " does not answer: " + e.getMessage());
      }
    }
    problems = List.copyOf(out);
    return problems;
  }

  /** The problems found by the last probe. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Returns once every service answers; retries until {@code waitFor} has passed (zero: one try),
   * then fails with one line saying what does not answer and what to do.
   */
  public void awaitAtStart(Duration waitFor) {
    ServiceWait.await(waitFor, this::probe);
  }
}
