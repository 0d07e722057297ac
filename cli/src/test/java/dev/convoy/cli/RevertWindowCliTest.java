package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The revert window from the command line: check lists what is held, purge drops it. */
class RevertWindowCliTest {
  @TempDir Path dir;

  @Test
  void check_lists_what_is_held_and_purge_drops_it_so_a_downgrade_needs_allow_data_loss() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "book0001",
        null,
        "  - op: create_table\n    table: book\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: slug, type: text}\n");
    files.yaml(
        "slug0002",
        "book0001",
        "  - op: drop_column\n    table: book\n    column: {name: slug, type: text}\n");
    try (TestDatabase db = TestPostgres.createDatabase("revert_cli")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "book0001").exits(0);
      db.execute("INSERT INTO book SELECT g, 'slug-' || g FROM generate_series(1, 10) g");
      String bytes = db.scalar("SELECT sum(pg_column_size(slug)) || ' bytes' FROM book");
      convoy
          .run("upgrade", "head", "--sql")
          .exits(0)
          .outContains("RENAME COLUMN", "slug__convoy_held");
      convoy.run("upgrade", "head").exits(0);

      convoy
          .run("check")
          .exits(0)
          .outContains(
              "Held for the revert window (1 copy",
              "column book.slug (revision slug0002, held since ",
              ", expires ",
              "): " + bytes);
      convoy.run("purge").exits(0).outContains("Nothing to purge: no held copy has reached");
      convoy
          .run("purge", "--revision", "slug0002", "--dry-run")
          .exits(0)
          .outContains("would drop column book.slug");
      assertEquals(1, db.count("SELECT count(*) FROM convoy.held WHERE purged_at IS NULL"));
      convoy
          .run("purge", "--revision", "slug0002")
          .exits(0)
          .outContains("dropped column book.slug", "Freed " + bytes + " in 1 held copy");

      convoy
          .run("downgrade", "book0001")
          .exits(2)
          .errContains(
              "revision slug0002 cannot bring back column book.slug with its data: its revert"
                  + " window was purged on",
              "(10 rows held it)",
              "--allow-data-loss");
      convoy.run("downgrade", "book0001", "--allow-data-loss").exits(0);
      assertEquals(0, db.count("SELECT count(slug) FROM book"));
    }
  }

  @Test
  void a_revert_window_of_zero_drops_the_column_at_once_as_before() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "book0001",
        null,
        "  - op: create_table\n    table: book\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: slug, type: text}\n");
    files.yaml(
        "slug0002",
        "book0001",
        "  - op: drop_column\n    table: book\n    column: {name: slug, type: text}\n");
    try (TestDatabase db = TestPostgres.createDatabase("revert_cli")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head", "--revert-window", "0").exits(0);
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM pg_attribute WHERE attrelid = 'book'::regclass"
                  + " AND attname LIKE 'slug%' AND NOT attisdropped"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.held"));
      convoy.run("upgrade", "head", "--sql", "--revert-window", "0").exits(0);
    }
  }
}
