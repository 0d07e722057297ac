package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.CatalogDump;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The round trip's own inputs are right, so a failure of {@link AutogenerateRoundTripTest} is
 * Convoy's: every declared schema is valid DDL that differs from the one before, the rows fit the
 * first one, and placeholders are filled for the column their operation names.
 */
class RoundTripCorpusTest {
  @Test
  void every_declared_schema_runs_and_changes_the_catalog() {
    List<RoundTripCorpus.Step> steps = RoundTripCorpus.steps();
    String previous = null;
    for (int i = 0; i < steps.size(); i++) {
      try (TestDatabase db = TestPostgres.createDatabase("corpus_" + i)) {
        db.execute(steps.get(i).schema());
        if (i == 0) {
          db.execute(RoundTripCorpus.ROWS);
          assertEquals(3, db.count("SELECT count(*) FROM author"));
        }
        String dump = CatalogDump.of(db);
        assertNotEquals(previous, dump, "step " + i + " changes nothing");
        previous = dump;
      }
    }
  }

  @Test
  void a_placeholder_is_filled_with_the_value_for_the_column_its_operation_names() {
    String yaml =
        "operations:\n"
            + "  - op: add_column\n"
            + "    table: author\n"
            + "    column: {name: country, type: character varying(2), nullable: false}\n"
            + "    backfill: \"<fill in: SQL expression for existing rows>\"  # convoy: write the"
            + " value existing rows get\n"
            + "  - op: set_not_null\n"
            + "    table: author\n"
            + "    column: bio\n"
            + "    backfill: \"<fill in: SQL expression for existing rows>\"  # convoy: write the"
            + " value existing rows get\n";
    String filled =
        Placeholders.fill(
            yaml, Map.of("author.country", "'NL'", "author.bio", "coalesce(bio, \"x\")"));
    assertEquals(0, Placeholders.count(filled), filled);
    assertTrue(filled.contains("    backfill: \"'NL'\"\n  - op: set_not_null"), filled);
    assertTrue(filled.contains("    backfill: \"coalesce(bio, \\\"x\\\")\"\n"), filled);

    IllegalStateException unknown =
        assertThrows(
            IllegalStateException.class,
            () -> Placeholders.fill(yaml, Map.of("author.country", "'NL'")));
    assertTrue(
        unknown.getMessage().startsWith("line 9 is a backfill placeholder"), unknown.getMessage());
  }
}
