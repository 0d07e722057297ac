package dev.convoy.bench;

import static dev.convoy.bench.Stats.f1;
import static dev.convoy.bench.Stats.max;
import static dev.convoy.bench.Stats.percentile;

import java.util.Locale;

/**
 * The section of part B (and of B') in the terminal table and the markdown: agents alive, the
 * heartbeat lag as the coordinator and the observer saw it, CPU use.
 */
final class PartBReport {
  private PartBReport() {}

  static void append(Options opt, PartB b, StringBuilder out, StringBuilder md) {
    double op50;
    double op99;
    double omax;
    double tr50;
    double fr50;
    double tr99;
    double fr99;
    int n;
    synchronized (b) {
      op50 = percentile(b.observerLag, 0.5);
      op99 = percentile(b.observerLag, 0.99);
      omax = max(b.observerLag);
      tr50 = percentile(b.toRedis, 0.5);
      tr99 = percentile(b.toRedis, 0.99);
      fr50 = percentile(b.fromRedis, 0.5);
      fr99 = percentile(b.fromRedis, 0.99);
      n = b.observerLag.size();
    }
    String alive =
        String.format(
            Locale.ROOT,
            "Agents alive as the coordinator saw them: min %s, at the end %d of %d (all alive %.1f s"
                + " after the first agent started); window %.1f s",
            b.aliveMin == Integer.MAX_VALUE ? "n/a" : String.valueOf(b.aliveMin),
            b.aliveEnd,
            opt.agents,
            b.startupS,
            b.windowS);
    out.append(b.withDb ? "\nB. " : "\nB'. ")
        .append(opt.agents)
        .append(" agents at once (one environment each, own Redis client), heartbeat ")
        .append(opt.heartbeatMs)
        .append(" ms")
        .append(
            b.withDb
                ? ", every agent on bench_coord_dev\n"
                : "; diagnostic, not the verdict: agents' database unreachable (no PostgreSQL"
                    + " connection per heartbeat)\n")
        .append(alive)
        .append("\n");
    String hb =
        String.format("%-44s | %8s | %8s | %8s | %8s", "heartbeat lag (ms)", "p50", "p99", "max", "n");
    out.append(hb).append("\n").append("-".repeat(hb.length())).append("\n");
    String coordRow;
    if (b.hasMetric()) {
      coordRow =
          String.format(
              "%-44s | %8s | %8s | %8s | %8s",
              "coordinator convoy_event_lag_seconds",
              f1(b.metricMs("convoy_event_lag_seconds{0.5}")),
              f1(b.metricMs("convoy_event_lag_seconds{0.99}")),
              f1(b.metricMs("convoy_event_lag_seconds_max")),
              f1(b.after.getOrDefault("convoy_event_lag_seconds_count", Double.NaN)).replace(".0", ""));
    } else {
      coordRow =
          String.format(
              "%-44s | %s",
              "coordinator convoy_event_lag_seconds",
              "not exported by this build of the coordinator");
    }
    out.append(coordRow).append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s | %8d",
                "observer in this JVM: agent -> read",
                f1(op50),
                f1(op99),
                f1(omax),
                n))
        .append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s |",
                "  of which agent clock -> Redis entry id", f1(tr50), f1(tr99), ""))
        .append("\n");
    out.append(
            String.format(
                "%-44s | %8s | %8s | %8s |",
                "  of which Redis entry id -> read", f1(fr50), f1(fr99), ""))
        .append("\n");
    String cpuB = b.cpu == null ? "" : b.cpu.line("the measuring window") + "; attempts: " + b.attempts;
    out.append(cpuB).append("\n");
    if (b.hasMetric()) {
      out.append("coordinator mean lag over the window: ")
          .append(f1(b.windowMeanMs()))
          .append(" ms over ")
          .append(f1(b.windowCount()).replace(".0", ""))
          .append(" heartbeats\n");
    }
    md.append(b.withDb ? "\n## B. " : "\n## B'. ")
        .append(opt.agents)
        .append(
            b.withDb
                ? " agents connected at once\n\n"
                : " agents, their database unreachable (diagnostic, not the verdict)\n\n")
        .append(
            b.withDb
                ? "Every agent's database is `bench_coord_dev`. "
                : "The same as B, but every agent's database URL points at a closed port, so each"
                    + " heartbeat reports empty heads at once instead of opening a PostgreSQL"
                    + " connection to read them. This separates the coordination path (Redis, the"
                    + " coordinator) from the agents' per-heartbeat database work, which on this"
                    + " one-machine setup lands one connection per agent per second on one"
                    + " PostgreSQL. ")
        .append("One coordinator with ")
        .append(opt.agents)
        .append(" environments (e01..e")
        .append(String.format("%02d", opt.agents))
        .append("), one in-process agent each, every agent with its own Redis client (its own")
        .append(" connections), heartbeat every ")
        .append(opt.heartbeatMs)
        .append(" ms, measured for ")
        .append(opt.seconds)
        .append(" s once every agent was seen alive. ")
        .append(alive)
        .append(".\n\n")
        .append("- coordinator: `convoy_event_lag_seconds{type=\"heartbeat\"}` from its `/metrics`")
        .append(" at the end (the agent's event timestamp to the coordinator reading it; Micrometer's")
        .append(" quantiles and max cover its last ~2 minutes, so agent start-up is included).\n")
        .append("- observer: a separate reader of the events stream in the same JVM (own Redis")
        .append(" connection), heartbeats of the measuring window only: agent clock → read, split at")
        .append(" the Redis entry id (Redis's clock when the entry was added). Same machine, one clock.\n\n");
    md.append("| heartbeat lag | p50 ms | p99 ms | max ms | heartbeats |\n");
    md.append("| --- | ---: | ---: | ---: | ---: |\n");
    if (b.hasMetric()) {
      md.append("| coordinator (`convoy_event_lag_seconds`) | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds{0.5}")))
          .append(" | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds{0.99}")))
          .append(" | ")
          .append(f1(b.metricMs("convoy_event_lag_seconds_max")))
          .append(" | ")
          .append(f1(b.after.getOrDefault("convoy_event_lag_seconds_count", Double.NaN)).replace(".0", ""))
          .append(" |\n");
    } else {
      md.append("| coordinator (`convoy_event_lag_seconds`) | not exported by this build | | | |\n");
    }
    md.append("| observer: agent → read | ")
        .append(f1(op50))
        .append(" | ")
        .append(f1(op99))
        .append(" | ")
        .append(f1(omax))
        .append(" | ")
        .append(n)
        .append(" |\n");
    md.append("| observer: agent → Redis entry | ")
        .append(f1(tr50))
        .append(" | ")
        .append(f1(tr99))
        .append(" | | |\n");
    md.append("| observer: Redis entry → read | ")
        .append(f1(fr50))
        .append(" | ")
        .append(f1(fr99))
        .append(" | | |\n");
    md.append("\n").append(cpuB).append(".\n");
    if (b.hasMetric()) {
      md.append("\nCoordinator mean lag over the measuring window (growth of `_sum` / `_count`): ")
          .append(f1(b.windowMeanMs()))
          .append(" ms over ")
          .append(f1(b.windowCount()).replace(".0", ""))
          .append(" heartbeats.\n");
    } else {
      md.append("\nThe coordinator of this build does not export `convoy_event_lag_seconds`; the")
          .append(" verdict uses the observer's p99, which leaves out the coordinator's own")
          .append(" handling.\n");
    }
    if (b.error != null) {
      String which = b.withDb ? "Part B" : "Part B'";
      out.append(which).append(" error: ").append(b.error).append("\n");
      md.append("\n").append(which).append(" error: ").append(b.error).append("\n");
    }
  }

}
