package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.MovingClock;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A type change keeps the old column for the revert window and swaps back without a rewrite. */
class TypeRevertTest {
  @TempDir Path dir;

  private final MovingClock clock = MovingClock.at(Instant.now());

  private Migrator migrator(TestDatabase db) {
    return Engines.migrator(
        dir,
        Engines.config(
                db, Duration.ofSeconds(2), 5, new BackfillSettings(Duration.ofMillis(20), 100, 0))
            .withRevertWindow(Duration.ofDays(7), clock),
        MigrationListener.SILENT);
  }

  private static String relfilenode(TestDatabase db, String table) {
    return db.scalar("SELECT pg_relation_filenode('" + table + "')::text");
  }

  @Test
  void an_int_widened_to_bigint_swaps_back_with_its_keys_and_rows_written_since() {
    new MigrationFiles(dir)
        .yaml(
            "wide0001",
            null,
            TypeChangeFixture.alter("author", "id")
                + TypeChangeFixture.alter("book", "author_id")
                + TypeChangeFixture.alter("review", "author_id"));
    try (TestDatabase db = TestPostgres.createDatabase("typerevert")) {
      TypeChangeFixture.schema(db, "serial", 2000);
      String before = TypeChangeFixture.catalog(db);
      migrator(db).upgrade("head");
      assertEquals(
          "author.id bigint, book.author_id bigint, review.author_id bigint",
          TypeChangeFixture.types(db));
      assertEquals(3, db.count("SELECT count(*) FROM convoy.held WHERE kind = 'type'"));
      db.execute(
          "INSERT INTO author (name) VALUES ('late');"
              + " INSERT INTO book (author_id, title) SELECT max(id), 'late' FROM author;"
              + " UPDATE review SET author_id = 5 WHERE id = 1");
      String data = TypeChangeFixture.seedData(db);
      String file = relfilenode(db, "book");

      migrator(db).downgrade("base", false);
      assertEquals(
          "author.id integer, book.author_id integer, review.author_id integer",
          TypeChangeFixture.types(db));
      assertEquals(before, TypeChangeFixture.catalog(db));
      assertEquals(data, TypeChangeFixture.seedData(db));
      assertEquals(
          "late",
          db.scalar("SELECT title FROM book WHERE author_id = (SELECT max(id) FROM author)"));
      assertEquals("5", db.scalar("SELECT author_id FROM review WHERE id = 1"));
      assertEquals(file, relfilenode(db, "book"), "swapped back without rewriting the table");
      assertEquals(0, db.count("SELECT count(*) FROM convoy.held"));
      TypeChangeFixture.assertNothingLeftBehind(db);
    }
  }

  @Test
  void text_changed_to_int_swaps_back_to_the_exact_old_text() {
    new MigrationFiles(dir)
        .yaml(
            "code0001",
            null,
            "  - op: alter_column\n    table: item\n    column: code\n    type: int\n"
                + "    using: trim(code)::int\n    from_type: text\n");
    try (TestDatabase db = TestPostgres.createDatabase("typerevert")) {
      db.execute(
          "CREATE TABLE item (id int PRIMARY KEY, code text NOT NULL);"
              + " CREATE INDEX item_code ON item (code);"
              + " INSERT INTO item SELECT g, ' ' || g || ' ' FROM generate_series(1, 500) g");
      String before = db.scalar("SELECT md5(string_agg(code, ',' ORDER BY id)) FROM item");
      migrator(db).upgrade("head");
      assertEquals(
          "integer",
          db.scalar(
              "SELECT format_type(atttypid, NULL) FROM pg_attribute WHERE attrelid = 'item'::regclass AND attname = 'code'"));
      db.execute("INSERT INTO item (id, code) VALUES (501, 501)");
      migrator(db).downgrade("base", false);
      assertEquals(
          before,
          db.scalar("SELECT md5(string_agg(code, ',' ORDER BY id)) FROM item WHERE id <= 500"));
      assertEquals("501", db.scalar("SELECT code FROM item WHERE id = 501"), "CAST(code AS text)");
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'code'"));
      assertEquals(
          "true",
          db.scalar(
              "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'item_code'::regclass"));
    }
  }
}
