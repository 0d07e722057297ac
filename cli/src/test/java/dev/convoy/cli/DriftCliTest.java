package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convoy check --drift} in each of its three directions, and when there is none. */
class DriftCliTest {
  private static final String AUTHOR =
      "CREATE TABLE author (id bigint PRIMARY KEY, name text NOT NULL);";

  @TempDir Path dir;

  private MigrationFiles files() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("auth0001", null, AUTHOR, "DROP TABLE author;");
    return files;
  }

  private void declare(String ddl) throws Exception {
    Files.writeString(Files.createDirectories(dir.resolve("schema")).resolve("app.sql"), ddl);
  }

  private static JsonNode json(ConvoyShell.Result r) throws Exception {
    return new ObjectMapper().readTree(r.out());
  }

  @Test
  void no_drift_exits_0_and_says_each_direction_matches() throws Exception {
    files();
    declare(AUTHOR + "\nCREATE VIEW names AS SELECT name FROM author;");
    try (TestDatabase db = TestPostgres.createDatabase("drift_none")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      var r =
          convoy
              .run("check", "--drift")
              .exits(0)
              .outContains(
                  "vs migrations at head: no drift",
                  "Migrations vs database (DDL run outside the migrations): no drift",
                  "Declared schema vs database: no drift",
                  "No drift.")
              .errContains(
                  "note: the declared schema has 1 view (names) that check --drift does not compare;"
                      + " write it in a sql operation");
      assertEquals(1, r.err().lines().count(), r::toString);
      JsonNode doc = json(convoy.run("check", "--drift", "--json").exits(0));
      assertEquals(true, doc.get("ok").asBoolean());
      assertEquals(true, doc.get("database_compared").asBoolean());
      assertEquals(false, doc.get("drift").asBoolean());
      assertEquals(0, doc.get("declared_vs_migrations").size());
      assertEquals(0, doc.get("migrations_vs_database").size());
      assertEquals(0, doc.get("declared_vs_database").size());
      assertEquals(0, DeclaredSchemaTest.scratchesLeft(db));
    }
  }

  @Test
  void a_declared_change_no_revision_makes_is_drift_fixed_by_generating_a_revision()
      throws Exception {
    files();
    declare("CREATE TABLE author (id bigint PRIMARY KEY, name text NOT NULL, email text);");
    try (TestDatabase db = TestPostgres.createDatabase("drift_declared")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      var r =
          convoy
              .run("check", "--drift")
              .exits(1)
              .outContains("vs migrations at head: 1 difference", "author.email")
              .outContains("fix: " + Drift.GENERATE, "Drift found");
      assertTrue(r.out().contains("Declared schema vs database: 1 difference"), r::toString);
      JsonNode doc = json(convoy.run("check", "--drift", "--json").exits(1));
      assertTrue(doc.get("drift").asBoolean());
      assertEquals(false, doc.get("ok").asBoolean());
      JsonNode item = doc.get("declared_vs_migrations").get(0);
      assertTrue(item.get("summary").asText().contains("author.email"), doc::toString);
      assertEquals(Drift.GENERATE, item.get("fix").asText());
      assertEquals(0, doc.get("migrations_vs_database").size());
      assertEquals(Drift.GENERATE, doc.get("declared_vs_database").get(0).get("fix").asText());
    }
  }

  @Test
  void ddl_run_outside_the_migrations_is_drift_between_migrations_and_database() throws Exception {
    files();
    declare(AUTHOR);
    try (TestDatabase db = TestPostgres.createDatabase("drift_oob")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      db.execute("ALTER TABLE author ADD COLUMN twitter text");
      convoy
          .run("check", "--drift")
          .exits(1)
          .outContains(
              "vs migrations at head: no drift",
              "Migrations vs database (DDL run outside the migrations): 1 difference",
              "author.twitter",
              "fix: " + Drift.OUT_OF_BAND);
      JsonNode doc = json(convoy.run("check", "--drift", "--json").exits(1));
      assertTrue(
          doc.get("migrations_vs_database").get(0).get("summary").asText().contains("twitter"),
          doc::toString);
    }
  }

  @Test
  void what_a_pending_revision_makes_is_fixed_by_upgrading_and_is_not_drift_of_the_database()
      throws Exception {
    files()
        .yaml(
            "mail0002",
            "auth0001",
            "  - op: add_column\n    table: author\n    column: {name: email, type: text}\n");
    declare("CREATE TABLE author (id bigint PRIMARY KEY, name text NOT NULL, email text);");
    try (TestDatabase db = TestPostgres.createDatabase("drift_pending")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "auth0001").exits(0);
      convoy
          .run("check", "--drift")
          .exits(1)
          .outContains(
              "vs migrations at head: no drift",
              "compared at the database's revisions, 1 pending: mail0002): no drift",
              "Declared schema vs database: 1 difference",
              "author.email",
              "fix: " + Drift.UPGRADE);
      convoy.run("upgrade", "head").exits(0);
      convoy.run("check", "--drift").exits(0).outContains("No drift.");
    }
  }

  @Test
  void a_database_mid_rollout_is_reported_as_such_not_as_drift() throws Exception {
    files()
        .yaml(
            "mail0002",
            "auth0001",
            "  - op: add_column\n    table: author\n"
                + "    column: {name: email, type: text, nullable: false}\n"
                + "    backfill: \"name || '@example.com'\"\n");
    declare(
        "CREATE TABLE author (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL);");
    try (TestDatabase db = TestPostgres.createDatabase("drift_mid")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "--phase", "expand").exits(0);
      var r =
          convoy
              .run("check", "--drift")
              .exits(0)
              .outContains(
                  "vs migrations at head: no drift",
                  "Database: mid-rollout, not compared: mail0002 is expanded with contract pending",
                  "No drift in what was compared; the database was not compared (mid-rollout:"
                      + " mail0002 with contract pending).");
      assertTrue(!r.out().contains("No drift."), r::toString);
      JsonNode doc = json(convoy.run("check", "--drift", "--json").exits(0));
      assertEquals("mail0002", doc.get("mid_rollout").get(0).asText());
      assertTrue(doc.get("migrations_vs_database").isNull());
      assertTrue(doc.get("ok").asBoolean(), doc::toString);
      assertEquals(false, doc.get("database_compared").asBoolean());
      assertTrue(
          doc.get("database_not_compared_because").asText().startsWith("mid-rollout"),
          doc::toString);
    }
  }

  @Test
  void without_drift_check_behaves_as_before() throws Exception {
    files();
    try (TestDatabase db = TestPostgres.createDatabase("drift_plain")) {
      ConvoyShell.at(dir, db.url())
          .run("check")
          .exits(0)
          .outContains("OK: every applied file matches what was applied; 1 pending: auth0001");
    }
  }

  @Test
  void tables_in_schemas_neither_the_migrations_nor_the_declared_schema_use_are_not_drift()
      throws Exception {
    files()
        .yaml(
            "bill0002",
            "auth0001",
            "  - op: sql\n    up: CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int)\n"
                + "    down: DROP SCHEMA billing CASCADE\n");
    declare(AUTHOR + "CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int);");
    try (TestDatabase db = TestPostgres.createDatabase("drift_unmanaged")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", "head").exits(0);
      db.execute("CREATE SCHEMA other; CREATE TABLE other.audit_log (id int)");
      convoy.run("check", "--drift").exits(0).outContains("No drift.");
      db.execute("ALTER TABLE billing.invoice ADD COLUMN total numeric");
      convoy
          .run("check", "--drift")
          .exits(1)
          .outContains(
              "Migrations vs database (DDL run outside the migrations): 1 difference",
              "billing.invoice.total");
    }
  }
}
