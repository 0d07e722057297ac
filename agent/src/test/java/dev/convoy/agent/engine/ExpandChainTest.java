package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.phases.ExpandOrder;
import dev.convoy.testkit.ChainCorpus;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.SchemaSnapshot;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Releases of several revisions, expanded first and contracted after (as an expand-first deploy
 * does), end in the same schema and data as applying the revisions one after the other.
 */
@Isolated // long and CPU-bound: run alone, so it does not slow the timing-sensitive tests
class ExpandChainTest {
  private static TestDatabase plain;
  private static TestDatabase phased;

  @TempDir Path dir;

  @BeforeAll
  static void databases() {
    plain = TestPostgres.createDatabase("chain_plain");
    phased = TestPostgres.createDatabase("chain_phased");
  }

  @AfterAll
  static void dropDatabases() {
    plain.close();
    phased.close();
  }

  private static Migrator migrator(Path dir, TestDatabase db) {
    return Engines.migrator(
        dir,
        Engines.config(
            db, Duration.ofSeconds(2), 5, new BackfillSettings(Duration.ofMillis(20), 100, 0)),
        MigrationListener.SILENT);
  }

  /** Empties the database and applies the corpus's base revision. */
  private static void reset(Path dir, TestDatabase db) {
    db.execute(
        "SET client_min_messages = warning; DROP SCHEMA IF EXISTS convoy CASCADE;"
            + " DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    migrator(dir, db).upgrade(ChainCorpus.BASE);
  }

  /** Plain upgrade on one database; rounds of expand then contract on another. */
  private record Outcome(String plain, String phased, int rounds, List<String> heldBack) {}

  private Outcome both(Path dir) {
    reset(dir, plain);
    reset(dir, phased);
    migrator(dir, plain).upgrade("head");
    List<String> heldBack = new ArrayList<>();
    int rounds = 0;
    while (rounds < 5) {
      rounds++;
      MigrationResult expand = migrator(dir, phased).upgrade("head", PhaseMode.EXPAND);
      if (expand.heldBack() != null) {
        heldBack.add(expand.heldBack());
      }
      migrator(dir, phased).upgrade("head", PhaseMode.CONTRACT);
      if (expand.heldBack() == null) {
        break;
      }
    }
    assertEquals(0, phased.count("SELECT count(*) FROM convoy.expanded"), "nothing left expanded");
    return new Outcome(SchemaSnapshot.of(plain), SchemaSnapshot.of(phased), rounds, heldBack);
  }

  @Test
  void a_dropped_column_and_a_new_backfilled_column_expand_together_and_contract_cleanly() {
    MigrationFiles files = new MigrationFiles(dir);
    ChainCorpus.writeBase(files);
    files.yaml(
        "drop0001",
        ChainCorpus.BASE,
        "  - op: drop_column\n    table: author\n    column: {name: twitter, type: text}\n");
    files.yaml(
        "disp0002",
        "drop0001",
        "  - op: add_column\n    table: author\n"
            + "    column: {name: display_name, type: text, nullable: false}\n"
            + "    backfill: \"name || ' (' || id || ')'\"\n");
    try (TestDatabase db = TestPostgres.createDatabase("chain_twitter")) {
      reset(dir, db);
      MigrationResult expand = migrator(dir, db).upgrade("head", PhaseMode.EXPAND);
      assertNull(expand.heldBack(), "both revisions expand in one go");
      assertEquals(
          List.of("expanded", "expanded"),
          expand.applied().stream().map(AppliedRevision::state).toList());
      // The old application still writes twitter, and its rows get a display name.
      db.execute("UPDATE author SET twitter = '@new' WHERE id = 3");
      db.execute("INSERT INTO author (name, twitter) VALUES ('late', '@late')");
      assertEquals("late (301)", db.scalar("SELECT display_name FROM author WHERE name = 'late'"));
      migrator(dir, db).upgrade("head", PhaseMode.CONTRACT);
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM information_schema.columns WHERE table_name = 'author'"
                  + " AND column_name = 'twitter'"));
      assertEquals("NO", nullable(db, "author", "display_name"));
      assertEquals("a3 (3)", db.scalar("SELECT display_name FROM author WHERE id = 3"));
    }
    Outcome o = both(dir);
    assertEquals(o.plain(), o.phased());
    assertEquals(1, o.rounds());
  }

  @Test
  void a_revision_that_reads_a_renamed_column_waits_for_the_rename_and_says_why() {
    MigrationFiles files = new MigrationFiles(dir);
    ChainCorpus.writeBase(files);
    files.yaml(
        "renm0001",
        ChainCorpus.BASE,
        "lint: {ignore: [rename]}\n",
        "  - op: rename_column\n    table: book\n    from: title\n    to: name\n");
    files.yaml(
        "lowr0002",
        "renm0001",
        "  - op: add_column\n    table: book\n"
            + "    column: {name: slug, type: text, nullable: false}\n"
            + "    backfill: \"lower(name)\"\n");
    try (TestDatabase db = TestPostgres.createDatabase("chain_rename")) {
      reset(dir, db);
      MigrationResult expand = migrator(dir, db).upgrade("head", PhaseMode.EXPAND);
      assertNotNull(expand.heldBack(), "the second revision waits");
      assertTrue(
          expand.heldBack().contains("lowr0002")
              && expand.heldBack().contains("waits for the contract of renm0001")
              && expand.heldBack().contains("book.name")
              && expand.heldBack().contains("--phase contract"),
          expand.heldBack());
      assertEquals(
          List.of("renm0001"), expand.applied().stream().map(AppliedRevision::revision).toList());
      assertEquals(
          0,
          db.count(
              "SELECT count(*) FROM information_schema.columns WHERE table_name = 'book'"
                  + " AND table_schema = 'public' AND column_name IN ('slug', 'name')"),
          "nothing of the waiting revision ran, and the rename waits for contract");
    }
    Outcome o = both(dir);
    assertEquals(o.plain(), o.phased());
    assertEquals(2, o.rounds());
  }

  @Test
  void
      generated_chains_of_every_operation_reach_the_same_schema_expanded_first_as_applied_in_order()
          throws IOException {
    List<ChainCorpus.Chain> corpus = ChainCorpus.generate(20261202L, 32);
    Set<String> kinds = new LinkedHashSet<>();
    corpus.forEach(c -> kinds.addAll(c.kinds()));
    assertEquals(Set.copyOf(ChainCorpus.kinds()), kinds, "every kind of operation is exercised");
    int split = 0;
    for (ChainCorpus.Chain chain : corpus) {
      Path chainDir = dir.resolve(chain.name());
      Files.createDirectories(chainDir);
      List<String> ids = chain.write(new MigrationFiles(chainDir));
      RevisionGraph graph = MigrationDirectory.load(chainDir);
      List<Migration> revisions = ids.stream().map(graph::get).toList();
      int waves = ExpandOrder.waves(revisions).size();
      Outcome o = both(chainDir);
      String what = chain.name() + " " + chain.revisions() + " held back: " + o.heldBack();
      assertEquals(o.plain(), o.phased(), what);
      assertEquals(waves, o.rounds(), "the engine stops where the plan cuts the chain: " + what);
      split += waves > 1 ? 1 : 0;
    }
    assertTrue(split > 0, "some chains need a contract before their next revision");
    assertTrue(split < corpus.size(), "most chains expand whole");
  }

  private static String nullable(TestDatabase db, String table, String column) {
    return db.scalar(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = '"
            + table
            + "' AND column_name = '"
            + column
            + "'");
  }
}
