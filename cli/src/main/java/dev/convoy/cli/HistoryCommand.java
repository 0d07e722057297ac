package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "history",
    description = {
      "List revisions, newest first; [x] marks what the database has applied.",
      "Without --url (or CONVOY_DATABASE_URL) nothing is marked."
    })
final class HistoryCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(
      names = {"-r", "--rev-range"},
      paramLabel = "START:END",
      description = "Only revisions from START to END (base, head, heads, current, a revision).")
  String range;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show file, checksum and when each was applied.")
  boolean verbose;

  HistoryCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    boolean needDb = range != null && range.contains("current");
    DatabaseView view = DatabaseView.read(cli, db, graph, needDb);
    RevisionLines lines = view.lines(graph);
    List<Migration> shown = new ArrayList<>(select(graph, view.snapshot.heads()));
    java.util.Collections.reverse(shown);
    if (db.json) {
      Json.print(cli.out(), shown.stream().map(lines::json).toList());
      return 0;
    }
    for (Migration m : shown) {
      cli.out().println(lines.line(m, view.connected));
      if (verbose) {
        lines.details(m).forEach(cli.out()::println);
      }
    }
    cli.out().flush();
    return 0;
  }

  private List<Migration> select(RevisionGraph graph, Collection<String> current) {
    if (range == null) {
      return graph.all();
    }
    int colon = range.indexOf(':');
    if (colon < 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--rev-range '" + range + "' must be START:END, e.g. base:head or current:heads");
    }
    String start = range.substring(0, colon);
    String end = range.substring(colon + 1);
    Set<String> upper = new LinkedHashSet<>();
    for (String e : ends(graph, end.isEmpty() ? "heads" : end, current)) {
      upper.addAll(graph.closure(List.of(e)));
    }
    Set<String> lower = null;
    if (!start.isEmpty() && !start.equals("base")) {
      lower = new LinkedHashSet<>();
      for (String s : ends(graph, start, current)) {
        lower.add(s);
        lower.addAll(graph.descendants(s));
      }
    }
    List<Migration> out = new ArrayList<>();
    for (Migration m : graph.all()) {
      if (upper.contains(m.revision()) && (lower == null || lower.contains(m.revision()))) {
        out.add(m);
      }
    }
    return out;
  }

  private static Collection<String> ends(
      RevisionGraph graph, String expr, Collection<String> current) {
    return switch (expr) {
      case "heads" -> graph.heads();
      case "current" -> current.stream().filter(graph::contains).toList();
      default -> {
        String one = new Planner(graph).resolveOne(expr, current);
        yield one == null ? List.of() : List.of(one);
      }
    };
  }
}
