package dev.convoy.rollout;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * How a coordinator or an agent waits at start for the services it needs (Redis, a database): it
 * asks {@code probe} what does not answer, again every half second until {@code waitFor} has passed
 * (zero: once), then fails with one line saying what does not answer and what to do.
 */
public final class ServiceWait {
  private ServiceWait() {}

  /** Half a second between two probes. */
  static final long PAUSE_MS = 500;

  public static void await(Duration waitFor, Supplier<List<String>> probe) {
    await(waitFor, probe, System::nanoTime, Sleeper.THREAD);
  }

  /** As {@link #await(Duration, Supplier)}, on a monotonic clock {@code nanos} and a sleeper. */
  public static void await(
      Duration waitFor, Supplier<List<String>> probe, LongSupplier nanos, Sleeper sleeper) {
    long until = nanos.getAsLong() + waitFor.toNanos();
    while (true) {
      List<String> problems = probe.get();
      if (problems.isEmpty()) {
        return;
      }
      if (nanos.getAsLong() - until >= 0) {
        throw new ConvoyException(
            ErrorCode.CONNECTION_FAILED,
            String.join("; ", problems.stream().map(ServiceWait::withoutFullStop).toList())
                + ". Start it or fix the URL"
                + (waitFor.isZero()
                    ? ", or give --wait-for-services DURATION to wait for it"
                    : "; waited " + waitFor.toSeconds() + " s"));
      }
      if (!Loops.pause(sleeper, PAUSE_MS)) {
        throw new ConvoyException(ErrorCode.CONNECTION_FAILED, "interrupted while waiting");
      }
    }
  }

  private static String withoutFullStop(String problem) {
    return problem.endsWith(".") ? problem.substring(0, problem.length() - 1) : problem;
  }

  /** {@code url} without the password of its user info, for messages. */
  public static String redacted(String url) {
    return dev.convoy.pg.PgUrl.redact(url);
  }
}
