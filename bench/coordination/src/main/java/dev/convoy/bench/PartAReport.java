package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.ENVS;
import static dev.convoy.bench.Stats.f1;
import static dev.convoy.bench.Stats.max;
import static dev.convoy.bench.Stats.median;

import java.util.List;
import java.util.Locale;

/**
 * Part A's section of the terminal table and the markdown: overhead and SQL/apply per stage, where
 * the overhead goes, the end-to-end summary and every rollout.
 */
final class PartAReport {
  private PartAReport() {}

  static void append(Options opt, PartA a, StringBuilder out, StringBuilder md) {
    md.append("\n## A. A trivial migration through dev, staging and prod (auto gates)\n\n");
    md.append("Coordinator tick ")
        .append(opt.tickMs)
        .append(" ms, agent heartbeat ")
        .append(opt.heartbeatMs)
        .append(" ms, strategy per-environment, API polled every ")
        .append(opt.pollMs)
        .append(" ms. ")
        .append(opt.repeats)
        .append(" timed rollouts, each to the next trivial revision (one `create_table`), after ")
        .append(opt.warmups)
        .append(" untimed warm-up rollout(s). Times from the control database (`convoy_control.steps`):")
        .append(" stage wall = `finished_at` − previous stage's `finished_at` (the POST for dev);")
        .append(" SQL/apply = the agent's `seconds`; overhead = wall − SQL/apply, split into gate")
        .append(" (previous `finished_at` or POST → `sent_at`) and agent/transport (`sent_at` →")
        .append(" `finished_at`, minus SQL/apply).\n\n");
    out.append("\nA. trivial migration through dev -> staging -> prod, auto gates (")
        .append(opt.repeats)
        .append(" timed rollouts, ")
        .append(opt.warmups)
        .append(" warm-up)\n");
    String h =
        String.format(
            "%-8s | %13s | %10s | %12s | %9s | %14s | %16s",
            "stage",
            "overhead p50",
            "overhead max",
            "SQL/apply p50",
            "SQL max",
            "gate wait p50",
            "agent+transport p50");
    out.append(h).append(" (ms)\n").append("-".repeat(h.length())).append("\n");
    md.append(
        "| stage | overhead median ms | overhead max ms | SQL/apply median ms | SQL/apply max ms |"
            + " gate wait median ms | agent + transport median ms |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String e : ENVS) {
      List<Double> ov = a.col(e, StageTiming::overheadMs);
      List<Double> sql = a.col(e, StageTiming::sqlMs);
      List<Double> gate = a.col(e, StageTiming::gateMs);
      List<Double> ag = a.col(e, StageTiming::agentMs);
      out.append(
              String.format(
                  "%-8s | %13s | %12s | %13s | %9s | %14s | %19s",
                  e,
                  f1(median(ov)),
                  f1(max(ov)),
                  f1(median(sql)),
                  f1(max(sql)),
                  f1(median(gate)),
                  f1(median(ag))))
          .append("\n");
      md.append("| ")
          .append(e)
          .append(" | ")
          .append(f1(median(ov)))
          .append(" | ")
          .append(f1(max(ov)))
          .append(" | ")
          .append(f1(median(sql)))
          .append(" | ")
          .append(f1(max(sql)))
          .append(" | ")
          .append(f1(median(gate)))
          .append(" | ")
          .append(f1(median(ag)))
          .append(" |\n");
    }
    String bh =
        String.format(
            "%-8s | %10s | %10s | %14s | %13s | %12s",
            "stage",
            "gate wait",
            "send",
            "agent pickup",
            "agent non-SQL",
            "report");
    out.append("where the overhead goes, medians in ms (gate wait: previous stage done -> sent_at;")
        .append(" send: sent_at -> command entry in Redis; agent pickup: entry -> agent's 'accepted';")
        .append(" agent non-SQL: accepted -> succeeded minus SQL/apply; report: agent's 'succeeded' ->")
        .append(" finished_at recorded by the coordinator)\n")
        .append(bh)
        .append("\n")
        .append("-".repeat(bh.length()))
        .append("\n");
    md.append("\nWhere the overhead goes, medians in ms. Gate wait: previous stage done (the POST")
        .append(" for dev) → `sent_at`; send: `sent_at` → the command's entry id in the")
        .append(" environment's Redis stream; agent pickup: that entry → the agent's `accepted` event")
        .append(" (reading the stream, signature, migrations directory, epoch fence); agent non-SQL:")
        .append(" `accepted` → `succeeded` minus SQL/apply; report: the agent's `succeeded` event →")
        .append(" `finished_at` written by the coordinator. Redis ids and agent event times are")
        .append(" millisecond clocks, so each part is ±1 ms.\n\n")
        .append("| stage | gate wait | send | agent pickup | agent non-SQL | report |\n")
        .append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (String e : ENVS) {
      String[] v = {
        f1(median(a.col(e, StageTiming::gateMs))),
        f1(median(a.col(e, StageTiming::sendMs))),
        f1(median(a.col(e, StageTiming::pickupMs))),
        f1(median(a.col(e, StageTiming::extraMs))),
        f1(median(a.col(e, StageTiming::reportMs)))
      };
      out.append(
              String.format(
                  "%-8s | %10s | %10s | %14s | %13s | %12s", e, v[0], v[1], v[2], v[3], v[4]))
          .append("\n");
      md.append("| ").append(e).append(" | ").append(String.join(" | ", v)).append(" |\n");
    }
    List<Double> e2e = a.timed().stream().map(RolloutTiming::endToEndMs).toList();
    List<Double> sqlSum =
        a.timed().stream()
            .map(r -> r.stages().stream().mapToDouble(StageTiming::sqlMs).sum())
            .toList();
    List<Double> ovSum =
        a.timed().stream()
            .map(r -> r.stages().stream().mapToDouble(StageTiming::overheadMs).sum())
            .toList();
    List<Double> fin = a.timed().stream().map(RolloutTiming::finishMs).toList();
    List<Double> stored = a.timed().stream().map(RolloutTiming::postMs).toList();
    String summary =
        String.format(
            Locale.ROOT,
            "end-to-end (POST -> 'succeeded' seen by polling): median %s ms, max %s ms; of which"
                + " SQL/apply over the 3 stages: median %s ms; overhead over the 3 stages: median"
                + " %s ms; last step done -> rollout marked succeeded: median %s ms; dev's gate"
                + " wait includes the POST itself (harness sends -> rollout row stored): median %s"
                + " ms",
            f1(median(e2e)),
            f1(max(e2e)),
            f1(median(sqlSum)),
            f1(median(ovSum)),
            f1(median(fin)),
            f1(median(stored)));
    String cpuA = a.cpu == null ? "" : a.cpu.line("part A") + "; attempts: " + a.attempts;
    out.append(summary).append("\n").append(cpuA).append("\n");
    md.append("\n").append(summary).append(".\n\n").append(cpuA).append(".\n\n");
    md.append("Every rollout, per stage: overhead (of which gate wait) / SQL/apply, ms:\n\n");
    md.append("| # | target | state | end-to-end ms | dev | staging | prod |\n");
    md.append("| ---: | --- | --- | ---: | ---: | ---: | ---: |\n");
    for (RolloutTiming r : a.rollouts) {
      md.append("| ")
          .append(r.index())
          .append(r.warmup() ? " (warm-up, not counted)" : "")
          .append(" | ")
          .append(r.target())
          .append(" | ")
          .append(r.state())
          .append(" | ")
          .append(f1(r.endToEndMs()));
      for (String e : ENVS) {
        StageTiming s =
            r.stages().stream().filter(x -> x.env().equals(e)).findFirst().orElse(null);
        md.append(" | ")
            .append(
                s == null
                    ? "n/a"
                    : f1(s.overheadMs()) + " (" + f1(s.gateMs()) + ") / " + f1(s.sqlMs()));
      }
      md.append(" |\n");
    }
    if (a.error != null) {
      out.append("part A error: ").append(a.error).append("\n");
      md.append("\nPart A error: ").append(a.error).append("\n");
    }
  }
}
