package dev.convoy.cli;

import dev.convoy.graph.RevisionGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "branches", description = "Show where the revision graph branches.")
final class BranchesCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  BranchesCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    RevisionLines lines = DatabaseView.read(cli, db, graph, false).lines(graph);
    if (db.json) {
      Json.print(
          cli.out(),
          graph.branchPoints().stream()
              .map(
                  b -> {
                    Map<String, Object> j = new LinkedHashMap<>(lines.json(graph.get(b)));
                    j.put("children", graph.children(b));
                    return j;
                  })
              .toList());
      return 0;
    }
    if (graph.branchPoints().isEmpty()) {
      cli.out().println("No branches: the revisions form one line.");
    }
    for (String b : graph.branchPoints()) {
      cli.out().println(lines.line(graph.get(b), false));
      for (String c : graph.children(b)) {
        cli.out().println("    -> " + c + ", " + graph.get(c).message());
      }
    }
    cli.out().flush();
    return 0;
  }
}
