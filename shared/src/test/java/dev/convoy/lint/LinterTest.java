package dev.convoy.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinterTest {
  @TempDir Path dir;

  private List<Finding> lint(String sqlOrYaml, boolean yaml) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        dir.resolve("versions").resolve(yaml ? "l0001.yaml" : "l0001.sql"), sqlOrYaml);
    return Linter.lint(MigrationDirectory.load(dir).all());
  }

  private List<String> ids(List<Finding> findings) {
    return findings.stream().map(f -> f.rule().id()).toList();
  }

  private String sql(String up) {
    return "-- revision: l0001\n-- down_revision: null\n-- +upgrade\n"
        + up
        + "\n-- +downgrade\nSELECT 1;\n";
  }

  @Test
  void every_risky_raw_statement_is_named_with_its_rule_line_why_and_alternative()
      throws IOException {
    List<Finding> f =
        lint(
            sql(
                "CREATE INDEX ix_a ON author (name);\n"
                    + "ALTER TABLE author ADD COLUMN email text NOT NULL;\n"
                    + "ALTER TABLE author ALTER COLUMN name SET NOT NULL;\n"
                    + "ALTER TABLE book ADD CONSTRAINT fk FOREIGN KEY (author_id) REFERENCES author (id);\n"
                    + "ALTER TABLE book ADD CONSTRAINT ck CHECK (pages > 0);\n"
                    + "ALTER TABLE book ADD CONSTRAINT uq UNIQUE (isbn);\n"
                    + "ALTER TABLE book ALTER COLUMN pages TYPE bigint;\n"
                    + "ALTER TABLE book DROP COLUMN notes;\n"
                    + "DROP TABLE old_stuff;\n"
                    + "ALTER TABLE book RENAME COLUMN title TO name;\n"
                    + "VACUUM FULL book;\n"
                    + "CREATE INDEX CONCURRENTLY ix_b ON book (isbn);"),
            false);
    assertEquals(
        List.of(
            "index-not-concurrent",
            "add-column-not-null",
            "set-not-null",
            "constraint-not-valid",
            "constraint-not-valid",
            "unique-without-index",
            "alter-type",
            "drop-column",
            "drop-table",
            "rename",
            "vacuum-full",
            "concurrently-in-transaction"),
        ids(f));
    Finding first = f.get(0);
    assertEquals("versions/l0001.sql", first.file());
    assertEquals(4, first.line());
    assertTrue(
        first.toString().contains("why: CREATE INDEX without CONCURRENTLY blocks every write"));
    assertTrue(first.toString().contains("instead: use create_index"));
    assertEquals(Severity.WARNING, f.get(7).rule().severity());
  }

  @Test
  void the_safe_forms_and_work_on_a_table_created_in_the_same_revision_pass_clean()
      throws IOException {
    List<Finding> f =
        lint(
            sql(
                "CREATE TABLE fresh (id bigint PRIMARY KEY, name text);\n"
                    + "CREATE INDEX ix_fresh ON fresh (name);\n"
                    + "ALTER TABLE fresh ADD CONSTRAINT ck CHECK (id > 0);\n"
                    + "ALTER TABLE book ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES author (id) NOT VALID;\n"
                    + "ALTER TABLE book VALIDATE CONSTRAINT fk;\n"
                    + "ALTER TABLE book ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx;\n"
                    + "ALTER TABLE book ADD COLUMN note text DEFAULT 'x' NOT NULL;\n"
                    + "UPDATE book SET note = 'CREATE INDEX ix ON t (a)';"),
            false);
    assertEquals(List.of(), ids(f));
  }

  @Test
  void typed_drops_and_renames_warn_and_a_migration_can_acknowledge_a_rule() throws IOException {
    List<Finding> f =
        lint(
            "revision: l0001\ndown_revision: null\nlint: {ignore: [drop-table]}\noperations:\n"
                + "  - op: drop_column\n    table: a\n    column: b\n"
                + "  - op: rename_column\n    table: a\n    from: c\n    to: d\n"
                + "  - op: drop_table\n    table: z\n"
                + "  - op: create_index\n    table: a\n    columns: [x]\n    concurrently: false\n"
                + "irreversible: true\n",
            true);
    assertEquals(List.of("drop-column", "versioned-rename", "index-not-concurrent"), ids(f));
    assertEquals(5, f.get(0).line());
    assertEquals(List.of("index-not-concurrent"), ids(Linter.blocking(f, List.of())));
    assertEquals(List.of(), ids(Linter.blocking(f, List.of("index-not-concurrent"))));
  }

  private List<String> located(List<Finding> findings) {
    return findings.stream().map(f -> f.line() + " " + f.rule().id() + ": " + f.what()).toList();
  }

  @Test
  void a_sql_files_downgrade_is_linted_and_its_findings_say_downgrade_at_their_own_lines()
      throws IOException {
    List<Finding> f =
        lint(
            "-- revision: l0001\n-- down_revision: null\n-- +upgrade\n\n"
                + "CREATE INDEX CONCURRENTLY ix ON book (a);\n"
                + "-- +downgrade\n\n\n"
                + "DROP INDEX ix;\n"
                + "ALTER TABLE book\n  RENAME TO x;\n",
            false);
    assertEquals(
        List.of(
            "5 concurrently-in-transaction: CREATE INDEX CONCURRENTLY ix ON book (a)",
            "9 drop-index-not-concurrent: DROP INDEX ix (downgrade)",
            "10 rename-table: ALTER TABLE book RENAME TO x (downgrade)"),
        located(f));
    assertTrue(f.get(1).downgrade() && !f.get(0).downgrade());
    assertEquals(Severity.WARNING, f.get(1).severity(), "a rollback's finding warns");
    assertEquals(List.of("concurrently-in-transaction"), ids(Linter.blocking(f, List.of())));
  }

  @Test
  void sql_in_yaml_block_folded_plain_and_quoted_scalars_is_reported_at_the_line_it_is_written_on()
      throws IOException {
    List<Finding> f =
        lint(
            "revision: l0001\n" // 1
                + "down_revision: null\n" // 2
                + "message: >\n" // 3
                + "  lines\n" // 4
                + "  of text\n" // 5
                + "\n" // 6
                + "operations:\n" // 7
                + "  # sql\n" // 8
                + "  - op: sql\n" // 9
                + "    up: |\n" // 10
                + "      CREATE TABLE fresh (id bigint);\n" // 11
                + "      -- a comment\n" // 12
                + "      CREATE INDEX ix ON book (a);\n" // 13
                + "      ALTER TABLE book RENAME TO x;\n" // 14
                + "    down: >\n" // 15
                + "      ALTER TABLE x RENAME TO book;\n" // 16
                + "      DROP INDEX ix;\n" // 17
                + "\n" // 18
                + "      DROP TABLE fresh;\n" // 19
                + "  - op: sql\n" // 20
                + "    up: CREATE INDEX ix2 ON book (b);\n" // 21
                + "      VACUUM FULL book;\n" // 22
                + "    down: \"DROP INDEX ix2;\n" // 23
                + "      \\\"x\\\"; DROP\n" // 24
                + "      TABLE gone;\"\n" // 25
                + "  - op: sql\n" // 26
                + "    up: 'SELECT ''a'';\n" // 27
                + "\n" // 28
                + "      CLUSTER book;'\n" // 29
                + "    down: SELECT 1\n", // 30
            true);
    assertEquals(
        List.of(
            "13 index-not-concurrent: CREATE INDEX ix ON book (a)",
            "14 rename-table: ALTER TABLE book RENAME TO x",
            "16 rename-table: ALTER TABLE x RENAME TO book (downgrade)",
            "17 drop-index-not-concurrent: DROP INDEX ix (downgrade)",
            "19 drop-table: DROP TABLE fresh (downgrade)",
            "21 index-not-concurrent: CREATE INDEX ix2 ON book (b)",
            "22 vacuum-full: VACUUM FULL book",
            "23 drop-index-not-concurrent: DROP INDEX ix2 (downgrade)",
            "24 drop-table: DROP TABLE gone (downgrade)",
            "29 vacuum-full: CLUSTER book"),
        located(f));
  }

  @Test
  void the_seed_example_migrations_pass_clean() {
    assertEquals(
        List.of(), ids(Linter.lint(MigrationDirectory.load(Path.of("..", "migrations")).all())));
  }
}
