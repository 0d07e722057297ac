package dev.convoy.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.error.Problem;
import dev.convoy.ops.Phase;
import dev.convoy.ops.RawSql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backfill placeholder autogenerate writes is refused wherever a directory is loaded: upgrade,
 * lint and every other command read revisions through {@link MigrationDirectory#load}.
 */
class BackfillPlaceholderTest {
  @TempDir Path dir;

  private static final String PLACEHOLDER =
      "    backfill: \"<fill in: SQL expression for existing rows>\""
          + "  # convoy: write the value existing rows get\n";

  private void write(String ops) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        dir.resolve("versions/abcd1_auto.yaml"),
        "revision: abcd1\ndown_revision: null\nmessage: auto\noperations:\n" + ops);
  }

  @Test
  void an_add_column_placeholder_is_refused_naming_the_file_and_line() throws IOException {
    write(
        "  - op: add_column\n    table: author\n    column: {name: email, type: text, nullable: false}\n"
            + PLACEHOLDER);
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertEquals(1, e.problems().size(), e.getMessage());
    Problem p = e.problems().get(0);
    assertEquals("versions/abcd1_auto.yaml", p.file());
    assertEquals(8, p.line());
    assertTrue(
        p.message().startsWith("add_column author.email: the backfill is still the placeholder"),
        p.message());
  }

  @Test
  void a_set_not_null_placeholder_is_refused_too() throws IOException {
    write("  - op: set_not_null\n    table: author\n    column: email\n" + PLACEHOLDER);
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertTrue(
        e.getMessage()
            .contains("versions/abcd1_auto.yaml:8: set_not_null author.email: the backfill"),
        e.getMessage());
  }

  @Test
  void a_sql_operation_may_run_in_contract_and_nothing_else() throws IOException {
    write("  - op: sql\n    up: DROP TYPE mood\n    down: SELECT 1\n    phase: contract\n");
    RawSql r = (RawSql) MigrationDirectory.load(dir).get("abcd1").operations().get(0);
    assertEquals(Phase.CONTRACT, r.phase());
    assertEquals(Phase.CONTRACT, r.upgradeSteps().get(0).phase());
    assertEquals(0, r.downgradeSteps(false).size(), "not contracted: nothing ran to undo");
    write("  - op: sql\n    up: DROP TYPE mood\n    down: SELECT 1\n    phase: later\n");
    InvalidMigrationsException e =
        assertThrows(InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertTrue(e.getMessage().contains("must be expand (the default) or contract"), e.getMessage());
  }
}
