package dev.convoy.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A downgrade that cannot be derived is found when the directory is read, not at downgrade. */
class ReversibilityTest {
  @TempDir Path dir;

  private void write(String name, String text) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(dir.resolve("versions").resolve(name), text);
  }

  private String problems() {
    return assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir))
        .getMessage();
  }

  private void root() throws IOException {
    write(
        "root0001.yaml",
        """
        revision: root0001
        down_revision: null
        operations:
          - op: create_table
            table: author
            columns: [{name: id, type: int}, {name: name, type: text}, {name: age, type: int}]
        """);
  }

  @Test
  void each_operation_whose_downgrade_cannot_be_derived_is_a_problem_with_file_line_and_fix()
      throws IOException {
    root();
    write(
        "drop0002.yaml",
        """
        revision: drop0002
        down_revision: root0001
        operations:
          - op: drop_column
            table: author
            column: name
          - op: alter_column
            table: author
            column: age
            type: bigint
          - op: sql
            up: UPDATE author SET age = 0
          - op: drop_table
            table: scratch
          - op: drop_index
            name: ix_author_name
        """);
    write(
        "sqlx0003.sql",
        "-- revision: sqlx0003\n-- down_revision: drop0002\n-- +upgrade\nDELETE FROM author;\n");
    write(
        "sqly0004.sql",
        "-- revision: sqly0004\n-- down_revision: sqlx0003\n-- +upgrade\nDELETE FROM author;\n"
            + "-- +downgrade\n\n");

    String all = problems();

    assertTrue(all.contains("7 problems"), all);
    assertTrue(all.contains("nothing was applied"), all);
    assertTrue(
        all.contains(
            "versions/drop0002.yaml:4: drop_column author.name does not give the column's type"),
        all);
    assertTrue(all.contains("write the column as {name: ..., type: ...}"), all);
    assertTrue(all.contains("versions/drop0002.yaml:7: alter_column"), all);
    assertTrue(all.contains("add 'from_type:'"), all);
    assertTrue(all.contains("versions/drop0002.yaml:11: sql UPDATE author SET age = 0"), all);
    assertTrue(all.contains("has no 'down'"), all);
    assertTrue(all.contains("versions/drop0002.yaml:13: drop_table scratch"), all);
    assertTrue(all.contains("versions/drop0002.yaml:15: drop_index ix_author_name"), all);
    assertTrue(all.contains("mark it 'irreversible: true'"), all);
    assertTrue(
        all.contains("versions/sqlx0003.sql:3: revision sqlx0003 has no SQL under '-- +downgrade'"),
        all);
    assertTrue(all.contains("add the header '-- irreversible: true'"), all);
    assertTrue(all.contains("versions/sqly0004.sql:5: revision sqly0004"), all);
  }

  @Test
  void a_revision_marked_irreversible_passes_and_is_reported_between_heads_and_target()
      throws IOException {
    root();
    write(
        "drop0002.yaml",
        """
        revision: drop0002
        down_revision: root0001
        irreversible: true
        operations:
          - op: drop_column
            table: author
            column: name
        """);
    write(
        "sqlx0003.sql",
        "-- revision: sqlx0003\n-- down_revision: drop0002\n-- irreversible: true\n"
            + "-- +upgrade\nDELETE FROM author;\n");
    write(
        "back0004.sql",
        "-- revision: back0004\n-- down_revision: sqlx0003\n-- +upgrade\nSELECT 1;\n"
            + "-- +downgrade\nSELECT 2;\n");

    RevisionGraph g = MigrationDirectory.load(dir);

    assertTrue(g.get("drop0002").irreversible());
    assertTrue(g.get("sqlx0003").irreversible());
    assertFalse(g.get("back0004").irreversible());
    Planner p = new Planner(g);
    assertEquals(
        List.of("sqlx0003", "drop0002"),
        p.irreversibleBetween(List.of("back0004"), List.of()).stream()
            .map(Migration::revision)
            .toList());
    assertEquals(
        List.of("drop0002"),
        p.irreversibleBetween(List.of("drop0002"), List.of("root0001")).stream()
            .map(Migration::revision)
            .toList());
    assertEquals(List.of(), p.irreversibleBetween(List.of("back0004"), List.of("sqlx0003")));
    String why = Reversibility.refusal(g.get("drop0002")).orElseThrow();
    assertTrue(
        why.contains("revision drop0002 in versions/drop0002.yaml cannot be downgraded"), why);
    assertTrue(why.contains("marked 'irreversible: true' (line 3)"), why);
    assertTrue(why.contains("does not give the column's type"), why);
    assertTrue(Reversibility.refusal(g.get("back0004")).isEmpty());
  }

  @Test
  void irreversible_must_be_a_boolean_in_yaml_and_sql() throws IOException {
    root();
    write(
        "bad00002.yaml",
        """
        revision: bad00002
        down_revision: root0001
        irreversible: maybe
        operations: []
        """);
    write(
        "bad00003.sql",
        "-- revision: bad00003\n-- down_revision: bad00002\n-- irreversible: sometimes\n"
            + "-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 1;\n");
    write(
        "bad00004.yaml",
        """
        revision: bad00004
        down_revision: root0001
        irreversable: true
        operations: []
        """);

    String all = problems();

    assertTrue(
        all.contains("versions/bad00002.yaml:3: 'irreversible' must be true or false, got 'maybe'"),
        all);
    assertTrue(
        all.contains(
            "versions/bad00003.sql:3: irreversible must be true or false, got 'sometimes'"),
        all);
    assertTrue(all.contains("versions/bad00004.yaml:3: unknown field 'irreversable'"), all);
  }
}
