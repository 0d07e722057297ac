package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "revision",
    description = {
      "Create a new revision file on top of the current head.",
      "Its down_revision is the directory's head (or --head); review it before applying."
    })
final class RevisionCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(
      names = {"-m", "--message"},
      required = true,
      description = "What the revision does.")
  String message;

  @Option(
      names = "--head",
      description = "Build on this revision (or 'base' for a new root) instead of the head.")
  String head;

  @Option(names = "--rev-id", description = "Use this id instead of 12 random hex characters.")
  String revId;

  @Option(names = "--branch-label", description = "Label the new revision's branch.")
  List<String> branchLabels = new ArrayList<>();

  @Option(names = "--depends-on", description = "Revisions this one depends on.")
  List<String> dependsOn = new ArrayList<>();

  @Option(names = "--sql", description = "Write a .sql file instead of .yaml.")
  boolean sql;

  @Option(
      names = "--autogenerate",
      description = "Not available yet: Convoy does not read application models.")
  boolean autogenerate;

  RevisionCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (autogenerate) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--autogenerate is not available yet: Convoy has no model to compare the database"
              + " with. Run without it and write the operations (the file lists examples).");
    }
    RevisionGraph graph =
        Files.isDirectory(MigrationDirectory.versions(db.dir))
            ? db.graph()
            : new RevisionGraph(List.of());
    List<String> parents;
    if (head != null) {
      String one = new Planner(graph).resolveOne(head, List.of());
      parents = one == null ? List.of() : List.of(one);
    } else if (graph.heads().size() > 1) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "the migrations directory has several heads ("
              + String.join(", ", graph.heads())
              + "); say which one to build on with --head, or join them first with 'convoy merge"
              + " heads -m \"merge\"'");
    } else {
      parents = graph.heads();
    }
    String id = revId != null ? revId : MigrationWriter.newRevisionId();
    if (graph.contains(id)) {
      throw new ConvoyException(ErrorCode.BAD_INPUT, "revision id '" + id + "' is already used");
    }
    Path file =
        MigrationWriter.write(
            db.dir, new MigrationWriter.Spec(id, parents, message, branchLabels, dependsOn, sql));
    report(cli, db.json, id, parents, file);
    return 0;
  }

  static void report(Cli cli, boolean json, String id, List<String> parents, Path file) {
    if (json) {
      Json.print(
          cli.out(), Map.of("revision", id, "down_revisions", parents, "file", file.toString()));
    } else {
      cli.out()
          .println(
              "Created revision "
                  + id
                  + " on "
                  + (parents.isEmpty() ? "base" : String.join(", ", parents))
                  + ": "
                  + file);
      cli.out().flush();
    }
  }
}
