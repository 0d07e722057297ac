package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convoy.lint.Rule;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code convoy lint} as CI runs it: findings as SARIF for code scanning and as GitHub workflow
 * commands for pull-request annotations, with the same exit code as the text; and with {@code
 * --url}, findings on a table the catalog says is big are raised to errors.
 */
class LintFormatsTest {
  @TempDir Path dir;

  private void unsafe() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "fmt0001",
        null,
        "ALTER TABLE author DROP COLUMN bio;\nCREATE INDEX ix_name ON author (name);",
        "SELECT 1;");
  }

  @Test
  void sarif_names_each_rule_and_finding_with_its_file_line_and_level() throws Exception {
    unsafe();
    ConvoyShell.Result r = ConvoyShell.offline(dir).run("lint", "--format", "sarif").exits(2);
    JsonNode sarif = new ObjectMapper().readTree(r.out());
    assertEquals("2.1.0", sarif.get("version").asText());
    JsonNode run = sarif.get("runs").get(0);
    assertEquals(Rule.values().length, run.at("/tool/driver/rules").size());
    JsonNode results = run.get("results");
    assertEquals(2, results.size());
    JsonNode index = results.get(1);
    assertEquals("index-not-concurrent", index.get("ruleId").asText());
    assertEquals("error", index.get("level").asText());
    assertEquals("warning", results.get(0).get("level").asText());
    assertEquals(
        "index-not-concurrent",
        run.at("/tool/driver/rules/" + index.get("ruleIndex").asInt() + "/id").asText());
    JsonNode loc = index.at("/locations/0/physicalLocation");
    assertTrue(loc.at("/artifactLocation/uri").asText().endsWith("versions/fmt0001.sql"), r.out());
    assertEquals(6, loc.at("/region/startLine").asInt());
    assertTrue(index.at("/message/text").asText().contains("CONCURRENTLY"));
  }

  @Test
  void github_format_writes_one_annotation_per_finding_with_escaped_properties() {
    unsafe();
    ConvoyShell.Result r = ConvoyShell.offline(dir).run("lint", "--format", "github").exits(2);
    String file = dir.resolve("versions/fmt0001.sql").toString().replace(":", "%3A");
    r.outContains(
        "::warning file=" + file + ",line=5,title=convoy lint%3A drop-column::ALTER TABLE",
        "::error file="
            + file
            + ",line=6,title=convoy lint%3A index-not-concurrent::CREATE INDEX ix_name ON author"
            + " (name)%0Awhy: CREATE INDEX without CONCURRENTLY",
        "1 error(s), 1 warning(s) in 1 migrations.");
    ConvoyShell.offline(dir)
        .run("lint", "--format", "yaml")
        .exits(2)
        .errContains("--format 'yaml' is not a lint format; use text, json, sarif or github.");
  }

  @Test
  void with_url_a_rewrite_of_a_big_table_is_an_error_and_its_indexes_count_for_foreign_keys() {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(
        "big0001",
        null,
        "ALTER TABLE big ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "ALTER TABLE small ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
            + "ALTER TABLE child ADD CONSTRAINT fk FOREIGN KEY (parent_id) REFERENCES big (id)"
            + " NOT VALID;",
        "SELECT 1;");
    try (TestDatabase db = TestPostgres.createDatabase("lint_big")) {
      db.execute(
          "CREATE TABLE big (id bigint PRIMARY KEY);"
              + " INSERT INTO big SELECT g FROM generate_series(1, 20000) g;"
              + " CREATE TABLE small (id bigint PRIMARY KEY); INSERT INTO small VALUES (1);"
              + " CREATE TABLE child (id bigint PRIMARY KEY, parent_id bigint);"
              + " ANALYZE big; ANALYZE small; ANALYZE child;");
      ConvoyShell.offline(dir)
          .run("lint")
          .exits(0)
          .outContains("warning [volatile-default] ALTER TABLE big", "0 error(s), 2 warning(s)");
      ConvoyShell.Result r =
          ConvoyShell.at(dir, db.url())
              .run("lint")
              .exits(2)
              .outContains(
                  "error [volatile-default] ALTER TABLE big ADD COLUMN token uuid DEFAULT"
                      + " gen_random_uuid() (the catalog estimates big at 20,000 rows)",
                  "warning [volatile-default] ALTER TABLE small",
                  "warning [foreign-key-without-index] foreign key child (parent_id)",
                  "1 error(s), 2 warning(s)");
      assertFalse(r.out().contains("small at"), r.out());
      ConvoyShell.at(dir, db.url())
          .run("lint", "--big-table-rows", "50000")
          .exits(0)
          .outContains("warning [volatile-default] ALTER TABLE big");
      db.execute("CREATE INDEX ix_child_parent ON child (parent_id)");
      ConvoyShell.at(dir, db.url())
          .run("lint", "--big-table-rows", "50000")
          .exits(0)
          .outContains("0 error(s), 2 warning(s)");
    }
  }

  @Test
  void with_url_a_table_never_analysed_is_estimated_from_its_size_and_raised() {
    new MigrationFiles(dir)
        .sql(
            "na0001",
            null,
            "ALTER TABLE fresh_big ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            "SELECT 1;");
    try (TestDatabase db = TestPostgres.createDatabase("lint_unanalysed")) {
      db.execute(
          "CREATE TABLE fresh_big (id bigint) WITH (autovacuum_enabled = false);"
              + " INSERT INTO fresh_big SELECT g FROM generate_series(1, 20000) g;");
      ConvoyShell.at(dir, db.url())
          .run("lint")
          .exits(2)
          .outContains(
              "error [volatile-default] ALTER TABLE fresh_big",
              "(the catalog estimates fresh_big at 20,114 rows)");
    }
  }

  @Test
  void with_url_names_are_matched_as_postgresql_folds_them() {
    new MigrationFiles(dir)
        .sql(
            "mx0001",
            null,
            "ALTER TABLE mixed ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
                + "ALTER TABLE \"Mixed\" ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
                + "ALTER TABLE \"Mixed\" ADD CONSTRAINT fk FOREIGN KEY (\"ParentId\")"
                + " REFERENCES mixed (id) NOT VALID;",
            "SELECT 1;");
    try (TestDatabase db = TestPostgres.createDatabase("lint_mixed")) {
      db.execute(
          "CREATE TABLE \"Mixed\" (id bigint PRIMARY KEY, \"ParentId\" bigint);"
              + " CREATE INDEX ix_parent ON \"Mixed\" (\"ParentId\");"
              + " INSERT INTO \"Mixed\" SELECT g FROM generate_series(1, 20000) g;"
              + " CREATE TABLE mixed (id bigint PRIMARY KEY); INSERT INTO mixed VALUES (1);"
              + " ANALYZE \"Mixed\"; ANALYZE mixed;");
      ConvoyShell.Result r =
          ConvoyShell.at(dir, db.url())
              .run("lint")
              .exits(2)
              .outContains(
                  "warning [volatile-default] ALTER TABLE mixed ADD",
                  "(the catalog estimates Mixed at 20,000 rows)",
                  "1 error(s), 1 warning(s)");
      assertFalse(r.out().contains("mixed at"), r.out());
    }
  }

  @Test
  void sarif_uris_are_percent_encoded() throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("versions"));
    java.nio.file.Files.writeString(
        dir.resolve("versions/aaaa0001_a%b,c:d é.sql"),
        "-- revision: aaaa0001\n-- down_revision: null\n-- +upgrade\n"
            + "CREATE INDEX ix ON author (name);\n-- +downgrade\nSELECT 1;\n");
    ConvoyShell.Result r = ConvoyShell.offline(dir).run("lint", "--format", "sarif").exits(2);
    String uri =
        new ObjectMapper()
            .readTree(r.out())
            .at("/runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri")
            .asText();
    assertTrue(uri.endsWith("/versions/aaaa0001_a%25b%2Cc%3Ad%20%C3%A9.sql"), uri);
    assertEquals(
        dir.resolve("versions/aaaa0001_a%b,c:d é.sql").toAbsolutePath(),
        Path.of(java.net.URI.create(uri)));
  }
}
