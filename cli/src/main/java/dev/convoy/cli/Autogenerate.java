package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.Inspector;
import dev.convoy.agent.schema.DeclaredSchema;
import dev.convoy.agent.schema.ScratchSchemas;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.schema.Change;
import dev.convoy.schema.Schema;
import dev.convoy.schema.SchemaDiff;
import java.util.HashSet;
import java.util.List;

/**
 * {@code convoy revision --autogenerate}: the difference between the schema the migrations produce
 * at the new revision's parent (or, with {@code --against-db}, the target database's) and the
 * declared schema, as the operations of a new revision.
 */
final class Autogenerate {
  /** What was compared and what differs; {@code changes} empty when nothing does. */
  record Result(String from, String declared, List<Change> changes) {
    String generatedFrom() {
      return from + " to the declared schema (" + declared + ")";
    }

    String operations() {
      StringBuilder sb = new StringBuilder();
      changes.forEach(c -> sb.append(c.yaml()));
      return sb.toString();
    }
  }

  private Autogenerate() {}

  static Result run(
      Cli cli,
      DbOptions db,
      SchemaOptions schema,
      RevisionGraph graph,
      List<String> parents,
      boolean againstDb,
      List<String> renames) {
    RenameOptions.checkSyntax(renames);
    DeclaredSchema declared = schema.declaredSchema(db);
    ScratchSchemas scratches = schema.scratches(cli, db);
    Schema from;
    String fromText;
    ScratchSchemas.Built to;
    List<String> extensions;
    if (againstDb) {
      requireAtHead(cli, db, graph);
      to = built(cli, scratches, declared);
      // Only the schemas the migrations or the declared schema use: the database's others are
      // not theirs (an unmanaged other.audit_log must not become a drop_table).
      Schema head = scratches.migrations(graph, graph.heads());
      DatabaseUrl url = new DatabaseUrl(db.url);
      from = ScratchSchemas.read(url, db.schema, ScratchSchemas.managed(head, to.schema()));
      extensions = ScratchSchemas.extensions(url);
      fromText = "the database " + url.database();
    } else {
      ScratchSchemas.Built built = scratches.buildMigrations(graph, parents);
      from = built.schema();
      extensions = built.unmodelled().extensions();
      fromText =
          parents.isEmpty()
              ? "an empty database (no revision yet)"
              : "the migrations at " + String.join(", ", parents);
      to = built(cli, scratches, declared);
    }
    requireExtensions(to.unmodelled(), extensions, fromText);
    refuseEmpty(declared, to.schema(), from, fromText);
    List<Change> changes =
        SchemaDiff.between(from, to.schema(), RenameOptions.parse(renames, from, to.schema()));
    return new Result(fromText, declared.origin(), changes);
  }

  /** The declared schema built, its objects outside the model noted on stderr. */
  private static ScratchSchemas.Built built(
      Cli cli, ScratchSchemas scratches, DeclaredSchema declared) {
    ScratchSchemas.Built b = scratches.buildDeclared(declared);
    b.unmodelled().notes("the declared schema", "autogenerate").forEach(cli.err()::println);
    cli.err().flush();
    return b;
  }

  /**
   * A declared extension the other side lacks fails here, early and in one line: the revision's
   * column types may need it, and extensions are not part of what is compared.
   */
  private static void requireExtensions(
      dev.convoy.agent.schema.Unmodelled declared, List<String> have, String fromText) {
    for (String e : declared.extensions()) {
      if (!have.contains(e)) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            "extension "
                + e
                + " is declared but no revision creates it (not in "
                + fromText
                + "): add a sql operation 'CREATE EXTENSION IF NOT EXISTS "
                + e
                + "' (down: DROP EXTENSION "
                + e
                + ") first");
      }
    }
  }

  /**
   * A declared schema with no table where there are some would be a revision dropping every table:
   * far more often a command that printed only comments (a wrong flag, an empty models module) or
   * files that lost their content than a wish, so it is refused.
   */
  private static void refuseEmpty(
      DeclaredSchema declared, Schema to, Schema from, String fromText) {
    if (!to.tables().isEmpty() || from.tables().isEmpty()) {
      return;
    }
    int n = from.tables().size();
    throw new ConvoyException(
        ErrorCode.BAD_INPUT,
        "the declared schema ("
            + declared.origin()
            + ") "
            + (declared.isCommand() ? "printed" : "holds")
            + " no CREATE TABLE, while "
            + fromText
            + " has "
            + n
            + (n == 1 ? " table" : " tables")
            + "; a revision from it would drop every table, so none is written: check what it "
            + (declared.isCommand() ? "prints" : "declares")
            + ", or, to drop every table, write the drops by hand ('convoy revision -m \"drop"
            + " all tables\"')");
  }

  /** Like Alembic: comparing with a database that is not at head would undo what is pending. */
  private static void requireAtHead(Cli cli, DbOptions db, RevisionGraph graph) {
    if (!db.hasUrl()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "--against-db compares with the target database: pass --url");
    }
    Inspector.Snapshot s = new Inspector(cli.vertx(), db.engine(), graph).snapshot();
    if (!new HashSet<>(s.heads()).equals(new HashSet<>(graph.heads()))) {
      throw new ConvoyException(
          ErrorCode.NOT_AT_HEAD,
          "Target database is not up to date: it is at "
              + ResultOutput.describe(s.heads())
              + ", the head is "
              + ResultOutput.describe(graph.heads())
              + "; run 'convoy upgrade head' first.");
    }
    if (!s.expanded().isEmpty()) {
      throw new ConvoyException(
          ErrorCode.NOT_AT_HEAD,
          "Target database is not up to date: "
              + String.join(", ", graph.sorted(s.expanded()))
              + " only expanded (contract pending); deploy the application, then run 'convoy"
              + " upgrade' first.");
    }
  }
}
