package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees when something is wrong: exit codes, messages, and a database left intact. */
class ErrorsTest {
  private static final String VERSION =
      "SELECT string_agg(revision, ',' ORDER BY revision) FROM convoy.version";
  private static final String NO_CONVOY_SCHEMA = "SELECT to_regnamespace('convoy') IS NULL";

  @TempDir Path dir;

  @Test
  void
      a_directory_with_many_problems_is_reported_at_once_with_files_and_lines_and_touches_nothing() {
    MigrationFiles files = new MigrationFiles(dir);
    files.write(
        "a_invalid.yaml",
        """
        revision: aaaa1111
        down_revision: null
        operations:
          - op: sql
            up: [unclosed
        """);
    files.write(
        "b_no_revision.yaml",
        """
        down_revision: null
        operations: []
        """);
    files.sql("cccc1111", null, "SELECT 1;", "SELECT 1;");
    files.write(
        "cccc1111_again.sql",
        "-- revision: cccc1111\n-- down_revision: null\n"
            + "-- +upgrade\nSELECT 2;\n-- +downgrade\nSELECT 1;\n");
    files.write(
        "d_unknown_parent.yaml",
        """
        revision: dddd1111
        message: points nowhere
        down_revision: nope9999
        operations: []
        """);
    files.sql("eeee1111", "eeee2222", "SELECT 1;", "SELECT 1;");
    files.sql("eeee2222", "eeee1111", "SELECT 1;", "SELECT 1;");
    files.write(
        "f_unknown_op.yaml",
        """
        revision: ffff1111
        down_revision: cccc1111
        operations:
          - op: frobnicate
            table: author
        """);
    files.write(
        "g_no_column.yaml",
        """
        revision: gggg1111
        down_revision: cccc1111
        operations:
          - op: create_table
            table: author
            columns: [{name: id, type: int}]
          - op: add_column
            table: author
        """);
    files.write(
        "h_no_upgrade.sql",
        "-- revision: hhhh1111\n-- down_revision: cccc1111\n-- message: forgot the section\n"
            + "CREATE TABLE h (id int);\n");

    try (TestDatabase db = TestPostgres.createDatabase("err_directory")) {
      ConvoyShell.Result r = ConvoyShell.at(dir, db.url()).run("upgrade", "head");

      r.exits(2)
          .errContains(
              "8 problems in migrations directory",
              "nothing was applied",
              "versions/a_invalid.yaml:6: invalid YAML",
              "versions/b_no_revision.yaml:1: missing required field 'revision'",
              "versions/cccc1111_again.sql:1: duplicate revision id 'cccc1111', also in"
                  + " versions/cccc1111.sql",
              "versions/d_unknown_parent.yaml:3: down_revision 'nope9999' is not a revision",
              "revisions form a cycle",
              "versions/f_unknown_op.yaml:4: unknown operation 'frobnicate'",
              "versions/g_no_column.yaml:7: missing required field 'column'",
              "versions/h_no_upgrade.sql",
              "'-- +upgrade'");
      assertTrue(
          r.err().matches("(?s).*versions/eeee111[12]\\.sql:2: revisions form a cycle.*"),
          "the cycle is reported at a down_revision line\n" + r);
      assertEquals(
          1, r.err().split("problems in migrations directory", -1).length - 1, "one report");
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "the database was not touched");
    }
    ConvoyShell.offline(dir).run("history").exits(2).errContains("8 problems");
  }

  @Test
  void a_failing_sql_revision_exits_1_naming_file_statement_and_sqlstate_and_leaves_nothing_behind()
      throws IOException {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    Path bad =
        files.sql(
            "r0002",
            "r0001",
            "CREATE TABLE partial (id int);\nINSERT INTO missing_table VALUES (1);",
            "DROP TABLE partial;");
    try (TestDatabase db = TestPostgres.createDatabase("err_failsql")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());

      convoy
          .run("upgrade", "head")
          .exits(1)
          .errContains(
              "revision r0002 (versions/r0002.sql) failed",
              "the database is still at r0001",
              "operation: sql CREATE TABLE partial (id int);",
              "statement: CREATE TABLE partial (id int);",
              "INSERT INTO missing_table VALUES (1);",
              "42P01",
              "missing_table");

      assertEquals("r0001", db.scalar(VERSION));
      assertEquals("true", db.scalar("SELECT to_regclass('partial') IS NULL"), "rolled back");
      assertEquals("true", db.scalar("SELECT to_regclass('t0001') IS NOT NULL"));

      Files.writeString(
          bad, Files.readString(bad).replace("INSERT INTO missing_table", "INSERT INTO partial"));
      convoy.run("upgrade", "head").exits(0);
      assertEquals("r0002", db.scalar(VERSION));
      assertEquals(1, db.count("SELECT count(*) FROM partial"));
    }
  }

  @Test
  void a_failing_yaml_operation_names_the_operation_and_rolls_back_the_whole_revision() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "au000001",
        null,
        """
          - op: create_table
            table: author
            columns: [{name: id, type: int, primary_key: true}, {name: name, type: text}]
        """);
    files.yaml(
        "au000002",
        "au000001",
        """
          - op: create_table
            table: extra
            columns: [{name: id, type: int}]
          - op: add_column
            table: author
            column: {name: name, type: text}
        """);
    try (TestDatabase db = TestPostgres.createDatabase("err_failyaml")) {
      ConvoyShell.at(dir, db.url())
          .run("upgrade", "head")
          .exits(1)
          .errContains(
              "revision au000002 (versions/au000002.yaml) failed",
              "operation: add_column author.name (operation 2 of 2, upgrade)",
              "statement: ALTER TABLE \"author\" ADD COLUMN \"name\" text",
              "42701");

      assertEquals("au000001", db.scalar(VERSION));
      assertEquals("true", db.scalar("SELECT to_regclass('extra') IS NULL"), "rolled back");
    }
  }

  @Test
  void an_edited_applied_file_is_refused_by_upgrade_and_check_until_it_is_stamped()
      throws IOException {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(3);
    try (TestDatabase db = TestPostgres.createDatabase("err_edited")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "r0002").exits(0);
      Path edited = dir.resolve("versions/r0002.sql");
      String recorded = sha256(Files.readString(edited));
      Files.writeString(edited, Files.readString(edited) + "-- a harmless comment\n");
      String current = sha256(Files.readString(edited));
      assertNotEquals(recorded, current);

      convoy
          .run("upgrade", "head")
          .exits(2)
          .errContains(
              "versions/r0002.sql (revision r0002) was changed after it was applied",
              "recorded checksum " + recorded,
              "current checksum  " + current,
              "convoy stamp r0002",
              "Nothing was changed");
      assertEquals("r0002", db.scalar(VERSION));
      assertEquals("true", db.scalar("SELECT to_regclass('t0003') IS NULL"), "r0003 not run");

      convoy
          .run("check")
          .exits(2)
          .outContains("1 problem(s) found")
          .errContains(
              "versions/r0002.sql (revision r0002) was changed after it was applied",
              "recorded checksum " + recorded,
              "current checksum  " + current,
              "convoy stamp r0002");

      convoy.run("stamp", "r0002").exits(0);

      convoy.run("check").exits(0).outContains("OK", "1 pending: r0003");
      assertEquals("r0002", db.scalar(VERSION));
      convoy.run("upgrade", "head").exits(0);
      assertEquals("r0003", db.scalar(VERSION));
    }
  }

  @Test
  void following_the_suggested_stamp_for_an_edited_older_file_keeps_the_database_at_its_head()
      throws IOException {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("err_editedold")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      Path edited = dir.resolve("versions/r0001.sql");
      Files.writeString(edited, Files.readString(edited) + "-- a harmless comment\n");
      convoy.run("check").exits(2).errContains("convoy stamp r0002");

      convoy.run("stamp", "r0002").exits(0);

      convoy.run("check").exits(0);
      assertEquals("r0002", db.scalar(VERSION), "r0002 is still applied: t0002 exists");
      convoy.run("current", "--check-heads").exits(0);
      convoy.run("upgrade", "head").exits(0);
    }
  }

  @Test
  void an_applied_file_checked_out_with_crlf_line_endings_is_not_a_change() throws IOException {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("err_crlf")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      Path f = dir.resolve("versions/r0001.sql");
      Files.writeString(f, Files.readString(f).replace("\n", "\r\n"));

      convoy.run("check").exits(0).outContains("OK");
      convoy.run("upgrade", "head").exits(0).outContains("Nothing to do");
    }
  }

  @Test
  void an_applied_revision_missing_from_the_directory_is_named_by_check_and_blocks_upgrade()
      throws IOException {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("err_missing")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      Files.delete(dir.resolve("versions/r0002.sql"));

      convoy
          .run("check")
          .exits(2)
          .errContains(
              "the database records revision r0002 as applied, but no file",
              "stamp <revision> --purge");
      convoy.run("upgrade", "head").exits(2).errContains("r0002", "Nothing was changed");
      convoy.run("current").exits(0).outContains("r0002 (not in the migrations directory)");
      assertEquals("r0002", db.scalar(VERSION));

      convoy.run("stamp", "r0001", "--purge").exits(0);
      convoy.run("check").exits(0);
      assertEquals("r0001", db.scalar(VERSION));
    }
  }

  @Test
  void downgrading_a_table_that_holds_rows_is_refused_unless_data_loss_is_allowed() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "keep0001",
        null,
        """
          - op: create_table
            table: keepme
            columns: [{name: id, type: int, primary_key: true}]
        """);
    files.yaml(
        "keep0002",
        "keep0001",
        """
          - op: add_column
            table: keepme
            column: {name: note, type: text}
        """);
    try (TestDatabase db = TestPostgres.createDatabase("err_dataloss")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      db.execute("INSERT INTO keepme VALUES (1, 'a'), (2, 'b'), (3, NULL)");

      convoy
          .run("downgrade", "-1")
          .exits(2)
          .errContains("would drop column keepme.note, losing 2 rows", "--allow-data-loss");
      convoy
          .run("downgrade", "base")
          .exits(2)
          .errContains("would drop table keepme, losing 3 rows", "--allow-data-loss");

      assertEquals("keep0002", db.scalar(VERSION));
      assertEquals(2, db.count("SELECT count(note) FROM keepme"), "nothing was dropped");

      convoy.run("downgrade", "base", "--allow-data-loss").exits(0);

      assertEquals("true", db.scalar("SELECT to_regclass('keepme') IS NULL"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.version"));
    }
  }

  @Test
  void an_irreversible_revision_refuses_to_downgrade_and_changes_nothing() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.irreversibleSql("r0002", "r0001", "CREATE TABLE oneway (id int);");
    try (TestDatabase db = TestPostgres.createDatabase("err_irreversible")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);

      convoy
          .run("downgrade", "base")
          .exits(2)
          .errContains("cannot downgrade", "r0002", "versions/r0002.sql", "no 'down'");

      assertEquals("r0002", db.scalar(VERSION));
      assertEquals("true", db.scalar("SELECT to_regclass('t0001') IS NOT NULL"));
    }
  }

  @Test
  void a_url_where_nothing_listens_exits_1_saying_it_cannot_connect() {
    new MigrationFiles(dir).chain(1);
    ConvoyShell convoy = ConvoyShell.at(dir, "postgresql://postgres@127.0.0.1:1/none");

    convoy
        .run("upgrade", "head")
        .exits(1)
        .errContains("cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1:1/none");
    convoy.run("current").exits(1).errContains("cannot connect");
  }

  @Test
  void a_url_that_is_not_postgresql_is_bad_input_and_hides_the_password() {
    new MigrationFiles(dir).chain(1);
    ConvoyShell.Result r =
        ConvoyShell.at(dir, "mysql://root:s3cret@127.0.0.1/app").run("upgrade", "head");

    r.exits(2).errContains("must start with postgresql://");
    assertTrue(!r.err().contains("s3cret"), "the password is never printed\n" + r);
  }

  @Test
  void a_target_that_does_not_resolve_leaves_a_fresh_database_untouched() {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("err_badtarget")) {
      ConvoyShell.at(dir, db.url())
          .run("upgrade", "nope1234")
          .exits(2)
          .errContains("no revision 'nope1234'");

      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA));
    }
  }

  @Test
  void upgrade_without_a_url_says_how_to_give_one() {
    new MigrationFiles(dir).chain(1);
    ConvoyShell.offline(dir)
        .run("upgrade", "head")
        .exits(2)
        .errContains("no database URL", "--url", "CONVOY_DATABASE_URL");
  }

  @Test
  void a_lock_timeout_that_is_not_a_duration_exits_2_and_touches_nothing() {
    new MigrationFiles(dir).chain(1);
    try (TestDatabase db = TestPostgres.createDatabase("err_locktimeout")) {
      ConvoyShell.at(dir, db.url())
          .run("upgrade", "head", "--lock-timeout", "banana")
          .exits(2)
          .errContains("--lock-timeout 'banana' is not a duration");

      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA));
    }
  }

  @Test
  void backfill_workers_out_of_range_exit_2_for_upgrade_and_for_an_agent_before_it_starts() {
    new MigrationFiles(dir).chain(1);
    try (TestDatabase db = TestPostgres.createDatabase("err_workers")) {
      ConvoyShell.at(dir, db.url())
          .run("upgrade", "head", "--backfill-workers", "0")
          .exits(2)
          .errContains("backfill workers 0 must be 1 to 16");
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA));
      // The agent checks its engine options before it asks for its key or connects anywhere.
      ConvoyShell.exec("agent", "--env", "prod", "--url", db.url(), "--backfill-workers", "17")
          .exits(2)
          .errContains("backfill workers 17 must be 1 to 16");
      ConvoyShell.exec("agent", "--env", "prod", "--url", db.url(), "--batch-time", "2ms")
          .exits(2)
          .errContains("backfill batch time 2 ms must be 5 ms to 60 s");
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA));
    }
  }

  @Test
  void a_missing_migrations_directory_says_how_to_point_at_one() {
    ConvoyShell.offline(dir.resolve("nowhere"))
        .run("heads")
        .exits(2)
        .errContains("does not exist", "--dir");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
