package dev.convoy.cli;

import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.migration.Reversibility;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = "Show one revision: its place in the graph and its SQL.")
final class ShowCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(
      index = "0",
      paramLabel = "REVISION",
      description =
          "A revision, a unique prefix of one (4 characters or more), head or label@head.")
  String revision;

  ShowCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    RevisionGraph graph = db.graph();
    DatabaseView view = DatabaseView.read(cli, db, graph, revision.matches("[+-]\\d+"));
    String id = new Planner(graph).resolveOne(revision, view.snapshot.heads());
    if (id == null) {
      cli.out().println("base: the state before any revision");
      return 0;
    }
    Migration m = graph.get(id);
    RevisionLines lines = view.lines(graph);
    if (db.json) {
      Map<String, Object> j = new LinkedHashMap<>(lines.json(m));
      j.put("children", graph.children(id));
      j.put("transactional", m.transactional());
      j.put("irreversible", Reversibility.irreversible(m));
      List<Object> ops = new ArrayList<>();
      for (Operation op : m.operations()) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("op", op.kind());
        o.put("description", op.describe());
        o.put("upgrade", op.up(!m.transactional()).stream().map(Statement::sql).toList());
        o.put(
            "downgrade",
            op.irreversibleReason().isPresent()
                ? null
                : op.down(!m.transactional()).stream().map(Statement::sql).toList());
        ops.add(o);
      }
      j.put("operations", ops);
      Json.print(cli.out(), j);
      return 0;
    }
    var out = cli.out();
    out.println(
        "Revision:    "
            + m.revision()
            + (lines.tags(m).isEmpty() ? "" : " (" + String.join(", ", lines.tags(m)) + ")"));
    out.println(
        "Parent:      "
            + (m.downRevisions().isEmpty() ? "<base>" : String.join(", ", m.downRevisions())));
    out.println(
        "Children:    "
            + (graph.children(id).isEmpty() ? "(none)" : String.join(", ", graph.children(id))));
    if (!m.branchLabels().isEmpty()) {
      out.println("Labels:      " + String.join(", ", m.branchLabels()));
    }
    if (!m.dependsOn().isEmpty()) {
      out.println("Depends on:  " + String.join(", ", m.dependsOn()));
    }
    out.println("Message:     " + m.message());
    out.println("File:        " + m.file());
    out.println("Checksum:    " + m.checksum());
    out.println(
        "Transaction: " + (m.transactional() ? "yes" : "no (each statement on its own, guarded)"));
    if (m.irreversible()) {
      out.println("Downgrade:   refused (the revision is marked 'irreversible: true')");
    }
    int i = 1;
    for (Operation op : m.operations()) {
      out.println();
      out.println("  " + i++ + ". " + op.describe());
      for (Statement s : op.up(!m.transactional())) {
        out.println("     up:   " + s.sql().strip().replace("\n", "\n           "));
      }
      if (op.irreversibleReason().isPresent()) {
        out.println("     down: (irreversible) " + op.irreversibleReason().get());
      } else {
        for (Statement s : op.down(!m.transactional())) {
          out.println("     down: " + s.sql().strip().replace("\n", "\n           "));
        }
      }
    }
    out.flush();
    return 0;
  }
}
