package dev.convoy.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which revisions of a release may expand before the contracts of the ones before them. */
class ExpandOrderTest {
  @TempDir Path dir;

  /** A chain of revisions r1, r2, ... each with the given operations (YAML). */
  private List<Migration> chain(String... operations) throws IOException {
    Files.createDirectories(dir.resolve("versions"));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < operations.length; i++) {
      String id = "rev" + (i + 1);
      Files.writeString(
          dir.resolve("versions").resolve(id + ".yaml"),
          "revision: "
              + id
              + "\ndown_revision: "
              + (i == 0 ? "null" : "rev" + i)
              + "\nlint: {ignore: [rename]}\noperations:\n"
              + operations[i]);
      ids.add(id);
    }
    RevisionGraph graph = MigrationDirectory.load(dir);
    return ids.stream().map(graph::get).toList();
  }

  private Optional<ExpandOrder.Wait> firstWait(String... operations) throws IOException {
    return ExpandOrder.firstWait(List.of(), chain(operations));
  }

  private static final String DROP_TWITTER =
      "  - op: drop_column\n    table: author\n    column: {name: twitter, type: text}\n";
  private static final String RENAME_TITLE =
      "  - op: rename_column\n    table: book\n    from: title\n    to: name\n";

  @Test
  void a_backfilled_column_after_an_unrelated_drop_does_not_wait() throws IOException {
    assertEquals(
        Optional.empty(),
        firstWait(
            DROP_TWITTER,
            "  - op: add_column\n    table: author\n"
                + "    column: {name: display_name, type: text, nullable: false}\n"
                + "    backfill: \"name || '!'\"\n"));
  }

  @Test
  void a_backfill_reading_the_renamed_column_waits_and_names_both() throws IOException {
    ExpandOrder.Wait w =
        firstWait(
                RENAME_TITLE,
                "  - op: add_column\n    table: book\n"
                    + "    column: {name: slug, type: text, nullable: false}\n"
                    + "    backfill: \"lower(name)\"\n")
            .orElseThrow();
    assertEquals("rev2", w.waiting().revision());
    assertEquals("rev1", w.blocker().revision());
    assertTrue(w.describe().contains("book.name"), w.describe());
    assertTrue(w.describe().contains("renaming title"), w.describe());
  }

  @Test
  void a_name_inside_a_string_literal_is_not_a_dependency_but_a_quoted_identifier_is()
      throws IOException {
    String backfill = "  - op: backfill\n    table: book\n    set: {pages: \"%s\"}\n";
    assertEquals(
        Optional.empty(), firstWait(RENAME_TITLE, backfill.formatted("length(E'it\\\\'s name')")));
    assertTrue(firstWait(RENAME_TITLE, backfill.formatted("length(\\\"name\\\")")).isPresent());
  }

  @Test
  void raw_sql_naming_a_table_whose_column_a_contract_drops_waits() throws IOException {
    assertTrue(
        firstWait(
                DROP_TWITTER,
                "  - op: sql\n    up: CREATE VIEW v AS SELECT * FROM author\n    down: DROP VIEW v\n")
            .isPresent());
    assertEquals(
        Optional.empty(),
        firstWait(
            DROP_TWITTER,
            "  - op: sql\n    up: CREATE TABLE other (id int)\n    down: DROP TABLE other\n"));
  }

  @Test
  void undoing_a_not_null_that_a_contract_sets_waits_but_indexing_the_column_does_not()
      throws IOException {
    String setNotNull =
        "  - op: set_not_null\n    table: author\n    column: email\n    backfill: \"'x'\"\n";
    assertTrue(
        firstWait(setNotNull, "  - op: drop_not_null\n    table: author\n    column: email\n")
            .isPresent());
    assertEquals(
        Optional.empty(),
        firstWait(setNotNull, "  - op: create_index\n    table: author\n    columns: [email]\n"));
  }

  @Test
  void a_fill_computed_from_a_column_still_being_filled_waits_for_its_contract()
      throws IOException {
    // Both fill triggers would fire on the old application's inserts, area's first (by name):
    // it would read zip as NULL.
    assertTrue(
        firstWait(
                "  - op: add_column\n    table: author\n"
                    + "    column: {name: zip, type: text, nullable: false}\n"
                    + "    backfill: \"'00000'\"\n",
                "  - op: add_column\n    table: author\n"
                    + "    column: {name: area, type: text, nullable: false}\n"
                    + "    backfill: \"left(zip, 2)\"\n")
            .isPresent());
  }

  @Test
  void re_adding_a_dropped_column_waits_for_the_drop() throws IOException {
    assertTrue(
        firstWait(
                DROP_TWITTER,
                "  - op: add_column\n    table: author\n    column: {name: twitter, type: int}\n")
            .isPresent());
  }

  @Test
  void waves_cut_the_chain_where_a_revision_waits() throws IOException {
    List<Migration> chain =
        chain(
            RENAME_TITLE,
            "  - op: create_index\n    table: book\n    columns: [name]\n",
            "  - op: add_column\n    table: author\n    column: {name: x, type: int}\n");
    List<List<String>> waves =
        ExpandOrder.waves(chain).stream()
            .map(w -> w.revisions().stream().map(Migration::revision).toList())
            .toList();
    assertEquals(List.of(List.of("rev1"), List.of("rev2", "rev3")), waves);
    assertEquals("rev2", ExpandOrder.waves(chain).get(1).because().waiting().revision());
  }
}
