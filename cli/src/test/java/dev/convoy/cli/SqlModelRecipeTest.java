package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's workflow with its models as the source of truth: examples/sqlmodel-app's SQLModel
 * classes, printed as DDL by the README's recipe (schema-command in convoy.yaml), edited step by
 * step as the seed's guide does, each step generated, reviewed and applied to a table with rows.
 */
class SqlModelRecipeTest {
  private static final Path APP = Path.of("..", "examples", "sqlmodel-app");

  @TempDir Path work;

  @Test
  void
      editing_sqlmodel_models_and_running_autogenerate_walks_the_seed_guide_without_hand_written_operations()
          throws Exception {
    copy(APP, work);
    Path migrations = work.resolve("migrations");
    // The recipe says python3; use the one that has SQLModel (Debian's, when a pyenv shadows it).
    Path yaml = migrations.resolve("convoy.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("python3", python()));
    try (TestDatabase db = TestPostgres.createDatabase("sqlmodel_recipe")) {
      ConvoyShell convoy = ConvoyShell.at(migrations, db.url());

      convoy
          .run("revision", "--autogenerate", "-m", "Initial migration")
          .exits(0)
          .outContains("Created revision", "author", "book");
      convoy.run("upgrade", "head").exits(0);
      db.execute("INSERT INTO author (name) VALUES ('Ada'), ('Grace')");
      db.execute("INSERT INTO book (title, author_id) SELECT 'Notes', id FROM author");

      // "Add a column": email: str | None = None
      edit("author.py", "    name: str = Field(index=True)\n", "$0    email: str | None = None\n");
      Path email = generated(convoy, "Add email field to Author");
      assertTrue(Files.readString(email).contains("op: add_column"), Files.readString(email));
      convoy.run("upgrade", "head").exits(0);
      assertEquals(2, db.count("SELECT count(*) FROM author WHERE email IS NULL"));

      // The seed's third phase: email becomes required. Existing rows need a value: the file
      // asks for it, and upgrade refuses until the author gives one.
      edit("author.py", "email: str | None = None", "email: str");
      Path required = generated(convoy, "Make email NOT NULL");
      String text = Files.readString(required);
      assertTrue(text.contains("<fill in"), text);
      convoy
          .run("upgrade", "head")
          .exits(2)
          .errContains(required.getFileName().toString(), "backfill");
      assertEquals(2, db.count("SELECT count(*) FROM author WHERE email IS NULL"), "untouched");
      Files.writeString(
          required, text.replaceAll("\"<fill in[^\"]*\"", "\"lower(name) || '@example.com'\""));
      convoy.run("upgrade", "head").exits(0);
      assertEquals("ada@example.com", db.scalar("SELECT email FROM author WHERE name = 'Ada'"));
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns"
                  + " WHERE table_name = 'author' AND column_name = 'email'"));

      // "Change column type": name: str = Field(index=True, max_length=200)
      edit(
          "author.py",
          "name: str = Field(index=True)",
          "name: str = Field(index=True, max_length=200)");
      Path length = generated(convoy, "Increase author name length");
      assertTrue(Files.readString(length).contains("op: alter_column"), Files.readString(length));
      convoy.run("upgrade", "head").exits(0);
      assertEquals(
          "200",
          db.scalar(
              "SELECT character_maximum_length::text FROM information_schema.columns"
                  + " WHERE table_name = 'author' AND column_name = 'name'"));

      // Nothing changed since: nothing to write, and no drift anywhere.
      int files = versions(migrations).size();
      convoy
          .run("revision", "--autogenerate", "-m", "again")
          .exits(0)
          .outContains("No changes detected");
      assertEquals(files, versions(migrations).size());
      convoy.run("check", "--drift").exits(0);
      assertEquals(2, db.count("SELECT count(*) FROM book"), "rows survive every step");

      // make rollback: the name is unbounded again, every value kept.
      convoy.run("downgrade", "-1").exits(0);
      assertEquals(
          null,
          db.scalar(
              "SELECT character_maximum_length::text FROM information_schema.columns"
                  + " WHERE table_name = 'author' AND column_name = 'name'"));
      assertEquals(1, db.count("SELECT count(*) FROM author WHERE name = 'Grace'"));
    }
  }

  private Path generated(ConvoyShell convoy, String message) {
    List<Path> before = versions(work.resolve("migrations"));
    convoy
        .run("revision", "--autogenerate", "-m", message)
        .exits(0)
        .outContains("Created revision");
    List<Path> after = versions(work.resolve("migrations"));
    assertEquals(before.size() + 1, after.size(), "one new file for " + message);
    return after.stream().filter(p -> !before.contains(p)).findFirst().orElseThrow();
  }

  private void edit(String model, String find, String replace) throws IOException {
    Path file = work.resolve("app/models").resolve(model);
    String text = Files.readString(file);
    assertTrue(text.contains(find), "the model " + model + " has [" + find + "]");
    Files.writeString(file, text.replace(find, replace.replace("$0", find)));
  }

  private static List<Path> versions(Path migrations) {
    Path versions = migrations.resolve("versions");
    if (!Files.isDirectory(versions)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(versions)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A python3 that imports sqlmodel: the one on PATH, else Debian's python3-sqlmodel. */
  private static String python() throws Exception {
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p = new ProcessBuilder(candidate, "-c", "import sqlmodel").start();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException absent) {
        // try the next one
      }
    }
    throw new AssertionError(
        "no python3 with SQLModel: install Debian's python3-sqlmodel (bash scripts/services.sh"
            + " does)");
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.toString().contains("__pycache__")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
