package dev.convoy.agent.engine;

import static dev.convoy.agent.engine.TypeChangeFixture.alter;
import static dev.convoy.agent.engine.TypeChangeFixture.assertNothingLeftBehind;
import static dev.convoy.agent.engine.TypeChangeFixture.catalog;
import static dev.convoy.agent.engine.TypeChangeFixture.schema;
import static dev.convoy.agent.engine.TypeChangeFixture.seedData;
import static dev.convoy.agent.engine.TypeChangeFixture.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A column type change through a shadow column keeps what hangs on the column: indexes,
 * constraints, foreign keys on both sides, defaults, sequences and identity.
 */
class TypeChangeTest {
  private static final Duration LOCK_TIMEOUT = TypeChangeFixture.LOCK_TIMEOUT;

  @TempDir Path dir;

  /** Each table's data file: a table rewritten (ALTER TYPE, VACUUM FULL) gets a new one. */
  private static String fileNodes(TestDatabase db) {
    return db.scalar(
        "SELECT string_agg(relname || '=' || relfilenode, ',' ORDER BY relname) FROM pg_class"
            + " WHERE oid IN "
            + TypeChangeFixture.TABLES);
  }

  private Migrator migrator(TestDatabase db, MigrationListener listener) {
    return TypeChangeFixture.migrator(dir, db, listener);
  }

  @Test
  void a_serial_primary_key_and_the_foreign_keys_pointing_at_it_widen_to_bigint_under_write_load() {
    widensUnderLoad("serial");
  }

  @Test
  void
      an_identity_primary_key_and_the_foreign_keys_pointing_at_it_widen_to_bigint_under_write_load() {
    widensUnderLoad("int GENERATED ALWAYS AS IDENTITY");
  }

  private void widensUnderLoad(String idType) {
    new MigrationFiles(dir)
        .yaml(
            "wide0001",
            null,
            alter("author", "id") + alter("book", "author_id") + alter("review", "author_id"));
    try (TestDatabase db = TestPostgres.createDatabase("widen")) {
      schema(db, idType);
      String before = catalog(db);
      String seed = seedData(db);
      String files = fileNodes(db);
      long lastId = db.count("SELECT max(id) FROM author");
      WriteLoad load =
          new WriteLoad(
              db.url(),
              4,
              r ->
                  switch ((int) (r % 6)) {
                    case 0 -> "INSERT INTO author (name) VALUES ('load')";
                    case 1 ->
                        "INSERT INTO book (author_id, title) VALUES ("
                            + (1 + r % 20000)
                            + ", 'load')";
                    case 2 ->
                        "INSERT INTO review (author_id, stars) VALUES ("
                            + (1 + r % 20000)
                            + ", NULL)";
                    case 3 ->
                        "UPDATE author SET code = md5(random()::text) WHERE id = "
                            + (1 + r % 20000);
                    case 4 -> "UPDATE book SET author_id = author_id WHERE id = " + (1 + r % 40000);
                    default ->
                        "UPDATE review SET author_id = author_id WHERE id = " + (1 + r % 20000);
                  });
      long writesBefore;
      try (load) {
        Poll.until(
            Duration.ofSeconds(60),
            "the application to write 200 rows",
            () -> load.writesDone() >= 200);
        writesBefore = load.writesDone();
        migrator(db, MigrationListener.SILENT).upgrade("head");
        assertTrue(
            load.writesDone() > writesBefore + 100,
            "the application kept writing during the upgrade: " + load.writesDone());
      }
      assertEquals(java.util.List.of(), load.errors(), "no application write failed");
      // What keeps writes from waiting: no table is rewritten (under an exclusive lock); only the
      // swap's catalog changes take one, within one lock_timeout.
      assertEquals(files, fileNodes(db), "no table was rewritten");
      // Loose on purpose (the lock timeout is 2 s): a loaded machine is slow, a write stuck behind
      // a rewrite or an unbounded lock wait is not merely slow.
      assertTrue(
          load.maxMillis() < LOCK_TIMEOUT.toMillis() * 5,
          "no write was stuck behind the type change: max "
              + load.maxMillis()
              + " ms; slowest "
              + load.slowest());
      assertEquals("author.id bigint, book.author_id bigint, review.author_id bigint", types(db));
      assertEquals(before, catalog(db), "every index, constraint, FK and default is back");
      assertEquals(seed, seedData(db), "the seed rows are intact");
      assertEquals(
          0,
          db.count(
              "SELECT (SELECT count(*) FROM book b LEFT JOIN author a ON a.id = b.author_id WHERE a.id IS NULL)"
                  + " + (SELECT count(*) FROM review r LEFT JOIN author a ON a.id = r.author_id"
                  + " WHERE r.author_id IS NOT NULL AND a.id IS NULL)"),
          "every book and review still joins its author");
      System.out.println(
          "type change under load: "
              + load.writesDone()
              + " writes, max "
              + load.maxMillis()
              + " ms, slowest "
              + load.slowest());
      assertEquals(
          "bigint",
          db.scalar(
              "SELECT format_type(seqtypid, NULL) FROM pg_sequence"
                  + " WHERE seqrelid = pg_get_serial_sequence('author', 'id')::regclass"),
          "the sequence belongs to the new column and is widened");
      long maxId = db.count("SELECT max(id) FROM author");
      assertTrue(maxId > lastId, "the load inserted authors");
      long next = db.count("INSERT INTO author (name) VALUES ('after') RETURNING id");
      assertTrue(next > maxId, "a new id continues the sequence: " + next + " after " + maxId);
      assertThrows(
          RuntimeException.class,
          () -> db.execute("DELETE FROM author WHERE id = 7"),
          "review's foreign key still protects its authors");
      db.execute("DELETE FROM review WHERE author_id = 7; DELETE FROM author WHERE id = 7");
      assertEquals(
          0, db.count("SELECT count(*) FROM book WHERE author_id = 7"), "ON DELETE CASCADE");
      assertNothingLeftBehind(db);
    }
  }

  @Test
  void an_index_dropped_and_recreated_in_the_type_change_revision_ends_up_on_the_new_column() {
    new MigrationFiles(dir)
        .yaml(
            "item0001",
            null,
            "  - op: drop_index\n    name: item_qty_ix\n    table: item\n    columns: [qty]\n"
                + alter("item", "qty")
                + "  - op: create_index\n    table: item\n    name: item_qty_ix\n    columns: [qty]\n");
    try (TestDatabase db = TestPostgres.createDatabase("reindex")) {
      db.execute(
          "CREATE TABLE item (id int PRIMARY KEY, qty int NOT NULL);"
              + "CREATE INDEX item_qty_ix ON item (qty);"
              + "INSERT INTO item SELECT g, g FROM generate_series(1, 1000) g");
      migrator(db, MigrationListener.SILENT).upgrade("head");
      assertEquals(
          "CREATE INDEX item_qty_ix ON public.item USING btree (qty) bigint",
          db.scalar(
              "SELECT pg_get_indexdef(i.indexrelid) || ' ' || format_type(a.atttypid, NULL)"
                  + " FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                  + " AND a.attnum = i.indkey[0] WHERE i.indexrelid = 'item_qty_ix'::regclass"));
      assertEquals("1000", db.scalar("SELECT count(*) FROM item WHERE qty BETWEEN 1 AND 1000"));
    }
  }

  @Test
  void a_view_on_the_column_is_refused_naming_the_view_and_nothing_changes() {
    new MigrationFiles(dir).yaml("view0001", null, alter("author", "id"));
    try (TestDatabase db = TestPostgres.createDatabase("typeview")) {
      db.execute(
          "CREATE TABLE author (id int PRIMARY KEY, name text);"
              + "CREATE VIEW author_names AS SELECT id, name FROM author");
      RuntimeException e =
          assertThrows(
              RuntimeException.class, () -> migrator(db, MigrationListener.SILENT).upgrade("head"));
      assertTrue(
          e.getMessage().contains("used by view author_names"),
          "the error names the view: " + e.getMessage());
      assertEquals(
          "integer",
          db.scalar(
              "SELECT format_type(atttypid, NULL) FROM pg_attribute"
                  + " WHERE attrelid = 'author'::regclass AND attname = 'id'"));
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM pg_attribute WHERE attrelid = 'author'::regclass"
                  + " AND attname LIKE '%convoy%' AND NOT attisdropped"));
    }
  }

  @Test
  void a_finished_type_change_downgrades_back_to_the_old_type_with_its_constraints() {
    new MigrationFiles(dir)
        .yaml(
            "wide0001",
            null,
            alter("author", "id") + alter("book", "author_id") + alter("review", "author_id"));
    try (TestDatabase db = TestPostgres.createDatabase("typedown")) {
      schema(db, "serial");
      String before = catalog(db);
      migrator(db, MigrationListener.SILENT).upgrade("head");
      migrator(db, MigrationListener.SILENT).downgrade("base", false);
      assertEquals(
          "author.id integer, book.author_id integer, review.author_id integer", types(db));
      assertEquals(before, catalog(db));
    }
  }

  @Test
  void expression_partial_and_include_indexes_on_the_column_are_rebuilt_on_the_new_column() {
    new MigrationFiles(dir).yaml("item0001", null, alter("item", "qty"));
    String reader = "convoy_reader_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    try (TestDatabase db = TestPostgres.createDatabase("exprindex")) {
      TestPostgres.execute("CREATE ROLE " + reader);
      db.execute(
          "CREATE TABLE item (id int PRIMARY KEY, qty int, note text);"
              + "CREATE INDEX item_expr_ix ON item ((qty * 2)) WHERE qty > 0 AND note <> 'qty';"
              + "CREATE UNIQUE INDEX item_qty_uq ON item (qty) WHERE note <> 'no qty here';"
              + "CREATE INDEX item_incl_ix ON item (note) INCLUDE (qty);"
              + "CREATE UNIQUE INDEX item_note_qty_uq ON item (note, qty DESC NULLS LAST);"
              + "COMMENT ON INDEX item_incl_ix IS 'covering';"
              + "INSERT INTO item SELECT g, g, 'n' || g FROM generate_series(1, 1000) g;"
              + "GRANT SELECT (id, qty), UPDATE (qty) ON item TO "
              + reader);
      String indexes =
          "SELECT string_agg(pg_get_indexdef(indexrelid) || ' '"
              + " || coalesce(obj_description(indexrelid, 'pg_class'), ''), E'\\n'"
              + " ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'item'::regclass";
      String before = db.scalar(indexes);
      migrator(db, MigrationListener.SILENT).upgrade("head");
      assertEquals(before, db.scalar(indexes));
      assertEquals(
          "true true",
          db.scalar(
              "SELECT has_column_privilege('"
                  + reader
                  + "', 'item', 'qty', 'SELECT') || ' '"
                  + " || has_column_privilege('"
                  + reader
                  + "', 'item', 'qty', 'UPDATE')"),
          "the application's column privileges are kept");
      assertEquals(
          "bigint",
          db.scalar(
              "SELECT format_type(atttypid, NULL) FROM pg_attribute"
                  + " WHERE attrelid = 'item'::regclass AND attname = 'qty'"));
    } finally {
      TestPostgres.execute("DROP ROLE IF EXISTS " + reader);
    }
  }
}
