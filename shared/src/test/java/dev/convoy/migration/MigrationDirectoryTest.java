package dev.convoy.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.error.Problem;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.ops.AddColumn;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.RawSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationDirectoryTest {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(dir.resolve("versions").resolve(name), text);
  }

  @Test
  void yaml_and_sql_files_load_with_their_operations_and_headers() throws IOException {
    write(
        "aaaa1_first.yaml",
        """
        revision: aaaa1
        down_revision: null
        message: Add email
        branch_labels: [core]
        operations:
          - op: add_column
            table: author
            column: {name: email, type: text}
          - op: create_index
            table: author
            columns: [email]
        """);
    write(
        "bbbb2_fix.sql",
        "-- revision: bbbb2\n-- down_revision: aaaa1\n-- message: fix\n-- transactional: false\n"
            + "-- +upgrade\nUPDATE author SET email = lower(email);\n-- +downgrade\nSELECT 1;\n");
    RevisionGraph g = MigrationDirectory.load(dir);
    Migration a = g.get("aaaa1");
    assertEquals("Add email", a.message());
    assertEquals(List.of("core"), a.branchLabels());
    assertTrue(a.operations().get(0) instanceof AddColumn);
    CreateIndex ix = (CreateIndex) a.operations().get(1);
    assertEquals("ix_author_email", ix.name());
    assertTrue(ix.concurrently());
    assertFalse(a.transactional(), "a concurrent index takes the revision outside a transaction");
    Migration b = g.get("bbbb2");
    assertEquals(List.of("aaaa1"), b.downRevisions());
    assertFalse(b.transactional());
    assertEquals(
        "UPDATE author SET email = lower(email);", ((RawSql) b.operations().get(0)).upSql());
    assertEquals(List.of("bbbb2"), g.heads());
  }

  @Test
  void a_section_marker_inside_a_function_body_string_or_comment_is_sql_not_a_section()
      throws IOException {
    String fn =
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n-- +downgrade\nSELECT 1\n$$;\n"
            + "SELECT '\n-- +downgrade\n';\n/* a note\n-- +downgrade\n*/\nSELECT 2;";
    write(
        "cccc3_fn.sql",
        "-- revision: cccc3\n-- down_revision: null\n-- +upgrade\n"
            + fn
            + "\n-- +downgrade\nDROP FUNCTION f();\n");
    RawSql sql = (RawSql) MigrationDirectory.load(dir).get("cccc3").operations().get(0);
    assertEquals(fn, sql.upSql());
    assertEquals("DROP FUNCTION f();", sql.downSql());
  }

  @Test
  void every_problem_of_a_directory_is_reported_at_once_with_file_and_line() throws IOException {
    write("bad_yaml.yaml", "revision: x1x1\noperations: [\n");
    write("no_rev.yaml", "down_revision: null\noperations: []\n");
    write("dup_a.yaml", "revision: dup1\ndown_revision: null\noperations: []\n");
    write("dup_b.yaml", "revision: dup1\ndown_revision: null\noperations: []\n");
    write("orphan.yaml", "revision: orph\ndown_revision: nowhere1\noperations: []\n");
    write("cyc_a.yaml", "revision: cyca\ndown_revision: cycb\noperations: []\n");
    write("cyc_b.yaml", "revision: cycb\ndown_revision: cyca\noperations: []\n");
    write(
        "unknown_op.yaml",
        "revision: unop\ndown_revision: null\noperations:\n  - op: teleport_table\n    table: a\n");
    write(
        "missing_field.yaml",
        "revision: misf\ndown_revision: null\noperations:\n  - op: add_column\n    table: a\n");
    write("no_upgrade.sql", "-- revision: nosq\n-- down_revision: null\nSELECT 1;\n");
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    List<String> lines = e.problems().stream().map(Problem::toString).toList();
    String all = String.join("\n", lines);
    assertTrue(all.contains("versions/bad_yaml.yaml:3: invalid YAML"), all);
    assertTrue(all.contains("versions/no_rev.yaml:1: missing required field 'revision'"), all);
    assertTrue(
        all.contains(
            "versions/dup_b.yaml:1: duplicate revision id 'dup1', also in versions/dup_a.yaml"),
        all);
    assertTrue(
        all.contains("versions/orphan.yaml:2: down_revision 'nowhere1' is not a revision"), all);
    assertTrue(all.contains("revisions form a cycle"), all);
    assertTrue(all.contains("versions/unknown_op.yaml:4: unknown operation 'teleport_table'"), all);
    assertTrue(all.contains("versions/missing_field.yaml:4: missing required field 'column'"), all);
    assertTrue(all.contains("versions/no_upgrade.sql:1: no '-- +upgrade' section"), all);
    assertEquals(8, e.problems().size(), all);
    assertTrue(e.getMessage().startsWith("8 problems in migrations directory"), e.getMessage());
  }

  @Test
  void a_checksum_ignores_line_endings_but_not_content() {
    assertEquals(Checksums.of("a\nb\n"), Checksums.of("a\r\nb\r\n"));
    assertFalse(Checksums.of("a\nb\n").equals(Checksums.of("a\nc\n")));
  }

  @Test
  void a_key_given_twice_or_a_lint_rule_that_does_not_exist_is_refused_with_its_line()
      throws IOException {
    write("twice.yaml", "revision: twic\ndown_revision: null\nrevision: twic2\noperations: []\n");
    write(
        "norule.yaml",
        "revision: nrul\ndown_revision: null\nlint: {ignore: [no-such-rule]}\noperations: []\n");
    write(
        "norule.sql",
        "-- revision: nrus\n-- down_revision: null\n-- lint_ignore: no-such-rule\n"
            + "-- +upgrade\nSELECT 1;\n");
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    String all = e.problems().stream().map(Problem::toString).reduce("", (a, b) -> a + b + "\n");
    assertTrue(
        all.contains("versions/twice.yaml:3: 'revision' appears twice (first on line 1)"), all);
    assertTrue(
        all.contains("versions/norule.yaml:3: lint ignore names 'no-such-rule', which is not"),
        all);
    assertTrue(all.contains("versions/norule.sql:1: lint ignore names 'no-such-rule'"), all);
  }

  @Test
  void an_explicitly_transactional_revision_with_a_concurrent_index_is_refused()
      throws IOException {
    write(
        "tx.yaml",
        "revision: txix\ndown_revision: null\ntransactional: true\noperations:\n"
            + "  - op: create_index\n    table: a\n    columns: [b]\n");
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertTrue(e.getMessage().contains("concurrently: false"), e.getMessage());
  }

  @Test
  void a_name_that_could_end_convoys_own_plpgsql_blocks_is_refused_with_its_line()
      throws IOException {
    write(
        "dollar.yaml",
        "revision: dllr\ndown_revision: null\noperations:\n"
            + "  - op: add_column\n    table: a\n"
            + "    column: {name: \"x$convoy$; DROP TABLE a; DO $convoy$ BEGIN\", type: int}\n");
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertTrue(
        e.getMessage().contains("dollar.yaml:4") && e.getMessage().contains("contains '$convoy'"),
        e.getMessage());
  }
}
