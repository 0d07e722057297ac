package dev.convoy.cli;

import dev.convoy.graph.RevisionGraph;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "heads", description = "Show the migrations directory's head revisions.")
final class HeadsCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show file and checksum.")
  boolean verbose;

  HeadsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    DatabaseView view = DatabaseView.read(cli, db, graph, false);
    RevisionLines lines = view.lines(graph);
    if (db.json) {
      Json.print(cli.out(), graph.heads().stream().map(h -> lines.json(graph.get(h))).toList());
      return 0;
    }
    for (String h : graph.heads()) {
      cli.out().println(lines.line(graph.get(h), false));
      if (verbose) {
        lines.details(graph.get(h)).forEach(cli.out()::println);
      }
    }
    cli.out().flush();
    return 0;
  }
}
