package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Irreversibility is found before anything runs, and what upgrade reports is what happened: a
 * revision left expanded is never reported as applied.
 */
class ReversibleCliTest {
  private static final String VERSION = "SELECT string_agg(revision, ',') FROM convoy.version";

  @TempDir Path dir;

  @Test
  void a_drop_column_without_its_type_is_refused_by_every_command_with_file_and_line() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.yaml(
        "drop0002",
        "r0001",
        "  - op: drop_column\n    table: t0001\n    column: v\n"
            + "  - op: alter_column\n    table: t0001\n    column: id\n    type: bigint\n");
    try (TestDatabase db = TestPostgres.createDatabase("rev_directory")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());

      convoy
          .run("upgrade", "head")
          .exits(2)
          .errContains(
              "2 problems in migrations directory",
              "nothing was applied",
              "versions/drop0002.yaml:5: drop_column t0001.v does not give the column's type",
              "versions/drop0002.yaml:8: alter_column",
              "from_type",
              "mark it 'irreversible: true'");
      assertEquals("true", db.scalar("SELECT to_regnamespace('convoy') IS NULL"), "untouched");
      assertEquals("true", db.scalar("SELECT to_regclass('t0001') IS NULL"), "untouched");
      for (String command : new String[] {"check", "lint", "history", "current"}) {
        convoy.run(command).exits(2).errContains("versions/drop0002.yaml:5: drop_column");
      }
    }
  }

  @Test
  void a_revision_marked_irreversible_upgrades_and_no_downgrade_crosses_it() {
    MigrationFiles files = new MigrationFiles(dir);
    files.chain(1);
    files.write(
        "drop0002.yaml",
        "revision: drop0002\ndown_revision: r0001\nmessage: drop v for good\n"
            + "irreversible: true\noperations:\n"
            + "  - op: drop_column\n    table: t0001\n    column: v\n");
    files.sql("after003", "drop0002", "CREATE TABLE later (id int);", "DROP TABLE later;");
    try (TestDatabase db = TestPostgres.createDatabase("rev_marked")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0).outContains("Applied drop0002");

      convoy
          .run("downgrade", "base")
          .exits(2)
          .errContains(
              "cannot downgrade",
              "revision drop0002 (drop v for good) in versions/drop0002.yaml cannot be"
                  + " downgraded",
              "marked 'irreversible: true' (line 4)",
              "does not give the column's type",
              "Nothing was changed");
      assertEquals("after003", db.scalar(VERSION));
      assertEquals("true", db.scalar("SELECT to_regclass('later') IS NOT NULL"), "not reverted");
      convoy
          .run("downgrade", "--sql", "after003:base")
          .exits(2)
          .errContains("revision drop0002", "versions/drop0002.yaml", "cannot be downgraded");
      convoy
          .run("show", "drop0002")
          .exits(0)
          .outContains(
              "Downgrade:   refused (the revision is marked 'irreversible: true')",
              "down: (irreversible) drop_column t0001.v");
      convoy.run("show", "drop0002", "--json").exits(0).outContains("\"irreversible\" : true");

      convoy.run("downgrade", "drop0002").exits(0).outContains("Reverted after003");
      assertEquals("drop0002", db.scalar(VERSION));
    }
  }

  private MigrationFiles phased() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "auth0001",
        null,
        "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL);"
            + " INSERT INTO author (name) SELECT 'a' || g FROM generate_series(1, 50) g;",
        "DROP TABLE author;");
    files.yaml(
        "mail0002",
        "auth0001",
        "  - op: add_column\n    table: author\n    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n");
    // Rename only: its expand does nothing, its contract is the rename.
    files.write(
        "ren00003.yaml",
        "revision: ren00003\ndown_revision: mail0002\nmessage: rename name\n"
            + "lint: {ignore: [rename]}\noperations:\n"
            + "  - op: rename_column\n    table: author\n    from: name\n    to: full_name\n");
    return files;
  }

  @Test
  void upgrade_phase_expand_reports_expanded_with_contract_pending_never_applied() {
    phased();
    try (TestDatabase db = TestPostgres.createDatabase("rev_expand")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());

      ConvoyShell.Result r =
          convoy
              .run("upgrade", "--phase", "expand")
              .exits(0)
              .outContains(
                  "Applied auth0001",
                  "Expanded mail0002 (mail0002) in ",
                  "Expanded ren00003 (rename name) in ",
                  "(contract pending)",
                  "1 applied, 2 expanded: contract pending");
      assertFalse(r.out().contains("Applied mail0002"), r.out());
      assertFalse(r.out().contains("Applied ren00003"), r.out());

      convoy
          .run("current", "--check-heads")
          .exits(1)
          .errContains("mail0002, ren00003 are only expanded: contract pending");
      convoy
          .run("current", "--json")
          .exits(0)
          .outContains("\"contract_pending\" : [ \"mail0002\", \"ren00003\" ]");

      convoy
          .run("upgrade")
          .exits(0)
          .outContains("Applied mail0002", "Applied ren00003 (rename name)");
      convoy.run("current", "--check-heads").exits(0);
      convoy.run("current", "--json").exits(0).outContains("\"contract_pending\" : [ ]");
    }
  }

  @Test
  void upgrade_json_of_an_expand_only_run_lists_the_revisions_as_contract_pending() {
    phased();
    try (TestDatabase db = TestPostgres.createDatabase("rev_expand_json")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "mail0002").exits(0);
      convoy.run("downgrade", "auth0001", "--allow-data-loss").exits(0);

      ConvoyShell.Result r =
          convoy
              .run("upgrade", "--phase", "expand", "--json")
              .exits(0)
              .outContains(
                  "\"state\" : \"expanded\"",
                  "\"contract_pending\" : [ \"mail0002\", \"ren00003\" ]");
      assertFalse(r.out().contains("\"state\" : \"applied\""), r.out());

      convoy.run("upgrade", "--phase", "expand").exits(0).outContains("Nothing to do");
      convoy.run("current", "--check-heads").exits(1).errContains("contract pending");
    }
  }
}
