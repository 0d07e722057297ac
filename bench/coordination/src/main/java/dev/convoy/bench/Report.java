package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.TARGET_LAG_MS;
import static dev.convoy.bench.CoordinationBench.TARGET_OVERHEAD_MS;
import static dev.convoy.bench.CoordinationBench.log;
import static dev.convoy.bench.Stats.f1;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The results: the terminal table on stdout and the same as markdown in {@code --results}, with the
 * machine, the parts' sections ({@link PartAReport}, {@link PartBReport}) and the verdict.
 */
final class Report {
  final Options opt;
  final Resources res;
  final PartA partA;
  final PartB partB;
  final PartB partBNoDb;

  Report(Options opt, Resources res, PartA partA, PartB partB, PartB partBNoDb) {
    this.opt = opt;
    this.res = res;
    this.partA = partA;
    this.partB = partB;
    this.partBNoDb = partBNoDb;
  }

  /** Prints and writes the results; 1 when a part failed, else 0. */
  int write() throws IOException {
    String javaVersion =
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")";
    String machine =
        Runtime.getRuntime().availableProcessors()
            + " cores, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
            + ", "
            + javaVersion
            + ", PostgreSQL "
            + res.serverVersion()
            + ", Redis "
            + res.redisVersion();
    String load = "?";
    try {
      load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      // Not Linux.
    }
    StringBuilder md = new StringBuilder();
    StringBuilder out = new StringBuilder();
    md.append("# Coordination: overhead per stage and event lag\n\n");
    md.append("- date: ")
        .append(
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
                .format(Instant.now().atOffset(ZoneOffset.UTC)))
        .append("\n- machine: ")
        .append(machine)
        .append("\n- command: `")
        .append(opt.commandLine)
        .append("`\n- everything in one JVM: the coordinator, the agents and the benchmark's own")
        .append(" HTTP polling and stream reader share the machine's cores; each coordinator and")
        .append(" agent has its own Redis client (own connections) and database pools; 1-minute")
        .append(" load average at the end: ")
        .append(load)
        .append("\n");
    if (opt.convoyBuild != null) {
      md.append("- Convoy build measured: ").append(opt.convoyBuild).append("\n");
    }
    boolean metA = true;
    boolean metB = true;


    if (partA != null) {
      metA = partA.met();
      PartAReport.append(opt, partA, out, md);
    }

    if (partB != null) {
      metB = partB.met();
      PartBReport.append(opt, partB, out, md);
    }
    if (partBNoDb != null) {
      PartBReport.append(opt, partBNoDb, out, md);
    }

    List<String> why = new ArrayList<>();
    if (partA != null) {
      why.add(
          "A: "
              + (metA ? "met" : "missed")
              + " (every stage's coordination overhead <= "
              + (int) TARGET_OVERHEAD_MS
              + " ms in every timed rollout, all rollouts succeeded)");
    }
    if (partB != null) {
      why.add(
          "B: "
              + (metB ? "met" : "missed")
              + " (heartbeat lag p99 "
              + f1(partB.p99())
              + " ms <= "
              + (int) TARGET_LAG_MS
              + " ms"
              + (partB.hasMetric() ? ", coordinator metric" : ", observer: coordinator metric absent")
              + "; all "
              + opt.agents
              + " agents alive throughout)");
    }
    String verdict = (metA && metB) ? "TARGET MET" : "TARGET MISSED";
    if (partBNoDb != null) {
      why.add(
          "B' (diagnostic, not in the verdict): heartbeat lag p99 "
              + f1(partBNoDb.p99())
              + " ms with the agents' database unreachable");
    }
    out.append("\n").append(verdict).append(": ").append(String.join("; ", why)).append("\n");
    md.append("\n**").append(verdict).append("**: ").append(String.join("; ", why)).append("\n");
    System.out.print(out);
    if (opt.results != null) {
      Files.createDirectories(opt.results.toAbsolutePath().getParent());
      Files.writeString(opt.results, md.toString());
      log("wrote " + opt.results);
    }
    return (partA != null && partA.error != null)
            || (partB != null && partB.error != null)
            || (partBNoDb != null && partBNoDb.error != null)
        ? 1
        : 0;
  }

}
