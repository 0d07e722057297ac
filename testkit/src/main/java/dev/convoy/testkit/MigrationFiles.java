package dev.convoy.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes migration files into a temporary migrations directory for a test. */
public final class MigrationFiles {
  private final Path dir;

  public MigrationFiles(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir.resolve("versions"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** Writes {@code versions/<name>} with the given text. */
  public Path write(String name, String text) {
    Path f = dir.resolve("versions").resolve(name);
    try {
      Files.writeString(f, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  /** A YAML revision with the given parent (null for a root) and operations text. */
  public Path yaml(String revision, String down, String operations) {
    return yaml(revision, down, "", operations);
  }

  /** As above, with more header lines ({@code extra}, each ending in a newline). */
  public Path yaml(String revision, String down, String extra, String operations) {
    return write(
        revision + ".yaml",
        "revision: "
            + revision
            + "\ndown_revision: "
            + (down == null ? "null" : down)
            + "\nmessage: "
            + revision
            + "\n"
            + extra
            + "operations:\n"
            + operations);
  }

  /** A SQL revision with the given parent (null for a root), upgrade and downgrade SQL. */
  public Path sql(String revision, String down, String up, String downgrade) {
    return write(
        revision + ".sql",
        "-- revision: "
            + revision
            + "\n-- down_revision: "
            + (down == null ? "null" : down)
            + "\n-- message: "
            + revision
            + "\n-- +upgrade\n"
            + up
            + "\n-- +downgrade\n"
            + (downgrade == null ? "" : downgrade)
            + "\n");
  }

  /**
   * A SQL revision marked {@code -- irreversible: true}, with no downgrade section: one no
   * downgrade may cross.
   */
  public Path irreversibleSql(String revision, String down, String up) {
    return write(
        revision + ".sql",
        "-- revision: "
            + revision
            + "\n-- down_revision: "
            + (down == null ? "null" : down)
            + "\n-- message: "
            + revision
            + "\n-- irreversible: true\n-- +upgrade\n"
            + up
            + "\n");
  }

  /** A chain of {@code n} SQL revisions r0001..rNNNN, each creating table tNNNN with one row. */
  public void chain(int n) {
    String prev = null;
    for (int i = 1; i <= n; i++) {
      String rev = String.format("r%04d", i);
      String t = String.format("t%04d", i);
      sql(
          rev,
          prev,
          "CREATE TABLE "
              + t
              + " (id int PRIMARY KEY, v text);\nINSERT INTO "
              + t
              + " VALUES (1, 'x');",
          "DROP TABLE " + t + ";");
      prev = rev;
    }
  }
}
