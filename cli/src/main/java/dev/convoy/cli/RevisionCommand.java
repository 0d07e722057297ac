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
      "Its down_revision is the directory's head (or --head); review it before applying.",
      "--autogenerate writes the operations that take the migrations' schema at head (or, with --against-db, the database's) to the declared schema: DIR/schema/*.sql or --schema-command."
    })
final class RevisionCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Mixin SchemaOptions schemaOptions = new SchemaOptions();

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

  @Option(
      names = "--branch-label",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = "Label the new revision's branch.")
  List<String> branchLabels = new ArrayList<>();

  @Option(
      names = "--depends-on",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      description = "Revisions this one depends on.")
  List<String> dependsOn = new ArrayList<>();

  @Option(names = "--sql", description = "Write a .sql file instead of .yaml.")
  boolean sql;

  @Option(
      names = "--autogenerate",
      description = {
        "Write the operations from the declared schema's difference with the migrations at head, both built in scratch databases (on the --url server or --dev-url)."
      })
  boolean autogenerate;

  @Option(
      names = "--against-db",
      description = "With --autogenerate: compare with the target database (it must be at head).")
  boolean againstDb;

  @Option(
      names = "--rename",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      paramLabel = "TABLE.OLD:NEW",
      description = "With --autogenerate: a column renamed, not dropped and added; repeatable.")
  List<String> renames = new ArrayList<>();

  RevisionCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (message.isBlank()) {
      // A slug-less file name and a history line that says nothing: refused before any work.
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "-m/--message is "
              + (message.isEmpty() ? "empty" : "blank")
              + ": say what the revision does (e.g. -m \"add email to author\")");
    }
    if (!autogenerate && (againstDb || !renames.isEmpty())) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          (againstDb ? "--against-db" : "--rename") + " only goes with --autogenerate");
    }
    if (autogenerate && sql) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "--autogenerate writes typed YAML operations: drop --sql");
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
    if (autogenerate) {
      return autogenerate(graph, parents, id);
    }
    Path file =
        MigrationWriter.write(
            db.dir, new MigrationWriter.Spec(id, parents, message, branchLabels, dependsOn, sql));
    report(cli, db.json, id, parents, file);
    return 0;
  }

  private int autogenerate(RevisionGraph graph, List<String> parents, String id) {
    Autogenerate.Result r =
        Autogenerate.run(cli, db, schemaOptions, graph, parents, againstDb, renames);
    if (r.changes().isEmpty()) {
      if (db.json) {
        Json.print(cli.out(), Map.of("created", false, "changes", List.of()));
      } else {
        cli.out().println("No changes detected");
        cli.out().flush();
      }
      return 0;
    }
    Path file =
        MigrationWriter.write(
            db.dir,
            new MigrationWriter.Spec(
                id,
                parents,
                message,
                branchLabels,
                dependsOn,
                false,
                r.generatedFrom(),
                r.operations()));
    if (db.json) {
      Json.print(
          cli.out(),
          Map.of(
              "revision",
              id,
              "down_revisions",
              parents,
              "file",
              file.toString(),
              "changes",
              r.changes().stream()
                  .map(c -> Map.of("summary", c.summary(), "loses_data", c.losesData()))
                  .toList()));
      return 0;
    }
    report(cli, false, id, parents, file);
    for (var c : r.changes()) {
      cli.out().println("  " + c.summary() + (c.losesData() ? "  (data at risk)" : ""));
    }
    cli.out().flush();
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
