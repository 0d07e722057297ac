package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.DB_PREFIX;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU use during a part, from /proc: the machine's, this JVM's and that of processes outside the
 * benchmark, so that a part run while something else kept the machine busy can be told (and run
 * again).
 */
final class CpuMeter {
  private CpuMeter() {}

  /**
   * A CPU snapshot: machine-wide busy seconds (all cores, /proc/stat), this JVM's CPU seconds, and
   * per process that is not this benchmark's (not this JVM, not Redis, not PostgreSQL except
   * backends of other databases) its CPU ticks, its reaped children's included.
   */
  record CpuMark(double machine, double self, Map<Integer, Long> others) {}

  private static final Pattern BACKEND =
      Pattern.compile("^postgres: [^:]+: \\S+ (\\S+) \\S+\\(\\d+\\)");

  static CpuMark cpu() {
    double machine = Double.NaN;
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) { // guest time is already in user
        if (i != 4 && i != 5) {
          busy += Long.parseLong(f[i]);
        }
      }
      machine = busy / 100.0;
    } catch (IOException | RuntimeException e) {
      // Not Linux.
    }
    double self = Double.NaN;
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      self = os.getProcessCpuTime() / 1e9;
    }
    Map<Integer, Long> others = new java.util.HashMap<>();
    long me = ProcessHandle.current().pid();
    java.io.File[] procs = new java.io.File("/proc").listFiles();
    for (java.io.File d : procs == null ? new java.io.File[0] : procs) {
      if (!d.getName().matches("\\d+") || Long.parseLong(d.getName()) == me) {
        continue;
      }
      try {
        String stat = Files.readString(d.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String comm = stat.substring(open + 1, close);
        String[] f = stat.substring(close + 2).split(" ");
        long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        long children = Long.parseLong(f[13]) + Long.parseLong(f[14]);
        if (comm.startsWith("redis-server")) {
          continue;
        }
        if (comm.equals("postgres")) {
          // A backend of another database (a test suite's) is someone else's work; this run's
          // backends, the server's own processes and backends that exit meanwhile are not counted.
          String title = Files.readString(d.toPath().resolve("cmdline")).replace('\0', ' ');
          Matcher m = BACKEND.matcher(title);
          if (m.find() && !m.group(1).startsWith(DB_PREFIX) && !m.group(1).equals("postgres")) {
            others.put(Integer.parseInt(d.getName()), own);
          }
          continue;
        }
        // Children's time too: a test JVM that ends during the interval shows in its parent's.
        others.put(Integer.parseInt(d.getName()), own + children);
      } catch (IOException | RuntimeException e) {
        // Gone meanwhile.
      }
    }
    return new CpuMark(machine, self, others);
  }

  /** CPU use over an interval, in percent of all cores. */
  record CpuUse(double wallS, double machinePct, double selfPct, double foreignPct) {
    String line(String what) {
      return String.format(
          Locale.ROOT,
          "CPU over %s (%.0f s), in %% of all %d cores: machine %.0f%%, this JVM %.0f%%, other"
              + " processes (not this JVM, Redis or this run's PostgreSQL) %.0f%%",
          what,
          wallS,
          Runtime.getRuntime().availableProcessors(),
          machinePct,
          selfPct,
          foreignPct);
    }
  }

  static CpuUse cpuUse(CpuMark a, CpuMark b, double wallS) {
    double cap = wallS * Runtime.getRuntime().availableProcessors() / 100;
    long foreign = 0;
    for (var e : b.others().entrySet()) {
      foreign += Math.max(0, e.getValue() - a.others().getOrDefault(e.getKey(), 0L));
    }
    return new CpuUse(
        wallS, (b.machine() - a.machine()) / cap, (b.self() - a.self()) / cap, foreign / 100.0 / cap);
  }
}
