package dev.convoy.bench;

import dev.convoy.bench.CpuMeter.CpuUse;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Coordination benchmark (issue 4): one coordinator and its agents in this JVM, on the real
 * PostgreSQL and Redis, each component with its own Redis connections and database pools.
 *
 * <p><b>Part A (stages).</b> A trivial migration (one {@code create_table}) rolled through dev,
 * staging and prod, strategy per-environment, auto gates. Per stage, from the control database's
 * timestamps: stage wall = this step's {@code finished_at} minus the previous step's (the POST for
 * the first stage); SQL/apply = the step's {@code seconds} (measured by the agent around the
 * engine's apply); coordination overhead = stage wall − SQL/apply. Repeated over a chain of trivial
 * revisions (coord0001..coord000R, each rollout to the next), after untimed warm-up rollouts
 * (--warmups, 3 by default).
 *
 * <p><b>Part B (many agents).</b> A coordinator with N environments e01..eNN and one agent each
 * (its own Redis client), heartbeat every second, for S seconds once every agent is seen alive.
 * Heartbeat lag as the coordinator measures it ({@code convoy_event_lag_seconds{type="heartbeat"}}
 * on its /metrics), and as an independent reader of the events stream in this JVM sees it.
 *
 * <p>This class is the entry point: it reads the options ({@link Options}), runs the parts
 * ({@link PartA}, {@link PartB}; a part again when other processes kept the machine busy during
 * it) and hands them to {@link Report}.
 */
public final class CoordinationBench {
  static final List<String> ENVS = List.of("dev", "staging", "prod");
  static final String TOKEN = "bench-token-" + UUID.randomUUID();
  static final String KEY = "bench-signing-key-" + UUID.randomUUID();
  static final double TARGET_OVERHEAD_MS = 100;
  static final double TARGET_LAG_MS = 50;
  static final String DB_PREFIX = "bench_coord_";

  final Options opt;
  Resources res;
  PartA partA;
  PartB partB;
  PartB partBNoDb;

  CoordinationBench(Options opt) {
    this.opt = opt;
  }

  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      // Convoy logs every step at INFO; the benchmark's own output is on stdout.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    Options opt = new Options();
    opt.parse(args);
    CoordinationBench b = new CoordinationBench(opt);
    int rc;
    try {
      rc = b.run();
    } finally {
      b.cleanup();
    }
    System.exit(rc);
  }

  static void log(String s) {
    System.err.println("coordination: " + s);
  }

  int run() throws Exception {
    res = new Resources(opt);
    res.writeMigrations(opt.warmups + opt.repeats);
    // A part during which other processes used more than busyLimit % of the machine is run again
    // (the work of another build or test suite on a 2-core box shows up as coordination latency).
    if (opt.parts.contains("A")) {
      for (int attempt = 1; ; attempt++) {
        partA = new PartA(opt, res);
        partA.attempts = attempt;
        partA.run();
        if (!busy(partA.cpu, "part A") || attempt > opt.busyRetries) {
          break;
        }
      }
    }
    if (opt.parts.contains("B")) {
      for (int attempt = 1; ; attempt++) {
        partB = new PartB(opt, res, true);
        partB.attempts = attempt;
        partB.run();
        if (!busy(partB.cpu, "part B") || attempt > opt.busyRetries) {
          break;
        }
      }
      if (opt.noDbVariant) {
        for (int attempt = 1; ; attempt++) {
          partBNoDb = new PartB(opt, res, false);
          partBNoDb.attempts = attempt;
          partBNoDb.run();
          if (!busy(partBNoDb.cpu, "part B'") || attempt > opt.busyRetries) {
            break;
          }
        }
      }
    }
    return new Report(opt, res, partA, partB, partBNoDb).write();
  }

  boolean busy(CpuUse use, String what) {
    if (use == null || !(use.foreignPct() > opt.busyLimit)) {
      return false;
    }
    log(
        String.format(
            Locale.ROOT,
            "%s: other processes used %.0f%% of the machine (limit %d%%)%s",
            what,
            use.foreignPct(),
            opt.busyLimit,
            opt.busyRetries > 0 ? "; running it again" : ""));
    sleep(10_000);
    return true;
  }

  void cleanup() {
    if (res != null) {
      res.close();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
