package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upgrade --sql} and {@code downgrade --sql}: the script a DBA reviews, printed without a
 * connection, and the same result as running online when it is executed.
 */
class OfflineSqlTest {
  /** Nothing listens on port 1: any attempt to connect would fail the command. */
  private static final String UNREACHABLE = "postgresql://nobody@127.0.0.1:1/none";

  @TempDir Path dir;

  @BeforeEach
  void threeRevisions() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(2);
    files.yaml(
        "book0003",
        "r0002",
        """
          - op: create_table
            table: book
            columns: [{name: id, type: int, primary_key: true}]
          - op: add_column
            table: book
            column: {name: title, type: text}
        """);
  }

  private ConvoyShell offline() {
    return ConvoyShell.at(dir, UNREACHABLE);
  }

  @Test
  void upgrade_sql_prints_one_transaction_per_revision_without_connecting() {
    ConvoyShell.Result r = offline().run("upgrade", "--sql", "base:head");

    r.exits(0)
        .outContains(
            "CREATE SCHEMA IF NOT EXISTS \"convoy\"",
            "CREATE TABLE t0001 (id int PRIMARY KEY, v text);",
            "INSERT INTO t0001 VALUES (1, 'x');",
            "INSERT INTO \"convoy\".version (revision) VALUES ('r0001')",
            "CREATE TABLE t0002",
            "INSERT INTO \"convoy\".version (revision) VALUES ('r0002')",
            "CREATE TABLE \"book\" (\"id\" int NOT NULL, PRIMARY KEY (\"id\"))",
            "ALTER TABLE \"book\" ADD COLUMN \"title\" text",
            "INSERT INTO \"convoy\".version (revision) VALUES ('book0003')");
    assertEquals(3, occurrences(r.out(), "BEGIN;"), "one transaction per revision\n" + r);
    assertEquals(3, occurrences(r.out(), "COMMIT;"), "one transaction per revision\n" + r);
    assertInOrder(r.out(), "t0001", "t0002", "\"book\"");
    assertInOrder(r.out(), "BEGIN;", "CREATE TABLE t0001", "VALUES ('r0001')", "COMMIT;", "BEGIN;");
  }

  @Test
  void upgrade_sql_from_a_revision_prints_only_what_comes_after_it() {
    ConvoyShell.Result r = offline().run("upgrade", "--sql", "r0002:head").exits(0);

    r.outContains("CREATE TABLE \"book\"", "VALUES ('book0003')");
    assertFalse(r.out().contains("CREATE TABLE t0001"), r.toString());
    assertFalse(r.out().contains("CREATE SCHEMA"), "state tables exist past base\n" + r);
    assertEquals(1, occurrences(r.out(), "BEGIN;"), r.toString());
  }

  @Test
  void downgrade_sql_without_a_range_exits_2_saying_a_range_is_needed() {
    ConvoyShell.Result r = offline().run("downgrade", "--sql", "-1");

    r.exits(2).errContains("needs a range start:end", "head:-1");
    assertEquals("", r.out());
  }

  @Test
  void downgrade_sql_head_to_base_prints_the_drops_newest_first() {
    ConvoyShell.Result r = offline().run("downgrade", "--sql", "head:base").exits(0);

    assertInOrder(
        r.out(),
        "ALTER TABLE \"book\" DROP COLUMN \"title\"",
        "DROP TABLE \"book\"",
        "DROP TABLE t0002;",
        "DROP TABLE t0001;");
    assertEquals(3, occurrences(r.out(), "COMMIT;"), r.toString());
    assertTrue(r.out().strip().endsWith("COMMIT;"), r.toString());
  }

  @Test
  void downgrade_sql_with_a_relative_end_counts_from_the_start_of_the_range() {
    ConvoyShell.Result r = offline().run("downgrade", "--sql", "head:-1").exits(0);

    r.outContains("DROP TABLE \"book\"", "VALUES ('r0002')");
    assertFalse(r.out().contains("DROP TABLE t0002"), r.toString());
  }

  @Test
  void the_printed_scripts_take_a_database_to_head_and_back_as_online_commands_see_it() {
    String up = offline().run("upgrade", "--sql", "base:head").exits(0).out();
    String down = offline().run("downgrade", "--sql", "head:base").exits(0).out();
    try (TestDatabase db = TestPostgres.createDatabase("offline_run")) {
      ConvoyShell online = ConvoyShell.at(dir, db.url());

      db.execute(up);

      online.run("current", "--check-heads").exits(0).outContains("book0003 (head)");
      assertEquals(1, db.count("SELECT count(*) FROM t0002"));
      assertEquals(
          "text",
          db.scalar(
              "SELECT data_type FROM information_schema.columns"
                  + " WHERE table_name = 'book' AND column_name = 'title'"));
      online.run("check").exits(0).outContains("OK", "nothing pending");
      online.run("upgrade", "head").exits(0).outContains("Nothing to do");
      online
          .run("history")
          .exits(0)
          .outContains("[x] r0002 -> book0003 (head) (current)", "[x] <base> -> r0001");

      db.execute(down);

      online.run("current").exits(0).outContains("base (no revision applied)");
      assertEquals("true", db.scalar("SELECT to_regclass('t0001') IS NULL"));
      assertEquals("true", db.scalar("SELECT to_regclass('book') IS NULL"));
      online.run("upgrade", "head").exits(0);
      assertEquals("book0003", db.scalar("SELECT revision FROM convoy.version"));
    }
  }

  @Test
  void upgrade_sql_uses_the_lock_timeout_it_is_given() {
    offline()
        .run("upgrade", "--sql", "base:r0001", "--lock-timeout", "5s")
        .exits(0)
        .outContains("SET LOCAL lock_timeout = '5000ms';");
  }

  @Test
  void the_example_applications_script_runs_with_psql_and_reaches_its_head() throws Exception {
    Assumptions.assumeTrue(psqlAvailable(), "psql is not installed");
    Path example = Path.of("").toAbsolutePath().getParent().resolve("migrations");
    ConvoyShell exampleOffline = ConvoyShell.at(example, UNREACHABLE);
    Path script = dir.resolve("upgrade.sql");
    Files.writeString(script, exampleOffline.run("upgrade", "--sql", "base:head").exits(0).out());
    try (TestDatabase db = TestPostgres.createDatabase("offline_psql")) {
      Process psql =
          new ProcessBuilder(
                  "psql",
                  "-X",
                  "-q",
                  "-v",
                  "ON_ERROR_STOP=1",
                  "-d",
                  db.url(),
                  "-f",
                  script.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(psql.getInputStream().readAllBytes());
      assertEquals(0, psql.waitFor(), "psql ran the script:\n" + output);

      ConvoyShell online = ConvoyShell.at(example, db.url());
      online.run("current", "--check-heads").exits(0);
      online.run("check").exits(0).outContains("nothing pending");
      assertEquals(
          "true",
          db.scalar(
              "SELECT attnotnull FROM pg_attribute"
                  + " WHERE attrelid = 'author'::regclass AND attname = 'email'"));
    }
  }

  @Test
  void a_type_change_script_runs_the_catalog_derived_index_copies_with_psql_gexec()
      throws Exception {
    Assumptions.assumeTrue(psqlAvailable(), "psql is not installed");
    Path typed = dir.resolve("typed");
    MigrationFiles files = new MigrationFiles(typed);
    files.yaml(
        "item0001",
        null,
        """
          - op: create_table
            table: item
            columns: [{name: id, type: int, primary_key: true}, {name: qty, type: int}]
          - op: create_index
            table: item
            name: item_id_qty_ix
            columns: [id, qty]
        """);
    files.yaml(
        "item0002",
        "item0001",
        "  - op: alter_column\n    table: item\n    column: id\n    type: bigint\n    from_type: int\n");
    Path script = dir.resolve("typed.sql");
    String out =
        ConvoyShell.at(typed, UNREACHABLE).run("upgrade", "--sql", "base:head").exits(0).out();
    assertTrue(out.contains("derived from the catalog at run time"), out);
    assertTrue(out.contains("\\gexec"), out);
    Files.writeString(script, out);
    try (TestDatabase db = TestPostgres.createDatabase("offline_type")) {
      Process psql =
          new ProcessBuilder(
                  "psql",
                  "-X",
                  "-q",
                  "-v",
                  "ON_ERROR_STOP=1",
                  "-d",
                  db.url(),
                  "-f",
                  script.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(psql.getInputStream().readAllBytes());
      assertEquals(0, psql.waitFor(), "psql ran the script:\n" + output);
      assertEquals(
          "bigint CREATE INDEX item_id_qty_ix ON public.item USING btree (id, qty)"
              + " CREATE UNIQUE INDEX item_pkey ON public.item USING btree (id)",
          db.scalar(
              "SELECT format_type(atttypid, NULL) || ' ' || (SELECT string_agg(pg_get_indexdef(indexrelid),"
                  + " ' ' ORDER BY indexrelid::regclass::text) FROM pg_index WHERE indrelid = 'item'::regclass)"
                  + " FROM pg_attribute WHERE attrelid = 'item'::regclass AND attname = 'id'"));
    }
  }

  private static boolean psqlAvailable() {
    try {
      return new ProcessBuilder("psql", "--version").start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static int occurrences(String text, String fragment) {
    return text.split(java.util.regex.Pattern.quote(fragment), -1).length - 1;
  }

  private static void assertInOrder(String text, String... fragments) {
    int at = -1;
    for (String f : fragments) {
      int next = text.indexOf(f, at + 1);
      assertTrue(next > at, "[" + f + "] after position " + at + " in\n" + text);
      at = next;
    }
  }
}
