package dev.convoy.cli;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "current", description = "Show the revision(s) the database is at.")
final class CurrentCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(
      names = "--check-heads",
      description =
          "Exit 1 unless the database is at every head with no contract pending (no revision left"
              + " expanded).")
  boolean checkHeads;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show file, checksum and when it was applied.")
  boolean verbose;

  CurrentCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    DatabaseView view = DatabaseView.read(cli, db, graph, true);
    List<String> heads = view.snapshot.heads();
    boolean atHead = new HashSet<>(heads).equals(new HashSet<>(graph.heads()));
    List<String> pending = graph.sorted(view.snapshot.expanded());
    RevisionLines lines = view.lines(graph);
    if (db.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("heads", heads);
      doc.put("at_head", atHead);
      doc.put("contract_pending", pending);
      List<Object> revs = new ArrayList<>();
      for (String h : heads) {
        revs.add(graph.find(h).map(lines::json).orElse(Map.of("revision", h, "unknown", true)));
      }
      doc.put("revisions", revs);
      Json.print(cli.out(), doc);
    } else if (heads.isEmpty()) {
      cli.out()
          .println(
              "base (no revision applied)"
                  + (graph.isEmpty() ? "" : "; head is " + String.join(", ", graph.heads())));
    } else {
      for (String h : heads) {
        Migration m = graph.find(h).orElse(null);
        if (m == null) {
          cli.out().println(h + " (not in the migrations directory)");
          continue;
        }
        cli.out()
            .println(
                m.revision()
                    + (atHead || graph.children(h).isEmpty() ? " (head)" : "")
                    + (view.snapshot.expanded().contains(h) ? " (expanded: contract pending)" : "")
                    + (m.message().isBlank() ? "" : ", " + m.message()));
        if (verbose) {
          lines.details(m).forEach(cli.out()::println);
        }
      }
    }
    cli.out().flush();
    if (checkHeads && !atHead) {
      cli.err()
          .println(
              "The database is not at head: it is at "
                  + ResultOutput.describe(heads)
                  + ", the migrations directory's head is "
                  + ResultOutput.describe(graph.heads())
                  + ". Run 'convoy upgrade head'.");
      cli.err().flush();
      return 1;
    }
    if (checkHeads && !pending.isEmpty()) {
      cli.err()
          .println(
              "The database is at head but "
                  + String.join(", ", pending)
                  + (pending.size() == 1 ? " is" : " are")
                  + " only expanded: contract pending. Deploy the new application, then run"
                  + " 'convoy upgrade' (or --phase contract).");
      cli.err().flush();
      return 1;
    }
    return 0;
  }
}
