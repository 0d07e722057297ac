package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convoy revision --autogenerate} refusing what it cannot do, each in one line. */
class AutogenerateCliTest {
  @TempDir Path dir;

  private void authorRevision() {
    new MigrationFiles(dir)
        .sql(
            "auth0001",
            null,
            "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL);",
            "DROP TABLE author;");
  }

  private void declare(String ddl) throws Exception {
    Files.writeString(Files.createDirectories(dir.resolve("schema")).resolve("app.sql"), ddl);
  }

  private long revisionFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("versions"))) {
      return s.count();
    }
  }

  @Test
  void against_db_refuses_a_database_that_is_not_at_head() throws Exception {
    authorRevision();
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, email text);");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_behind")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("revision", "--autogenerate", "--against-db", "-m", "email")
          .exits(1)
          .errContains(
              "Target database is not up to date: it is at base, the head is auth0001; run"
                  + " 'convoy upgrade head' first.");
      assertEquals(1, revisionFiles());
    }
  }

  @Test
  void nothing_declared_is_one_line_saying_how_to_declare_it() throws Exception {
    authorRevision();
    try (TestDatabase db = TestPostgres.createDatabase("autogen_nothing")) {
      var r = ConvoyShell.at(dir, db.url()).run("revision", "--autogenerate", "-m", "x").exits(2);
      r.errContains("error: no declared schema to compare with", "/schema/*.sql", "schema-command");
      assertEquals(1, r.err().lines().count(), r::toString);
      assertEquals(1, revisionFiles());
    }
  }

  @Test
  void a_failing_declared_schema_names_file_and_line_and_leaves_no_scratch_database()
      throws Exception {
    authorRevision();
    declare("CREATE TABLE author (\n  id bigserial PRIMARY KEY,\n  name txet NOT NULL\n);\n");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_baddl")) {
      ConvoyShell.at(dir, db.url())
          .run("revision", "--autogenerate", "-m", "x")
          .exits(2)
          .errContains(dir.resolve("schema/app.sql") + ":3: type \"txet\" does not exist");
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
      assertEquals(1, revisionFiles());
    }
  }

  @Test
  void a_failing_schema_command_is_named() throws Exception {
    authorRevision();
    try (TestDatabase db = TestPostgres.createDatabase("autogen_cmd")) {
      ConvoyShell.at(dir, db.url())
          .run("revision", "--autogenerate", "-m", "x", "--schema-command", "./models --ddl")
          .exits(2)
          .errContains("schema-command './models --ddl' failed (exit 127");
    }
  }

  @Test
  void schema_command_is_a_convoy_yaml_key() throws Exception {
    authorRevision();
    Files.writeString(dir.resolve("convoy.yaml"), "schema-command: exit 4\n");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_yaml")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("revision", "--autogenerate", "-m", "x")
          .exits(2)
          .errContains("schema-command 'exit 4' failed (exit 4");
      convoy.run("current").exits(0).outContains("base");
    }
  }

  @Test
  void a_rename_of_bad_syntax_or_an_unknown_column_is_one_line() throws Exception {
    authorRevision();
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, full_name text NOT NULL);");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_rename")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--rename", "author:name")
          .exits(2)
          .errContains("--rename 'author:name' is not table.old_column:new_column");
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--rename", "writer.name:full_name")
          .exits(2)
          .errContains("table 'writer' is not in the current schema; tables: author");
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--rename", "author.nom:full_name")
          .exits(2)
          .errContains("'author' has no column 'nom' that the declared schema drops");
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--rename", "author.name:fullname")
          .exits(2)
          .errContains("the declared schema adds no column 'fullname' to 'author'");
      convoy
          .run("revision", "-m", "x", "--rename", "author.name:full_name")
          .exits(2)
          .errContains("--rename only goes with --autogenerate");
      assertEquals(1, revisionFiles());
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
    }
  }

  @Test
  void without_a_server_it_says_to_pass_url_or_dev_url() throws Exception {
    authorRevision();
    declare("CREATE TABLE author (id int);");
    ConvoyShell.offline(dir)
        .run("revision", "--autogenerate", "-m", "x")
        .exits(2)
        .errContains("no server to build the schemas in: pass --url");
  }

  @Test
  void generate_upgrade_and_generate_again_finds_no_changes() throws Exception {
    authorRevision();
    declare(
        """
        CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, email text);
        COMMENT ON TABLE author IS 'who writes';
        CREATE TABLE book (
          id bigserial PRIMARY KEY,
          title text NOT NULL,
          author_id bigint NOT NULL REFERENCES author (id) ON DELETE CASCADE,
          isbn text UNIQUE);
        CREATE INDEX ix_book_author ON book (author_id);
        """);
    try (TestDatabase db = TestPostgres.createDatabase("autogen_e2e")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      var created =
          convoy
              .run(
                  "revision", "--autogenerate", "-m", "Add email to author", "--rev-id", "mail0002")
              .exits(0)
              .outContains("Created revision mail0002 on auth0001: ", "author.email", "book");
      Path file = dir.resolve("versions/mail0002_add_email_to_author.yaml");
      String yaml = Files.readString(file);
      assertTrue(yaml.contains("down_revision: auth0001\n"), yaml);
      assertTrue(
          yaml.contains(
              "by 'convoy revision --autogenerate' from the migrations at auth0001 to the declared"
                  + " schema ("),
          yaml);
      assertTrue(yaml.contains("# Review it before applying"), yaml);
      assertTrue(yaml.contains("- op: create_table"), yaml);
      assertTrue(yaml.contains("- op: add_column"), yaml);
      assertTrue(created.out().lines().count() >= 2, created::toString);
      convoy.run("upgrade", "head").exits(0);
      convoy
          .run("revision", "--autogenerate", "-m", "again")
          .exits(0)
          .outContains("No changes detected");
      convoy
          .run("revision", "--autogenerate", "--against-db", "-m", "again")
          .exits(0)
          .outContains("No changes detected");
      assertEquals(2, revisionFiles());
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
    }
  }

  @Test
  void an_empty_or_blank_message_is_refused_in_every_mode_before_anything_is_written()
      throws Exception {
    authorRevision();
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, email text);");
    ConvoyShell convoy = ConvoyShell.offline(dir);
    for (String[] mode :
        new String[][] {{}, {"--sql"}, {"--autogenerate", "--dev-url", TestPostgres.serverUrl()}}) {
      for (String message : new String[] {"", "  "}) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("revision"));
        args.addAll(java.util.List.of(mode));
        args.addAll(java.util.List.of("-m", message));
        var r =
            convoy
                .run(args.toArray(String[]::new))
                .exits(2)
                .errContains("-m/--message is ", ": say what the revision does");
        assertEquals(1, r.err().lines().count(), r::toString);
      }
    }
    assertEquals(1, revisionFiles());
  }

  @Test
  void a_declared_schema_without_tables_is_refused_instead_of_dropping_every_table()
      throws Exception {
    authorRevision();
    declare("-- the models moved to app/models.py\n");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_empty")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      var files =
          convoy
              .run("revision", "--autogenerate", "-m", "x")
              .exits(2)
              .errContains(
                  "error: the declared schema (" + dir.resolve("schema"),
                  ") holds no CREATE TABLE, while the migrations at auth0001 has 1 table;",
                  "to drop every table, write the drops by hand");
      assertEquals(1, files.err().lines().count(), files::toString);
      var cmd =
          convoy
              .run(
                  "revision",
                  "--autogenerate",
                  "-m",
                  "x",
                  "--schema-command",
                  "echo '-- no models found'")
              .exits(2)
              .errContains(
                  "error: the declared schema (schema-command 'echo '-- no models found'') printed"
                      + " no CREATE TABLE");
      assertEquals(1, cmd.err().lines().count(), cmd::toString);
      assertEquals(1, revisionFiles());
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
    }
  }

  @Test
  void against_db_leaves_tables_in_schemas_the_migrations_do_not_manage_alone() throws Exception {
    authorRevision();
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, email text);");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_unmanaged")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      db.execute("CREATE SCHEMA other; CREATE TABLE other.audit_log (id int, what text)");
      var r =
          convoy
              .run(
                  "revision",
                  "--autogenerate",
                  "--against-db",
                  "-m",
                  "email",
                  "--rev-id",
                  "mail0002")
              .exits(0)
              .outContains("Created revision mail0002 on auth0001", "author.email");
      assertTrue(!r.out().contains("audit_log"), r::toString);
      String yaml = Files.readString(dir.resolve("versions/mail0002_email.yaml"));
      assertTrue(!yaml.contains("audit_log") && !yaml.contains("drop_table"), yaml);
    }
  }

  @Test
  void objects_outside_the_model_are_noted_and_a_declared_extension_no_revision_creates_fails()
      throws Exception {
    authorRevision();
    declare(
        """
        CREATE EXTENSION IF NOT EXISTS citext;
        CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, email citext);
        CREATE VIEW v1 AS SELECT id FROM author;
        CREATE VIEW v2 AS SELECT name FROM author;
        CREATE UNLOGGED TABLE cache (k text PRIMARY KEY, v text);
        """);
    try (TestDatabase db = TestPostgres.createDatabase("autogen_unmodelled")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      var refused =
          convoy
              .run("revision", "--autogenerate", "-m", "email")
              .exits(2)
              .errContains(
                  "note: the declared schema has 1 extension (citext) that autogenerate does not"
                      + " compare; write it in a sql operation",
                  "note: the declared schema has 2 views (v1, v2) that autogenerate does not"
                      + " compare; write them in a sql operation",
                  "note: the declared schema has 1 unlogged table (cache) that",
                  "error: extension citext is declared but no revision creates it (not in the"
                      + " migrations at auth0001): add a sql operation 'CREATE EXTENSION IF NOT"
                      + " EXISTS citext' (down: DROP EXTENSION citext) first");
      assertEquals(4, refused.err().lines().count(), refused::toString);
      assertEquals(1, revisionFiles());
      new MigrationFiles(dir)
          .yaml(
              "citx0002",
              "auth0001",
              "  - op: sql\n    up: CREATE EXTENSION IF NOT EXISTS citext\n"
                  + "    down: DROP EXTENSION citext\n");
      convoy
          .run("revision", "--autogenerate", "-m", "email")
          .exits(0)
          .outContains("Created revision", "author.email")
          .errContains("note: the declared schema has 2 views (v1, v2)");
      assertEquals(3, revisionFiles());
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
    }
  }

  @Test
  void schema_command_timeout_is_an_option_and_a_convoy_yaml_key() throws Exception {
    authorRevision();
    String sleep = "sleep 612." + (System.nanoTime() % 100000);
    Files.writeString(
        dir.resolve("convoy.yaml"), "schema-command: " + sleep + "\nschema-command-timeout: 1s\n");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_timeout")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy
          .run("revision", "--autogenerate", "-m", "x")
          .exits(2)
          .errContains("schema-command '" + sleep + "' did not finish in 1.0 s and was stopped");
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--schema-command-timeout", "1.5s")
          .exits(2)
          .errContains("did not finish in 1.5 s");
      convoy
          .run("revision", "--autogenerate", "-m", "x", "--schema-command-timeout", "0")
          .exits(2)
          .errContains("--schema-command-timeout '0' must be more than 0");
      assertEquals(1, revisionFiles());
      assertEquals(0, DeclaredSchemaTest.processesWith(sleep));
    }
  }
}
