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
    return upgrade(db, settings, seen, () -> {});
  }

  /** As above; {@code firstBatch} runs when the first batch has committed. */
  private MigrationResult upgrade(
      TestDatabase db,
      BackfillSettings settings,
      List<BackfillProgress> seen,
      Runnable firstBatch) {
    return upgrade(db.url(), settings, seen, firstBatch);
  }

  private MigrationResult upgrade(
      String url, BackfillSettings settings, List<BackfillProgress> seen, Runnable firstBatch) {
    return new Migrator(
            Engines.VERTX,
            new EngineConfig(
                new DatabaseUrl(url), "convoy", Duration.ofSeconds(2), 5, settings, Who.local()),
            MigrationDirectory.load(dir),
            new MigrationListener() {
              @Override
              public void backfill(dev.convoy.migration.Migration m, BackfillProgress p) {
                seen.add(p);
                if (seen.size() == 1) {
                  firstBatch.run();
                }
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

  /** Walk cursors saved while the backfill runs (one per worker), and the rows each has filled. */
  private static String walks(TestDatabase db) {
    return db.scalar(
        "SELECT string_agg(phase || '=' || rows_done, ',' ORDER BY phase) FROM convoy.progress"
            + " WHERE phase LIKE 'up#%'");
  }

  /** Counts each row's updates in its {@code touched} column: a row walked twice shows 2. */
  private static final String COUNT_UPDATES =
      " CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS"
          + " $$ BEGIN NEW.touched := OLD.touched + 1; RETURN NEW; END $$;"
          + " CREATE TRIGGER touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();";

  /**
   * Backfills with {@code workers} workers, checks that {@code rows} rows match {@code condition},
   * and returns the walk cursors seen after the first batch.
   */
  private String backfillWithWorkers(
      TestDatabase db, int workers, int rows, String condition, List<BackfillProgress> seen) {
    String[] during = new String[1];
    upgrade(
        db,
        new BackfillSettings(Duration.ofMillis(20), 500, 0, workers),
        seen,
        () -> during[0] = walks(db));
    check(db, rows, seen, condition);
    return during[0];
  }

  @Test
  void a_big_table_is_split_among_workers_by_the_key_histogram_and_every_row_is_filled_once() {
    tableAndBackfill(
        "CREATE TABLE t (id bigint PRIMARY KEY, name text, v text, touched int NOT NULL DEFAULT 0);"
            + " INSERT INTO t SELECT g * 3, 'n' || g, NULL FROM generate_series(1, 90000) g;"
            + COUNT_UPDATES
            + " ANALYZE t;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("workers")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      String walks = backfillWithWorkers(db, 3, 90000, "v = upper(name) AND touched = 1", seen);
      assertTrue(
          walks != null && walks.matches("up#1=\\d+,up#2=\\d+,up#3=\\d+"),
          "three walks, one per worker: " + walks);
      BackfillProgress last = seen.get(seen.size() - 1);
      assertTrue(last.finished());
      assertEquals(90000, last.rowsDone(), "rows reported across the workers");
    }
  }

  @Test
  void a_never_analyzed_integer_key_is_split_between_its_smallest_and_largest_values() {
    tableAndBackfill(
        "CREATE TABLE t (a int, b int, name text, v text, PRIMARY KEY (a, b));"
            + " INSERT INTO t SELECT g / 10, g % 10, 'n' || g, NULL FROM generate_series(1, 50000) g;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("workersnostats")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      String walks = backfillWithWorkers(db, 2, 50000, "v = upper(name)", seen);
      assertTrue(
          walks != null && walks.matches("up#1=\\d+,up#2=\\d+"),
          "two walks over a composite key: " + walks);
    }
  }

  @Test
  void a_failing_row_in_one_workers_range_stops_every_worker_and_undoes_the_revision() {
    tableAndBackfill(
        "CREATE TABLE t (id int PRIMARY KEY, name text, v text);"
            + " INSERT INTO t SELECT g, 'n' || g, NULL FROM generate_series(1, 60000) g;"
            + " ANALYZE t;",
        null);
    // Only the row with id 55000 (in the second worker's range) makes the expression fail.
    new MigrationFiles(dir)
        .yaml(
            "fill0002",
            "fill0001",
            "  - op: backfill\n    table: t\n    set: {v: \"(100 / (id - 55000))::text\"}\n");
    try (TestDatabase db = TestPostgres.createDatabase("workersfail")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      MigrationFailedException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              MigrationFailedException.class,
              () -> upgrade(db, new BackfillSettings(Duration.ofMillis(20), 500, 0, 2), seen));
      assertTrue(e.getMessage().contains("fill0002"), e.getMessage());
      assertTrue(e.getMessage().contains("division by zero"), e.getMessage());
      assertEquals("fill0001", db.scalar("SELECT revision FROM convoy.version"));
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                  + " AND application_name LIKE 'convoy%'"),
          "every worker's connection is closed");
    }
  }

  @Test
  void a_worker_that_finds_no_connection_to_spare_leaves_its_range_to_the_main_connection() {
    tableAndBackfill(
        "CREATE TABLE t (id int PRIMARY KEY, name text, v text);"
            + " INSERT INTO t SELECT g, 'n' || g, NULL FROM generate_series(1, 60000) g;"
            + " ANALYZE t;",
        null);
    String role = "convoy_limited_" + ProcessHandle.current().pid();
    try (TestDatabase db = TestPostgres.createDatabase("workersnoconn")) {
      // The migration's lock and work connections are all this role may open: a second
      // worker's connection is refused with "too many connections for role".
      db.execute(
          "CREATE ROLE "
              + role
              + " LOGIN PASSWORD 'limited' CONNECTION LIMIT 2;"
              + " ALTER DATABASE "
              + db.name()
              + " OWNER TO "
              + role);
      String url = db.url().replaceFirst("//[^@/]*@", "//" + role + ":limited@");
      try {
        List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
        upgrade(url, new BackfillSettings(Duration.ofMillis(20), 500, 0, 2), seen, () -> {});
        check(db, 60000, seen, "v = upper(name)");
        assertEquals(60000, seen.get(seen.size() - 1).rowsDone());
      } finally {
        db.execute("ALTER DATABASE " + db.name() + " OWNER TO CURRENT_USER; DROP OWNED BY " + role);
        db.execute("DROP ROLE " + role);
      }
    }
  }

  @Test
  void a_key_with_its_own_collation_is_split_in_that_collations_order() {
    // ICU orders a..m (lower case) before N..Z (upper case); byte order puts every upper case
    // letter first. Split points sorted the wrong way would make two ranges overlap.
    tableAndBackfill(
        "CREATE TABLE t (code text COLLATE \"und-x-icu\" PRIMARY KEY, name text, v text,"
            + " touched int NOT NULL DEFAULT 0);"
            + " INSERT INTO t SELECT (CASE WHEN g % 26 >= 13 THEN upper(chr(97 + g % 26))"
            + " ELSE chr(97 + g % 26) END) || lpad(g::text, 6, '0'), 'n' || g, NULL"
            + " FROM generate_series(1, 60000) g;"
            + COUNT_UPDATES
            + " ANALYZE t;",
        null);
    try (TestDatabase db = TestPostgres.createDatabase("workerscollation")) {
      List<BackfillProgress> seen = new CopyOnWriteArrayList<>();
      String walks = backfillWithWorkers(db, 3, 60000, "v = upper(name) AND touched = 1", seen);
      assertTrue(
          walks != null && walks.matches("up#1=\\d+,up#2=\\d+,up#3=\\d+"), "three walks: " + walks);
    }
  }
}
