package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The phased workflow and the linter as a person uses them from the command line. */
class PhasesCliTest {
  @TempDir Path dir;

  private MigrationFiles emailChange() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "auth0001",
        null,
        "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL);"
            + " INSERT INTO author (name) SELECT 'a' || g FROM generate_series(1, 500) g;",
        "DROP TABLE author;");
    files.yaml(
        "mail0002",
        "auth0001",
        "  - op: add_column\n    table: author\n    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n");
    return files;
  }

  @Test
  void upgrade_phase_expand_leaves_the_revision_expanded_and_a_later_upgrade_contracts_it() {
    emailChange();
    try (TestDatabase db = TestPostgres.createDatabase("cli_phases")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("upgrade", "--phase", "expand")
          .exits(0)
          .outContains(
              "backfill author: 500/500 rows", "Expanded mail0002: deploy the new application");
      convoy.run("current").exits(0).outContains("mail0002 (head) (expanded: contract pending)");
      convoy
          .run("history")
          .exits(0)
          .outContains("[~] auth0001 -> mail0002 (head) (current) (expanded)");
      convoy.run("current", "--json").exits(0).outContains("\"state\" : \"expanded\"");
      assertEquals(
          "YES",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns WHERE column_name = 'email'"));
      convoy.run("upgrade", "--phase", "contract").exits(0).outContains("Applied mail0002");
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns WHERE column_name = 'email'"));
      convoy.run("history").exits(0).outContains("[x] auth0001 -> mail0002");
      convoy.run("downgrade", "-1", "--allow-data-loss").exits(0);
      convoy.run("upgrade", "--phase", "bogus").exits(2).errContains("--phase 'bogus'");
    }
  }

  @Test
  void upgrade_refuses_an_unsafe_migration_until_the_rule_is_acknowledged() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("unsa0001", null, "CREATE TABLE t (id int PRIMARY KEY, name text);", "DROP TABLE t;");
    files.sql(
        "unsa0002", "unsa0001", "CREATE INDEX ix_t_name ON t (name);", "DROP INDEX ix_t_name;");
    try (TestDatabase db = TestPostgres.createDatabase("cli_lint")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("lint")
          .exits(2)
          .outContains("versions/unsa0002.sql:5: error [index-not-concurrent]", "instead:");
      convoy.run("lint", "--json").exits(2).outContains("\"rule\" : \"index-not-concurrent\"");
      convoy
          .run("upgrade", "head")
          .exits(2)
          .errContains("upgrade refused", "[index-not-concurrent]", "--allow-unsafe");
      assertEquals(
          "true", db.scalar("SELECT to_regnamespace('convoy') IS NULL"), "nothing was touched");
      convoy
          .run("upgrade", "head", "--allow-unsafe", "no-such-rule")
          .exits(2)
          .errContains("not a lint rule");
      convoy.run("upgrade", "head", "--allow-unsafe", "index-not-concurrent").exits(0);
      assertEquals("unsa0002", db.scalar("SELECT revision FROM convoy.version"));
      convoy.run("lint", "--rules").exits(0).outContains("set-not-null (error)");
    }
  }
}
