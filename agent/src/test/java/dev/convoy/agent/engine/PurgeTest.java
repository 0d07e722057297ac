package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.MovingClock;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What purge drops (exactly the expired copies), and what a downgrade says after it. */
class PurgeTest {
  @TempDir Path dir;

  private final MovingClock clock = MovingClock.at(Instant.now());

  private EngineConfig config(TestDatabase db, Duration window) {
    return Engines.config(db, Duration.ofSeconds(2), 5, BackfillSettings.DEFAULTS)
        .withRevertWindow(window, clock);
  }

  private Migrator migrator(TestDatabase db, Duration window) {
    return Engines.migrator(dir, config(db, window), MigrationListener.SILENT);
  }

  @Test
  void purge_drops_exactly_the_expired_copies_and_a_later_downgrade_says_when() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "base0001",
        null,
        "  - op: create_table\n    table: author\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n"
            + "      - {name: a, type: text}\n      - {name: b, type: text}\n"
            + "  - op: create_table\n    table: tag\n    columns:\n"
            + "      - {name: id, type: bigint, primary_key: true}\n");
    files.yaml(
        "dropa002",
        "base0001",
        "  - op: drop_column\n    table: author\n    column: {name: a, type: text}\n"
            + "  - op: drop_table\n    table: tag\n    columns: [{name: id, type: bigint}]\n");
    files.yaml(
        "dropb003",
        "dropa002",
        "  - op: drop_column\n    table: author\n    column: {name: b, type: text}\n");
    try (TestDatabase db = TestPostgres.createDatabase("purge")) {
      migrator(db, Duration.ofDays(7)).upgrade("base0001");
      db.execute(
          "INSERT INTO author SELECT g, repeat('a', 100), 'b' FROM generate_series(1, 100) g;"
              + " INSERT INTO tag SELECT generate_series(1, 10)");
      migrator(db, Duration.ofDays(1)).upgrade("dropa002");
      migrator(db, Duration.ofDays(30)).upgrade("dropb003");

      List<HeldCopies.Copy> held = new HeldCopies(config(db, Duration.ofDays(7))).list();
      assertEquals(3, held.size());
      HeldCopies.Copy a =
          held.stream().filter(c -> "a".equals(c.held().column())).findFirst().get();
      assertEquals(100 * 101, a.size().bytes(), "pg_column_size of 100 values of 100 bytes");
      assertTrue(
          held.stream().anyMatch(c -> c.held().isTable() && c.size().bytes() > 0), "table size");

      clock.advance(Duration.ofDays(2));
      HeldCopies copies = new HeldCopies(config(db, Duration.ofDays(7)));
      assertEquals(
          2, copies.purge(HeldCopies.Selection.EXPIRED, true, MigrationListener.SILENT).size());
      assertEquals(3, copies.list().size(), "a dry run drops nothing");
      List<HeldCopies.Copy> purged =
          copies.purge(HeldCopies.Selection.EXPIRED, false, MigrationListener.SILENT);
      assertEquals(List.of("author.a", "tag"), purged.stream().map(c -> c.held().what()).toList());
      assertNull(db.scalar("SELECT to_regclass('tag__convoy_held')"));
      assertEquals(
          "b__convoy_held",
          db.scalar(
              "SELECT string_agg(attname, ',') FROM pg_attribute WHERE attrelid = 'author'::regclass"
                  + " AND attname LIKE '%convoy_held' AND NOT attisdropped"));
      assertEquals(2, db.count("SELECT count(*) FROM convoy.held WHERE purged_at IS NOT NULL"));

      migrator(db, Duration.ofDays(7)).downgrade("dropa002", false);
      assertEquals(100, db.count("SELECT count(b) FROM author"), "b, still held, came back");
      DataLossRefused e =
          assertThrows(
              DataLossRefused.class,
              () -> migrator(db, Duration.ofDays(7)).downgrade("base0001", false));
      assertTrue(
          e.getMessage().contains("column author.a with its data: its revert window was purged on"),
          e.getMessage());
      assertTrue(e.getMessage().contains("table tag with its data"), e.getMessage());
      migrator(db, Duration.ofDays(7)).downgrade("base0001", true);
      assertEquals(0, db.count("SELECT count(a) FROM author"));
      assertEquals("tag", db.scalar("SELECT to_regclass('tag')::text"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.held"));
    }
  }
}
