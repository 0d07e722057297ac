package dev.convoy.agent.versions;

import dev.convoy.agent.db.TextSession;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.ops.Sql;
import dev.convoy.versions.InFlight;
import dev.convoy.versions.TableView;
import dev.convoy.versions.VersionNames;
import dev.convoy.versions.VersionShapes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps each application version's schema of views in step with the revisions in flight (see {@link
 * VersionShapes} for what each version sees).
 *
 * <p>The engine calls it at each turn of a revision that changes a table's shape: before expand
 * (the revision's version and its parents' get their schemas, and the old versions' views hide what
 * expand is about to add), after expand (the new version's views pick up the shadow columns),
 * before contract (the versions without the revision are retired: their schemas are dropped, which
 * is what lets contract drop and rename what only they used), after contract and after a downgrade.
 * Each refresh is one short transaction: views whose definition changed are dropped and created
 * again in it (sessions querying them wait on the view's lock and then find the new one by name),
 * views no longer needed are dropped. Retries on lock timeouts like every other statement.
 */
public final class VersionKeeper {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(VersionKeeper.class);

  /** Runs one attempt of a transaction, retrying it when it hit its lock_timeout. */
  public interface Retry {
    void run(String what, Runnable attempt);
  }

  private final TextSession db;
  private final VersionCatalog catalog;
  private final RevisionGraph graph;
  private final Supplier<Set<String>> expanded;
  private final Retry retry;
  private final Set<String> retired = new java.util.HashSet<>();

  public VersionKeeper(
      TextSession db,
      String stateSchema,
      RevisionGraph graph,
      Supplier<Set<String>> expanded,
      Retry retry) {
    this.db = db;
    this.catalog = new VersionCatalog(db, stateSchema);
    this.graph = graph;
    this.expanded = expanded;
    this.retry = retry;
  }

  /** Before {@code m}'s expand: its version and its parents' exist, old shapes are pinned. */
  public void expanding(Migration m) {
    if (!VersionShapes.changesShape(m.operations())) {
      return;
    }
    List<String> revisions = new ArrayList<>(graph.dependencies(m));
    revisions.add(m.revision());
    StringBuilder sql = new StringBuilder();
    for (String r : revisions) {
      sql.append(catalog.ensureSql(r)).append(";\n");
    }
    retry.run("create the version schemas of " + m.revision(), () -> inTransaction(sql.toString()));
    // A type change PostgreSQL makes in place (ALTER ... TYPE) is refused while a view uses the
    // column: the tables it alters have no version views until expand is done.
    Set<String> direct = new LinkedHashSet<>();
    for (var op : m.operations()) {
      if (op instanceof dev.convoy.ops.AlterColumn a && a.type() != null && a.direct()) {
        catalog.table(a.table()).ifPresent(t -> direct.add(t.qualifiedName()));
      }
    }
    refresh(Set.of(m.revision()), Set.of(), direct);
  }

  /** After {@code m}'s expand and backfill. */
  public void expanded(Migration m) {
    if (VersionShapes.changesShape(m.operations())) {
      refresh(Set.of(m.revision()), Set.of());
    }
  }

  /** Before {@code m}'s contract: every version without {@code m} is retired. */
  public void contracting(Migration m) {
    if (!VersionShapes.changesShape(m.operations())) {
      return;
    }
    StringBuilder sql = new StringBuilder();
    for (Map.Entry<String, String> v : catalog.versions().entrySet()) {
      if (!contains(v.getValue(), m.revision())) {
        sql.append(retireSql(v.getKey())).append(";\n");
      }
    }
    if (!sql.isEmpty()) {
      retry.run("retire the versions without " + m.revision(), () -> inTransaction(sql.toString()));
    }
  }

  /** True when {@code e} is a retirement refused because a version schema holds others' objects. */
  public static boolean inUse(Throwable e) {
    return "55006".equals(TextSession.sqlState(e));
  }

  /**
   * {@link #contracted}, for after the contract is recorded: a failure (a lock held for long by the
   * application) is logged, and the next command's refresh finishes the job.
   */
  public void contractedQuietly(Migration m) {
    try {
      contracted(m);
    } catch (RuntimeException e) {
      log.warn(
          "{} - the versions' views were not brought in step after the contract ({}); the next"
              + " upgrade or downgrade does it",
          m.revision(),
          e.getMessage());
    }
  }

  /** After {@code m}'s contract: its changes are physical now. */
  public void contracted(Migration m) {
    if (VersionShapes.changesShape(m.operations())) {
      refresh(Set.of(), Set.of(m.revision()));
    }
  }

  /**
   * Before {@code m} is reverted (or undone): its version goes first, since its views use what the
   * downgrade removes.
   */
  public void reverting(Migration m) {
    String schema = VersionNames.of(catalog.stateSchema(), m.revision());
    if (catalog.versions().containsKey(schema)) {
      retired.add(m.revision());
      retry.run(
          "retire the version of " + m.revision(), () -> inTransaction(retireSql(schema) + ";\n"));
    }
  }

  /**
   * After {@code m} was reverted: when it had a version, its parents' versions are there for the
   * application now.
   */
  public void reverted(Migration m) {
    try {
      restoreParents(m);
    } catch (RuntimeException e) {
      log.warn(
          "{} - the versions were not brought in step after the downgrade ({}); the next upgrade or"
              + " downgrade does it",
          m.revision(),
          e.getMessage());
    }
  }

  private void restoreParents(Migration m) {
    if (retired.remove(m.revision())) {
      StringBuilder sql = new StringBuilder();
      for (String r : graph.dependencies(m)) {
        sql.append(catalog.ensureSql(r)).append(";\n");
      }
      if (!sql.isEmpty()) {
        retry.run(
            "restore the versions before " + m.revision(), () -> inTransaction(sql.toString()));
      }
    }
    refresh(Set.of(), Set.of(m.revision()));
  }

  /**
   * Drops a version schema: Convoy's views in it, then the schema, which must then be empty. An
   * application whose search path starts with the version may have created something there (a
   * table, a function): that is its data, so the retirement stops, naming it, instead of dropping
   * it with the schema.
   */
  static String retireSql(String schema) {
    String s = Sql.literal(schema);
    return "DO $convoy$ DECLARE what text; v record; BEGIN"
        + " SELECT string_agg(x, ', ' ORDER BY x) INTO what FROM ("
        + " SELECT CASE c.relkind WHEN 'r' THEN 'table ' WHEN 'v' THEN 'view ' WHEN 'S' THEN"
        + " 'sequence ' WHEN 'm' THEN 'materialized view ' ELSE 'relation ' END"
        + " || quote_ident(c.relname) AS x FROM pg_class c JOIN pg_namespace n ON n.oid ="
        + " c.relnamespace WHERE n.nspname = "
        + s
        + " AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT (c.relkind = 'v' AND"
        + " left(coalesce(obj_description(c.oid, 'pg_class'), ''), "
        + VersionCatalog.VIEW_MARK.length()
        + ") = "
        + Sql.literal(VersionCatalog.VIEW_MARK)
        + ") UNION ALL SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN"
        + " pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = "
        + s
        + " UNION ALL SELECT 'type ' || quote_ident(t.typname) FROM pg_type t JOIN pg_namespace n"
        + " ON n.oid = t.typnamespace WHERE n.nspname = "
        + s
        + " AND t.typrelid = 0 AND t.typelem = 0) o;"
        + " IF what IS NOT NULL THEN RAISE EXCEPTION 'version schema % holds %, which Convoy did"
        + " not make: retiring the version would drop it', "
        + s
        + ", what USING ERRCODE = 'object_in_use', HINT = 'An application whose search path"
        + " starts with the version created it there. Move it to the schema it belongs in (ALTER"
        + " ... SET SCHEMA public) and run the command again.'; END IF;"
        + " FOR v IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid ="
        + " c.relnamespace WHERE n.nspname = "
        + s
        + " AND c.relkind = 'v' LOOP EXECUTE format('DROP VIEW %I.%I', "
        + s
        + ", v.relname); END LOOP;"
        + " EXECUTE format('DROP SCHEMA IF EXISTS %I', "
        + s
        + "); END $convoy$";
  }

  /**
   * Brings every version's views in step with the revisions in flight; after a command's work is
   * committed, so a failure is logged and left to the next command.
   */
  public void refresh() {
    try {
      refresh(Set.of(), Set.of());
    } catch (RuntimeException e) {
      log.warn(
          "the versions' views were not brought in step ({}); the next command does it",
          e.getMessage());
    }
  }

  private void refresh(Set<String> plus, Set<String> minus) {
    refresh(plus, minus, Set.of());
  }

  /** {@code unviewed}: physical tables that get no view this time (their views are dropped). */
  private void refresh(Set<String> plus, Set<String> minus, Set<String> unviewed) {
    Map<String, String> versions = catalog.versions();
    if (versions.isEmpty()) {
      return;
    }
    Set<String> flying = new LinkedHashSet<>(expanded.get());
    flying.addAll(plus);
    flying.removeAll(minus);
    List<InFlight> inFlight = new ArrayList<>();
    for (String r : graph.sorted(flying)) {
      graph.find(r).ifPresent(mig -> inFlight.add(new InFlight(r, mig.operations())));
    }
    Map<String, VersionShapes.PhysicalTable> seen = new LinkedHashMap<>();
    VersionShapes.Physical physical =
        name -> {
          if (!seen.containsKey(name)) {
            seen.put(name, catalog.table(name).orElse(null));
          }
          return java.util.Optional.ofNullable(seen.get(name));
        };
    boolean invoker = catalog.securityInvoker();
    List<String> helped = catalog.tablesWithHelperColumns();
    Map<String, String> want = new LinkedHashMap<>();
    Map<String, String> create = new LinkedHashMap<>();
    for (Map.Entry<String, String> v : versions.entrySet()) {
      for (TableView view :
          VersionShapes.views(v.getValue(), inFlight, this::contains, physical, helped)) {
        if (unviewed.contains(view.base())) {
          continue;
        }
        String key = VersionCatalog.key(v.getKey(), view.name());
        String ddl = view.createSql(v.getKey(), invoker);
        want.put(key, hash(ddl));
        create.put(key, ddl + ";\n" + VersionCatalog.grantsSql(key, view.base()));
      }
    }
    Map<String, String> have = catalog.views(versions.keySet());
    StringBuilder sql = new StringBuilder();
    for (Map.Entry<String, String> h : have.entrySet()) {
      if (!h.getValue().equals(want.get(h.getKey()))) {
        sql.append("DROP VIEW IF EXISTS ").append(h.getKey()).append(";\n");
      }
    }
    for (Map.Entry<String, String> w : want.entrySet()) {
      if (!w.getValue().equals(have.get(w.getKey()))) {
        sql.append("DROP VIEW IF EXISTS ").append(w.getKey()).append(";\n");
        sql.append(create.get(w.getKey())).append(";\n");
        sql.append("COMMENT ON VIEW ")
            .append(w.getKey())
            .append(" IS ")
            .append(Sql.literal(VersionCatalog.VIEW_MARK + w.getValue()))
            .append(";\n");
      }
    }
    if (!sql.isEmpty()) {
      retry.run("refresh the version views", () -> inTransaction(sql.toString()));
    }
  }

  private boolean contains(String version, String revision) {
    return graph.contains(version) && graph.closure(List.of(version)).contains(revision);
  }

  private void inTransaction(String sql) {
    try {
      db.execute("BEGIN;\n" + sql + "COMMIT");
    } catch (RuntimeException e) {
      try {
        db.execute("ROLLBACK");
      } catch (RuntimeException ignored) {
        // the connection is gone: nothing is left open on it
      }
      throw e;
    }
  }

  private static String hash(String ddl) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(ddl.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
