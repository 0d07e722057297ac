package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong setting in {@code convoy.yaml} or a wrong revision expression is one line naming the file
 * or value and the fix, exit code 2, and the database is left untouched.
 */
class ConfigErrorsTest {
  private static final String NO_CONVOY_SCHEMA = "SELECT to_regnamespace('convoy') IS NULL";

  @TempDir Path dir;

  @Test
  void a_misspelled_key_in_convoy_yaml_is_refused_with_the_key_it_probably_meant()
      throws Exception {
    TestDatabase db = TestPostgres.createDatabase("config_errors");
    try (db) {
      new MigrationFiles(dir).sql("conf0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
      Files.writeString(dir.resolve("convoy.yaml"), "lock-timout: 5s\n");
      ConvoyShell.Result r =
          ConvoyShell.at(dir, db.url())
              .run("upgrade", "head")
              .exits(2)
              .errContains(
                  "convoy.yaml: unknown key 'lock-timout'", "did you mean 'lock-timeout'?");
      assertFalse(r.err().contains("\tat "), r.err());
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "nothing was applied");

      // A key of another command is fine: one convoy.yaml serves every command.
      Files.writeString(dir.resolve("convoy.yaml"), "namespace: team-a\nlock-timeout: 5s\n");
      ConvoyShell.at(dir, db.url()).run("upgrade", "head").exits(0);

      Files.writeString(dir.resolve("convoy.yaml"), "lock-timeout: 5s\nlock-timeout: 9s\n");
      r =
          ConvoyShell.at(dir, db.url())
              .run("current")
              .exits(2)
              .errContains("convoy.yaml", "duplicate key lock-timeout");
      assertFalse(r.err().contains("\tat "), r.err());

      Files.writeString(dir.resolve("convoy.yaml"), "url: [unclosed\n");
      r = ConvoyShell.at(dir, db.url()).run("current").exits(2).errContains("convoy.yaml");
      assertFalse(r.err().contains("\tat "), r.err());
    }
  }

  @Test
  void a_relative_revision_too_large_for_any_graph_is_one_line() throws Exception {
    TestDatabase db = TestPostgres.createDatabase("config_relative");
    try (db) {
      new MigrationFiles(dir).sql("conf0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
      ConvoyShell.Result r =
          ConvoyShell.at(dir, db.url())
              .run("upgrade", "+99999999999")
              .exits(2)
              .errContains("'+99999999999' moves 99999999999 revisions");
      assertFalse(r.err().contains("\tat ") || r.err().contains("NumberFormatException"), r.err());
      assertEquals("true", db.scalar(NO_CONVOY_SCHEMA), "nothing was applied");
    }
  }

  @Test
  void a_url_pointing_at_redis_or_at_a_port_that_never_answers_fails_within_seconds()
      throws Exception {
    new MigrationFiles(dir).sql("conf0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
    java.net.URI redis =
        java.net.URI.create(
            System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      Thread accepting =
          new Thread(
              () -> {
                java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                  while (true) {
                    held.add(silent.accept()); // accept, and never say a word
                  }
                } catch (java.io.IOException closed) {
                  // The test is over.
                }
              });
      accepting.setDaemon(true);
      accepting.start();
      for (String url :
          java.util.List.of(
              "postgresql://postgres@" + redis.getHost() + ":" + redis.getPort() + "/postgres",
              "postgresql://postgres@127.0.0.1:" + silent.getLocalPort() + "/postgres")) {
        for (String[] command : new String[][] {{"current"}, {"upgrade", "head"}}) {
          ConvoyShell.Result r =
              org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                  java.time.Duration.ofSeconds(90),
                  () -> ConvoyShell.at(dir, url).run(command),
                  "convoy " + String.join(" ", command) + " against " + url + " returned");
          r.exits(1).errContains("cannot connect to PostgreSQL at", "a PostgreSQL server");
          assertFalse(r.err().contains("\tat "), r.err());
        }
      }
    }
  }
}
