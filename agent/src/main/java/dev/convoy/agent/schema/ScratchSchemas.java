package dev.convoy.agent.schema;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.JdbcSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.engine.MigrationListener;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.error.ConvoyException;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.lint.Rule;
import dev.convoy.schema.Schema;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The schemas autogenerate and drift compare, each read from the catalog: a database's own, the
 * declared schema's and the migrations' at some revisions. The last two are built in a {@link
 * ScratchDatabase} on a server the caller names (the target's, or {@code --dev-url}), dropped
 * whether the build worked or not.
 */
public final class ScratchSchemas {
  private final Supplier<Vertx> vertx;
  private final DatabaseUrl server;
  private final EngineConfig engine;

  /**
   * {@code server}: where scratch databases are created; {@code engine}: the settings the
   * migrations run with (its URL is replaced by each scratch database's).
   */
  public ScratchSchemas(Supplier<Vertx> vertx, DatabaseUrl server, EngineConfig engine) {
    this.vertx = vertx;
    this.server = server;
    this.engine = engine;
  }

  /** The schema of the database at {@code url}, Convoy's state schema left out. */
  public static Schema read(DatabaseUrl url, String stateSchema) {
    return read(url, stateSchema, null);
  }

  /**
   * The schema of the database at {@code url} in the schemas {@code only} (null: every one): a
   * target database may hold tables in schemas no migration manages (another application's, an
   * audit log), which are neither drift nor for a revision to drop.
   */
  public static Schema read(DatabaseUrl url, String stateSchema, Set<String> only) {
    try (TextSession db = JdbcSession.open(url, "convoy schema")) {
      return CatalogReader.read(db, stateSchema, only);
    }
  }

  /**
   * The PostgreSQL schemas the objects of {@code schemas} live in, {@code public} always: the ones
   * a comparison with a database covers. A name is qualified ({@code schema.name}) only outside
   * public.
   */
  public static Set<String> managed(Schema... schemas) {
    Set<String> out = new TreeSet<>();
    out.add("public");
    for (Schema s : schemas) {
      Stream.of(s.tables().keySet(), s.enums().keySet(), s.sequences().keySet())
          .flatMap(Set::stream)
          .filter(n -> n.indexOf('.') > 0)
          .forEach(n -> out.add(n.substring(0, n.indexOf('.'))));
    }
    return out;
  }

  /**
   * A schema built in a scratch database, and what it holds that the model does not compare (read
   * while the scratch exists).
   */
  public record Built(Schema schema, Unmodelled unmodelled) {}

  /** The declared schema, as PostgreSQL creates it from the DDL. */
  public Schema declared(DeclaredSchema declared) {
    return buildDeclared(declared).schema();
  }

  /** The declared schema, as PostgreSQL creates it from the DDL, with what is not compared. */
  public Built buildDeclared(DeclaredSchema declared) {
    try (ScratchDatabase scratch =
            ScratchDatabase.create(
                server, "declared schema (" + declared.origin() + ") for " + target());
        TextSession db = JdbcSession.open(scratch.url(), "convoy schema")) {
      declared.applyTo(db, engine.schema());
      return new Built(
          CatalogReader.read(db, engine.schema()), Unmodelled.read(db, engine.schema()));
    }
  }

  /**
   * The schema the migrations produce at {@code revisions} (empty: none applied), run by the same
   * engine {@code upgrade} uses; lint rules are not enforced (the revisions are the ones the
   * directory already has, and 'convoy lint' reports on them).
   */
  public Schema migrations(RevisionGraph graph, List<String> revisions) {
    return buildMigrations(graph, revisions).schema();
  }

  /** {@link #migrations}, with what the model does not compare. */
  public Built buildMigrations(RevisionGraph graph, List<String> revisions) {
    if (revisions.isEmpty()) {
      return new Built(Schema.empty(), Unmodelled.none());
    }
    try (ScratchDatabase scratch =
        ScratchDatabase.create(
            server, "migrations at " + String.join(", ", revisions) + " for " + target())) {
      EngineConfig config =
          new EngineConfig(
              scratch.url(),
              engine.schema(),
              engine.lockTimeout(),
              engine.lockRetries(),
              engine.backfill(),
              Set.copyOf(Rule.ids()),
              engine.who(),
              java.time.Duration.ZERO, // a scratch database is thrown away: nothing to keep
              engine.clock());
      Migrator migrator = new Migrator(vertx, config, () -> graph, MigrationListener.SILENT);
      try {
        for (String r : revisions) {
          migrator.upgrade(r);
        }
      } catch (ConvoyException e) {
        throw new ConvoyException(
            e.code(),
            "building the migrations' schema in a scratch database failed: " + e.getMessage(),
            e);
      }
      try (TextSession db = JdbcSession.open(scratch.url(), "convoy schema")) {
        return new Built(
            CatalogReader.read(db, engine.schema()), Unmodelled.read(db, engine.schema()));
      }
    }
  }

  /** The extensions created in the database at {@code url}. */
  public static List<String> extensions(DatabaseUrl url) {
    try (TextSession db = JdbcSession.open(url, "convoy schema")) {
      return db.rows("SELECT extname FROM pg_extension").stream().map(r -> r[0]).toList();
    }
  }

  private String target() {
    return engine.url().database();
  }
}
