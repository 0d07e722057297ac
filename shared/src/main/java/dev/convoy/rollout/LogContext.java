package dev.convoy.rollout;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The rollout, environment, step and epoch a thread's work is about, in the SLF4J MDC while it
 * runs, so every line logged meanwhile carries them (a JSON log's {@code rollout}, {@code env},
 * {@code step} and {@code epoch} fields). Closing puts back what the thread had before: contexts
 * nest (a rollout's tick, then one of its steps).
 */
public final class LogContext implements AutoCloseable {
  public static final String ROLLOUT = "rollout";
  public static final String ENV = "env";
  public static final String STEP = "step";
  public static final String EPOCH = "epoch";

  private final Map<String, String> before = new LinkedHashMap<>();

  private LogContext() {}

  /** Sets the keys whose value is not null; the others keep the value they had. */
  public static LogContext of(String rollout, String env, Integer step, Long epoch) {
    LogContext c = new LogContext();
    c.put(ROLLOUT, rollout);
    c.put(ENV, env);
    c.put(STEP, step == null ? null : step.toString());
    c.put(EPOCH, epoch == null ? null : epoch.toString());
    return c;
  }

  /** What a command is about. */
  public static LogContext of(Command c) {
    return of(c.plan(), c.env(), c.step(), c.epoch());
  }

  /** What an agent's event is about. */
  public static LogContext of(Event e) {
    return of(e.plan(), e.env(), e.step(), e.epoch());
  }

  private void put(String key, String value) {
    if (value != null) {
      before.put(key, MDC.get(key));
      MDC.put(key, value);
    }
  }

  @Override
  public void close() {
    before.forEach(
        (k, v) -> {
          if (v == null) {
            MDC.remove(k);
          } else {
            MDC.put(k, v);
          }
        });
  }
}
