package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "merge",
    description = "Create a revision that joins several heads into one ('heads' for all of them).")
final class MergeCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(
      arity = "1..*",
      paramLabel = "REVISIONS",
      description = "'heads', or two or more revisions.")
  List<String> revisions;

  @Option(
      names = {"-m", "--message"},
      required = true,
      description = "What the merge revision joins, e.g. 'merge heads'.")
  String message;

  @Option(names = "--rev-id", description = "Use this id instead of 12 random hex characters.")
  String revId;

  @Option(
      names = "--branch-label",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = "Label the merge revision's branch.")
  List<String> branchLabels = new ArrayList<>();

  MergeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    Set<String> parents = new LinkedHashSet<>();
    Planner planner = new Planner(graph);
    for (String r : revisions) {
      if (r.equals("heads")) {
        parents.addAll(graph.heads());
      } else {
        String one = planner.resolveOne(r, List.of());
        if (one == null) {
          throw new ConvoyException(
              ErrorCode.BAD_INPUT, "cannot merge 'base'; name revisions or 'heads'");
        }
        parents.add(one);
      }
    }
    if (parents.size() < 2) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "nothing to merge: "
              + (parents.isEmpty() ? "no revisions" : "only " + String.join(", ", parents))
              + " given; the directory's heads are "
              + String.join(", ", graph.heads()));
    }
    String id = revId != null ? revId : MigrationWriter.newRevisionId();
    if (graph.contains(id)) {
      throw new ConvoyException(ErrorCode.BAD_INPUT, "revision id '" + id + "' is already used");
    }
    List<String> downs = new ArrayList<>(parents);
    Path file =
        MigrationWriter.write(
            db.dir, new MigrationWriter.Spec(id, downs, message, branchLabels, List.of(), false));
    RevisionCommand.report(cli, db.json, id, downs, file);
    return 0;
  }
}
