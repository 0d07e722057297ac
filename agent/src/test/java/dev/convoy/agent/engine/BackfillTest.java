package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.state.Who;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How backfills walk tables: primary keys, composite keys, unique keys, no key at all. */
class BackfillTest {
  @TempDir Path dir;

  private MigrationResult upgrade(
      TestDatabase db, BackfillSettings settings, List<BackfillProgress> seen) {
    return new Migrator(
            Engines.VERTX,
            new EngineConfig(
                new DatabaseUrl(db.url()),
                "convoy",
                Duration.ofSeconds(2),
                5,
                settings,
                Who.local()),
            MigrationDirectory.load(dir),
            new MigrationListener() {
              @Override
              public void backfill(dev.convoy.migration.Migration m, BackfillProgress p) {
                seen.add(p);
              }
            })
        .upgrade("head");
  }

  private void tableAndBackfill(String createTable, String where) {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("fill0001", null, createTable, "DROP TABLE t;");
    files.yaml(
        "fill0002",
        "fill0001",
        "  - op: backfill\n    table: t\n    set: {v: \"upper(name)\"}\n"
            + (where == null ? "" : "    where: \"" + where + "\"\n"));
  }

  private void check(TestDatabase db, int rows, List<BackfillProgress> seen, String condition) {
    assertEquals(rows, db.count("SELECT count(*) FROM t WHERE " + condition));
    assertTrue(seen.size() > 3, "several batches: " + seen.size());
    assertEquals(
        0, db.count("SELECT count(*) FROM convoy.progress"), "progress cleared once applied");
  }

  @Test
  void a_composite_primary_key_is_walked_as_a_row_value() {
    tableAndBackfill(
        "CREATE TABLE t (a int, b text, name text, v text, PRIMARY KEY (a, b));"
            + " INSERT INTO t SELECT g % 7, 'k' || g, 'n' || g, NULL FROM generate_series(1, 3000) g;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("composite")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      upgrade(db, new BackfillSettings(Duration.ofMillis(5), 100, 0), seen);
      check(db, 3000, seen, "v = upper(name)");
    }
  }

  @Test
  void a_table_without_a_primary_key_uses_a_unique_not_null_key_and_honours_where() {
    tableAndBackfill(
        "CREATE TABLE t (code text NOT NULL UNIQUE, name text, v text);"
            + " INSERT INTO t SELECT 'c' || g, 'n' || g, NULL FROM generate_series(1, 2000) g;",
        "name LIKE 'n1%'");
    try (TestDatabase db = TestPostgres.createDatabase("uniquekey")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      upgrade(db, new BackfillSettings(Duration.ofMillis(5), 100, 0), seen);
      check(db, 1111, seen, "v = upper(name)");
      assertEquals(
          889, db.count("SELECT count(*) FROM t WHERE v IS NULL"), "where excluded the rest");
    }
  }

  @Test
  void a_table_without_any_key_is_walked_by_pages() {
    tableAndBackfill(
        "CREATE TABLE t (name text, v text);"
            + " INSERT INTO t SELECT 'n' || g, NULL FROM generate_series(1, 20000) g;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("ctid")) {
      db.execute("SELECT 1");
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      upgrade(db, new BackfillSettings(Duration.ofMillis(5), 100, 0), seen);
      check(db, 20000, seen, "v = upper(name)");
    }
  }

  @Test
  void a_rows_per_second_cap_slows_the_backfill_down() {
    tableAndBackfill(
        "CREATE TABLE t (id int PRIMARY KEY, name text, v text);"
            + " INSERT INTO t SELECT g, 'n' || g, NULL FROM generate_series(1, 2000) g;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("ratecap")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      long t0 = System.nanoTime();
      upgrade(db, new BackfillSettings(Duration.ofMillis(50), 200, 2000), seen);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      check(db, 2000, seen, "v = upper(name)");
      assertTrue(ms >= 800, "2000 rows at 2000 rows/s take about a second: " + ms + " ms");
      double rate = seen.get(seen.size() - 1).rowsPerSecond();
      assertTrue(rate <= 2600, "reported rate stays near the cap: " + rate);
    }
  }
}
