package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.Inspector;
import dev.convoy.agent.engine.StateValidator;
import dev.convoy.agent.schema.ScratchSchemas;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.schema.Change;
import dev.convoy.schema.Schema;
import dev.convoy.schema.SchemaDiff;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code convoy check --drift}: three comparisons, each difference with the command that fixes it.
 *
 * <ul>
 *   <li>declared vs migrations: the declared schema has changes no revision makes yet (the
 *       migrations at head built in a scratch database);
 *   <li>migrations vs database: DDL run on the database outside the migrations (the database
 *       compared with the migrations built to the revisions it records, so pending revisions are
 *       not drift);
 *   <li>declared vs database: what the database lacks of the declared schema, fixed by {@code
 *       upgrade head} when a pending revision makes the change, else by a new revision.
 * </ul>
 *
 * A database with revisions expanded but not contracted is mid-rollout: its catalog is between two
 * schemas by design, so the last two are not compared and it is reported as such.
 */
final class Drift {
  /** One difference and what fixes it. */
  record Item(String summary, String fix) {}

  /** What {@code check --drift} found; a list is null when it was not compared. */
  record Report(
      List<Item> declaredVsMigrations,
      List<Item> migrationsVsDatabase,
      List<Item> declaredVsDatabase,
      List<String> pending,
      List<String> midRollout,
      String declaredOrigin) {
    boolean drift() {
      return !empty(declaredVsMigrations)
          || !empty(migrationsVsDatabase)
          || !empty(declaredVsDatabase);
    }

    private static boolean empty(List<Item> items) {
      return items == null || items.isEmpty();
    }
  }

  static final String GENERATE = "convoy revision --autogenerate -m \"...\"";
  static final String OUT_OF_BAND =
      "undo it in the database, or record it in a revision and run 'convoy stamp' so the"
          + " revision is not run again";
  static final String UPGRADE = "convoy upgrade head (a pending revision makes this change)";
  static final String UNDO =
      "undo the change made outside the migrations (listed under migrations vs database)";

  private Drift() {}

  static Report check(Cli cli, DbOptions db, SchemaOptions options) {
    RevisionGraph graph = db.graph();
    ScratchSchemas scratches = options.scratches(cli, db);
    Schema head = scratches.migrations(graph, graph.heads());
    boolean declared = options.declared(db);
    Schema wanted = null;
    String origin = null;
    List<Item> declaredVsMigrations = null;
    if (declared) {
      var source = options.declaredSchema(db);
      origin = source.origin();
      ScratchSchemas.Built built = scratches.buildDeclared(source);
      wanted = built.schema();
      built.unmodelled().notes("the declared schema", "check --drift").forEach(cli.err()::println);
      cli.err().flush();
      declaredVsMigrations = items(SchemaDiff.between(head, wanted, noRenames()), GENERATE);
    }
    if (!db.hasUrl()) {
      return new Report(declaredVsMigrations, null, null, List.of(), List.of(), origin);
    }
    Inspector.Snapshot s = new Inspector(cli.vertx(), db.engine(), graph).snapshot();
    List<StateValidator.Unknown> unknown = StateValidator.unknown(graph, s.heads());
    if (!unknown.isEmpty()) {
      throw new ConvoyException(ErrorCode.UNKNOWN_APPLIED_REVISION, unknown.get(0).describe());
    }
    Set<String> applied = graph.closure(s.heads());
    List<String> pending =
        graph.all().stream().map(m -> m.revision()).filter(r -> !applied.contains(r)).toList();
    if (!s.expanded().isEmpty()) {
      return new Report(
          declaredVsMigrations, null, null, pending, graph.sorted(s.expanded()), origin);
    }
    Schema atDatabase =
        new HashSet<>(s.heads()).equals(new HashSet<>(graph.heads()))
            ? head
            : scratches.migrations(graph, s.heads());
    // Only the schemas the migrations or the declared schema use: the database's others are not
    // managed by them, so not drift.
    Schema database =
        ScratchSchemas.read(
            new DatabaseUrl(db.url),
            db.schema,
            wanted == null
                ? ScratchSchemas.managed(head, atDatabase)
                : ScratchSchemas.managed(head, atDatabase, wanted));
    List<Item> outOfBand =
        items(SchemaDiff.between(atDatabase, database, noRenames()), OUT_OF_BAND);
    List<Item> declaredVsDatabase = null;
    if (declared) {
      // What the migrations at head would change in this database: a pending revision's work,
      // or the undoing of an out-of-band change. Anything else only a new revision makes.
      Set<String> byMigrations = new HashSet<>();
      SchemaDiff.between(database, head, noRenames()).forEach(c -> byMigrations.add(c.summary()));
      String migrationsFix = pending.isEmpty() ? UNDO : UPGRADE;
      declaredVsDatabase =
          SchemaDiff.between(database, wanted, noRenames()).stream()
              .map(
                  c ->
                      new Item(
                          c.summary(),
                          byMigrations.contains(c.summary()) ? migrationsFix : GENERATE))
              .toList();
    }
    return new Report(
        declaredVsMigrations, outOfBand, declaredVsDatabase, pending, List.of(), origin);
  }

  private static dev.convoy.schema.Renames noRenames() {
    return dev.convoy.schema.Renames.none();
  }

  private static List<Item> items(List<Change> changes, String fix) {
    return changes.stream().map(c -> new Item(c.summary(), fix)).toList();
  }
}
