package dev.convoy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.engine.AppliedRevision;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An application migrating at startup with two lines of plain Java. */
class ConvoyEmbeddingTest {
  private static final Path EXAMPLE = Path.of("..", "migrations");

  @Test
  void an_application_upgrades_the_example_app_to_head_and_gets_what_was_applied() {
    try (TestDatabase db = TestPostgres.createDatabase("embed");
        Convoy convoy = Convoy.configure().url(db.url()).migrations(EXAMPLE).load()) {
      MigrationResult r = convoy.upgrade("head");
      assertEquals(List.of(), r.from());
      assertEquals(convoy.graph().heads(), r.to());
      assertEquals(convoy.graph().all().size(), r.applied().size());
      assertEquals("1a2b3c4d5e6f", r.applied().get(0).revision());
      assertTrue(r.applied().stream().map(AppliedRevision::took).allMatch(d -> !d.isNegative()));
      assertEquals(r.to(), convoy.current());
      assertEquals(
          "NO",
          db.scalar(
              "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'author'"
                  + " AND column_name = 'email'"),
          "the three-phase email change ends NOT NULL");
      MigrationResult again = convoy.upgrade("head");
      assertTrue(again.applied().isEmpty(), "a second start applies nothing");
    }
  }
}
