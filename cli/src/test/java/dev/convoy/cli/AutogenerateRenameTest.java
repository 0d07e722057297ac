package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What autogenerate writes when a column disappears and another of its type appears: a drop the
 * reviewer is warned about, or, once the author says it is a rename, a rename that keeps every
 * value, passes lint as written, and goes back on downgrade. And the other targets it compares: the
 * database itself (--against-db), or a scratch server of the author's (--dev-url).
 */
class AutogenerateRenameTest {
  @TempDir Path dir;

  private void authors() throws Exception {
    new MigrationFiles(dir)
        .sql(
            "auth0001",
            null,
            "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, bio text);",
            "DROP TABLE author;");
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, biography text);");
  }

  private void declare(String ddl) throws Exception {
    Files.writeString(Files.createDirectories(dir.resolve("schema")).resolve("app.sql"), ddl);
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> s = Files.list(dir.resolve("versions"))) {
      return s.filter(p -> p.toString().endsWith(".yaml")).toList();
    }
  }

  @Test
  void a_column_swapped_for_one_of_its_type_is_a_warned_drop_until_the_author_says_rename()
      throws Exception {
    authors();
    try (TestDatabase db = TestPostgres.createDatabase("autogen_rename_data")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      db.execute("INSERT INTO author (name, bio) VALUES ('Ada', 'counted'), ('Grace', 'compiled')");

      convoy
          .run("revision", "--autogenerate", "-m", "guess")
          .exits(0)
          .outContains("drop column author.bio (text)");
      String guess = Files.readString(files().get(0));
      assertTrue(
          guess.contains("run again with --rename author.bio:biography"),
          "the rename hint:\n" + guess);
      assertTrue(guess.contains("DATA AT RISK: drops author.bio"), guess);
      Files.delete(files().get(0));

      convoy
          .run("revision", "--autogenerate", "-m", "rename bio", "--rename", "author.bio:biography")
          .exits(0)
          .outContains("rename column author.bio to biography");
      String rename = Files.readString(files().get(0));
      assertFalse(rename.contains("drop_column"), rename);
      convoy.run("lint").exits(0);
      convoy.run("upgrade", "head").exits(0);
      assertEquals(
          "compiled,counted",
          db.scalar("SELECT string_agg(biography, ',' ORDER BY biography) FROM author"));

      convoy.run("revision", "--autogenerate", "-m", "again").exits(0).outContains("No changes");
      convoy.run("downgrade", "-1").exits(0);
      assertEquals(
          "compiled,counted", db.scalar("SELECT string_agg(bio, ',' ORDER BY bio) FROM author"));
    }
  }

  @Test
  void against_db_writes_what_the_database_lacks_of_the_declared_schema() throws Exception {
    authors();
    declare("CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, bio text);");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_against")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      // Someone indexed the table by hand; the declared schema does not have it.
      db.execute("CREATE INDEX author_bio_hand ON author (bio)");
      convoy
          .run("revision", "--autogenerate", "-m", "against", "--against-db")
          .exits(0)
          .outContains("drop index author_bio_hand");
      assertEquals(1, files().size(), "one generated revision");
    }
  }

  @Test
  void dev_url_builds_the_scratch_databases_without_any_target_database() throws Exception {
    authors();
    try (TestDatabase server = TestPostgres.createDatabase("autogen_devurl")) {
      // No --url at all: the scratch server is the only database autogenerate needs.
      ConvoyShell.offline(dir)
          .run("revision", "--autogenerate", "-m", "dev", "--dev-url", server.url())
          .exits(0)
          .outContains("drop column author.bio (text)", "add column author.biography (text)");
      assertEquals(1, files().size(), "one generated revision");
    }
  }

  @Test
  void
      a_table_whose_name_holds_a_dot_is_refused_since_migrations_would_read_it_as_schema_dot_table()
          throws Exception {
    authors();
    declare(
        "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, bio text);"
            + " CREATE TABLE \"a.b\" (id int);");
    try (TestDatabase db = TestPostgres.createDatabase("autogen_dotted")) {
      ConvoyShell.at(dir, db.url())
          .run("revision", "--autogenerate", "-m", "dotted")
          .exits(2)
          .errContains("'public.a.b' has a dot in its own name");
      assertEquals(0, files().size(), "nothing written");
    }
  }
}
