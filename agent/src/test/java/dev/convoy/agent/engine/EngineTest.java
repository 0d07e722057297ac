package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.lock.LockHolder;
import dev.convoy.agent.state.Who;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.Poll;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineTest {
  @TempDir Path dir;

  private Migrator migrator(TestDatabase db, MigrationListener listener) {
    return new Migrator(
        Engines.VERTX,
        new EngineConfig(new DatabaseUrl(db.url()), "convoy", Duration.ofSeconds(2), Who.local()),
        MigrationDirectory.load(dir),
        listener);
  }

  private Migrator migrator(TestDatabase db) {
    return migrator(db, MigrationListener.SILENT);
  }

  @Test
  void a_failing_revision_is_rolled_back_and_the_error_names_file_operation_statement_and_sqlstate()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "aaaa1",
        null,
        "  - op: create_table\n    table: author\n    columns: [{name: id, type: int, primary_key: true}]\n");
    files.yaml(
        "bbbb2",
        "aaaa1",
        "  - op: create_table\n    table: book\n    columns: [{name: id, type: int}]\n"
            + "  - op: add_column\n    table: author\n    column: {name: id, type: int}\n");
    try (TestDatabase db = TestPostgres.createDatabase("failing")) {
      MigrationFailedException e =
          assertThrows(MigrationFailedException.class, () -> migrator(db).upgrade("head"));
      assertEquals("bbbb2", e.revision());
      assertEquals("42701", e.sqlState());
      assertTrue(e.getMessage().contains("versions/bbbb2.yaml"), e.getMessage());
      assertTrue(e.getMessage().contains("add_column author.id (operation 2 of 2"), e.getMessage());
      assertTrue(
          e.getMessage().contains("ALTER TABLE \"author\" ADD COLUMN \"id\" int"), e.getMessage());
      assertTrue(e.getMessage().contains("still at aaaa1"), e.getMessage());
      assertEquals(ErrorCode.MIGRATION_FAILED.exitCode(), e.code().exitCode());
      assertEquals("aaaa1", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
      assertNull(
          db.scalar("SELECT to_regclass('public.book')"), "book rolled back with its revision");
      assertEquals(
          1,
          db.count("SELECT count(*) FROM convoy.history WHERE revision = 'bbbb2' AND NOT success"));
    }
  }

  @Test
  void a_revision_failing_mid_run_keeps_those_before_it_and_none_after_it() throws Exception {
    // Plain revisions are sent as one pipeline: a failure must stop the ones queued behind it.
    MigrationFiles files = new MigrationFiles(dir);
    String down = null;
    for (int i = 1; i <= 6; i++) {
      String id = "mid" + i;
      files.sql(
          id,
          down,
          "CREATE TABLE t"
              + i
              + " (id int PRIMARY KEY);"
              + (i == 4 ? " INSERT INTO t4 VALUES (1), (1);" : ""),
          "DROP TABLE t" + i + ";");
      down = id;
    }
    List<String> heard = new CopyOnWriteArrayList<>();
    MigrationListener listener =
        new MigrationListener() {
          @Override
          public void finished(
              dev.convoy.migration.Migration m, Direction direction, Duration took) {
            heard.add(m.revision());
          }
        };
    try (TestDatabase db = TestPostgres.createDatabase("midrun")) {
      MigrationFailedException e =
          assertThrows(
              MigrationFailedException.class, () -> migrator(db, listener).upgrade("head"));
      assertEquals("mid4", e.revision());
      assertEquals("23505", e.sqlState());
      assertTrue(e.getMessage().contains("still at mid3"), e.getMessage());
      assertEquals(List.of("mid1", "mid2", "mid3"), heard);
      assertEquals("mid3", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
      assertEquals(
          "t1,t2,t3",
          db.scalar(
              "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables"
                  + " WHERE schemaname = 'public'"));
      assertEquals(
          "mid1:true,mid2:true,mid3:true,mid4:false",
          db.scalar(
              "SELECT string_agg(revision || ':' || success, ',' ORDER BY id)"
                  + " FROM convoy.history"));

      // Fixed, the run goes on from there.
      files.sql("mid4", "mid3", "CREATE TABLE t4 (id int PRIMARY KEY);", "DROP TABLE t4;");
      MigrationResult r = migrator(db).upgrade("head");
      assertEquals(List.of("mid6"), r.to());
      assertEquals(3, r.applied().size());
    }
  }

  @Test
  void a_command_of_an_older_coordinator_epoch_commits_nothing() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.sql("fence001", null, "CREATE TABLE a (id int);", "DROP TABLE a;");
    files.sql("fence002", "fence001", "CREATE TABLE b (id int);", "DROP TABLE b;");
    try (TestDatabase db = TestPostgres.createDatabase("fence")) {
      Who newer = new Who("host", 1, "agent-1", 7L, "plan-new");
      new Migrator(
              Engines.VERTX,
              new EngineConfig(new DatabaseUrl(db.url()), "convoy", Duration.ofSeconds(2), newer),
              MigrationDirectory.load(dir),
              MigrationListener.SILENT)
          .upgrade("fence001");
      assertEquals("7", db.scalar("SELECT epoch::text FROM convoy.fence"));
      Who stale = new Who("host", 2, "agent-2", 6L, "plan-old");
      MigrationFailedException e =
          assertThrows(
              MigrationFailedException.class,
              () ->
                  new Migrator(
                          Engines.VERTX,
                          new EngineConfig(
                              new DatabaseUrl(db.url()), "convoy", Duration.ofSeconds(2), stale),
                          MigrationDirectory.load(dir),
                          MigrationListener.SILENT)
                      .upgrade("head"));
      assertTrue(e.getMessage().contains("stale coordinator: epoch 6"), e.getMessage());
      assertEquals("fence001", db.scalar("SELECT string_agg(revision, ',') FROM convoy.version"));
      assertNull(db.scalar("SELECT to_regclass('public.b')::text"), "nothing committed");
      assertEquals("7", db.scalar("SELECT epoch::text FROM convoy.fence"));
    }
  }

  @Test
  void every_typed_operation_applies_and_its_derived_downgrade_undoes_it() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    Path first =
        files.yaml(
            "ops00001",
            null,
            """
          - op: create_table
            table: author
            columns:
              - {name: id, type: bigint, primary_key: true}
              - {name: name, type: text, nullable: false}
              - {name: nick, type: text}
          - op: add_column
            table: author
            column: {name: rating, type: int, nullable: false, default: "0"}
          - op: rename_column
            table: author
            from: nick
            to: alias
          - op: create_index
            table: author
            columns: [name]
          - op: create_table
            table: scratch
            columns: [{name: id, type: int}]
        """);
    // The rename is deliberate here: this test exercises every typed operation.
    Files.writeString(
        first,
        Files.readString(first).replace("operations:", "lint: {ignore: [rename]}\noperations:"));
    files.yaml(
        "ops00002",
        "ops00001",
        """
          - op: drop_column
            table: author
            column: {name: alias, type: text}
          - op: drop_index
            name: ix_author_name
            table: author
            columns: [name]
          - op: drop_table
            table: scratch
            columns: [{name: id, type: int}]
          - op: sql
            up: INSERT INTO author (id, name) VALUES (1, 'Ann')
            down: DELETE FROM author WHERE id = 1
        """);
    try (TestDatabase db = TestPostgres.createDatabase("ops")) {
      Migrator m = migrator(db);
      m.upgrade("ops00001");
      assertEquals(
          "0",
          db.scalar(
              "SELECT column_default FROM information_schema.columns WHERE table_name = 'author' AND column_name = 'rating'"));
      assertEquals(
          "alias",
          db.scalar(
              "SELECT column_name FROM information_schema.columns WHERE table_name = 'author' AND column_name IN ('nick', 'alias')"));
      assertEquals(
          "true",
          db.scalar(
              "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_author_name'::regclass"));
      m.upgrade("head");
      assertNull(db.scalar("SELECT to_regclass('public.scratch')"));
      assertNull(db.scalar("SELECT to_regclass('public.ix_author_name')"));
      assertEquals("Ann", db.scalar("SELECT name FROM author"));
      m.downgrade("ops00001", false);
      assertEquals("scratch", db.scalar("SELECT to_regclass('public.scratch')::text"));
      assertEquals(
          "ix_author_name", db.scalar("SELECT to_regclass('public.ix_author_name')::text"));
      assertEquals(0, db.count("SELECT count(*) FROM author"));
      m.downgrade("base", false);
      assertNull(db.scalar("SELECT to_regclass('public.author')"));
      assertEquals(0, db.count("SELECT count(*) FROM convoy.version"));
    }
  }

  @Test
  void a_downgrade_that_would_drop_data_is_refused_with_the_row_count_unless_allowed() {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "data0001",
        null,
        "  - op: create_table\n    table: author\n    columns: [{name: id, type: int}]\n"
            + "  - op: sql\n    up: INSERT INTO author SELECT generate_series(1, 42)\n    down: SELECT 1\n");
    try (TestDatabase db = TestPostgres.createDatabase("dataloss")) {
      Migrator m = migrator(db);
      m.upgrade("head");
      ConvoyException e = assertThrows(ConvoyException.class, () -> m.downgrade("base", false));
      assertEquals(ErrorCode.DATA_LOSS_REFUSED, e.code());
      assertTrue(e.getMessage().contains("table author, losing 42 rows"), e.getMessage());
      assertTrue(e.getMessage().contains("--allow-data-loss"), e.getMessage());
      assertEquals(42, db.count("SELECT count(*) FROM author"), "nothing dropped");
      m.downgrade("base", true);
      assertNull(db.scalar("SELECT to_regclass('public.author')"));
    }
  }

  @Test
  void a_waiting_instance_hears_who_holds_the_lock_and_proceeds_once_it_is_released()
      throws Exception {
    new MigrationFiles(dir).chain(3);
    try (TestDatabase db = TestPostgres.createDatabase("lockwait")) {
      PgConnectOptions holderOptions = PgConnectOptions.fromUri(db.url());
      holderOptions.addProperty("application_name", "deploy-job-7");
      PgConnection holder = PgConnection.connect(Engines.VERTX, holderOptions).await();
      holder
          .query("SELECT pg_advisory_lock(x'436F6E76'::int, hashtext('convoy'))")
          .execute()
          .await();
      List<LockHolder> heard = new CopyOnWriteArrayList<>();
      MigrationListener listener =
          new MigrationListener() {
            @Override
            public void waitingForLock(LockHolder h) {
              heard.add(h);
            }
          };
      CompletableFuture<MigrationResult> run =
          CompletableFuture.supplyAsync(() -> migrator(db, listener).upgrade("head"));
      Poll.until(Duration.ofSeconds(60), "the waiter to report the holder", () -> !heard.isEmpty());
      assertEquals(holder.processId(), heard.get(0).pid());
      assertEquals("deploy-job-7", heard.get(0).applicationName());
      assertTrue(heard.get(0).since() != null);
      assertFalse(run.isDone(), "nothing applied while the lock is held");
      assertEquals(0, db.count("SELECT count(*) FROM pg_tables WHERE tablename = 't0001'"));
      holder.close().await();
      MigrationResult r = run.get(60, TimeUnit.SECONDS);
      assertEquals(3, r.applied().size());
      assertEquals(List.of("r0003"), r.to());
    }
  }

  @Test
  void a_revision_with_a_concurrent_index_runs_outside_a_transaction_and_rebuilds_an_invalid_index()
      throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.yaml(
        "idx00001",
        null,
        "  - op: create_table\n    table: author\n    columns: [{name: id, type: int}, {name: name, type: text}]\n");
    files.yaml(
        "idx00002",
        "idx00001",
        "  - op: create_index\n    table: author\n    columns: [name]\n    unique: true\n");
    try (TestDatabase db = TestPostgres.createDatabase("index")) {
      Migrator m = migrator(db);
      m.upgrade("idx00001");
      // Duplicates make the unique build fail; the failed revision is undone, including the
      // INVALID index the failed concurrent build leaves behind.
      db.execute("INSERT INTO author VALUES (1, 'dup'), (2, 'dup')");
      MigrationFailedException e =
          assertThrows(MigrationFailedException.class, () -> m.upgrade("head"));
      assertEquals("23505", e.sqlState());
      assertTrue(e.getMessage().contains("were undone"), e.getMessage());
      assertNull(db.scalar("SELECT to_regclass('uq_author_name')"));
      // A process killed during CREATE INDEX CONCURRENTLY leaves the index INVALID and no undo:
      // the next run drops it and builds it again.
      db.execute("DELETE FROM author WHERE id = 2");
      db.execute("CREATE UNIQUE INDEX uq_author_name ON author (name)");
      db.execute(
          "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'uq_author_name'::regclass");
      MigrationResult r = m.upgrade("head");
      assertEquals(List.of("idx00002"), r.to());
      assertEquals(
          "true",
          db.scalar(
              "SELECT indisvalid FROM pg_index WHERE indexrelid = 'uq_author_name'::regclass"));
      assertFalse(MigrationDirectory.load(dir).get("idx00002").transactional());
    }
  }

  @Test
  void an_edited_applied_file_blocks_upgrade_until_it_is_reverted_or_stamped() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    Path f = files.sql("edit0001", null, "CREATE TABLE a (id int);", "DROP TABLE a;");
    files.sql("edit0002", "edit0001", "CREATE TABLE b (id int);", "DROP TABLE b;");
    try (TestDatabase db = TestPostgres.createDatabase("checksum")) {
      migrator(db).upgrade("edit0001");
      String original = Files.readString(f);
      Files.writeString(
          f, original.replace("CREATE TABLE a (id int);", "CREATE TABLE a (id bigint);"));
      ConvoyException e = assertThrows(ConvoyException.class, () -> migrator(db).upgrade("head"));
      assertEquals(ErrorCode.CHECKSUM_MISMATCH, e.code());
      String recorded =
          db.scalar("SELECT checksum FROM convoy.history WHERE revision = 'edit0001'");
      assertTrue(e.getMessage().contains("versions/edit0001.sql"), e.getMessage());
      assertTrue(e.getMessage().contains(recorded), e.getMessage());
      assertTrue(e.getMessage().contains(MigrationDirectory.load(dir).get("edit0001").checksum()));
      assertTrue(e.getMessage().contains("convoy stamp edit0001'"), e.getMessage());
      assertNull(db.scalar("SELECT to_regclass('public.b')"), "nothing applied");
      migrator(db).stamp("edit0001", false);
      assertEquals(List.of("edit0002"), migrator(db).upgrade("head").to());
    }
  }

  @Test
  void stamp_records_revisions_without_running_them_and_purge_clears_unknown_ones() {
    new MigrationFiles(dir).chain(3);
    try (TestDatabase db = TestPostgres.createDatabase("stamp")) {
      MigrationResult r = migrator(db).stamp("r0002", false);
      assertEquals(List.of("r0002"), r.to());
      assertNull(db.scalar("SELECT to_regclass('public.t0001')"), "stamp runs nothing");
      assertEquals(2, db.count("SELECT count(*) FROM convoy.history WHERE direction = 'stamp'"));
      assertEquals(List.of("r0003"), migrator(db).upgrade("head").to());
      assertEquals("t0003", db.scalar("SELECT to_regclass('public.t0003')::text"));
      db.execute("UPDATE convoy.version SET revision = 'gone0001'");
      ConvoyException e = assertThrows(ConvoyException.class, () -> migrator(db).upgrade("head"));
      assertEquals(ErrorCode.UNKNOWN_APPLIED_REVISION, e.code());
      assertTrue(e.getMessage().contains("gone0001"), e.getMessage());
      assertEquals(List.of("r0003"), migrator(db).stamp("head", true).to());
    }
  }

  @Test
  void a_bad_migrations_directory_touches_no_database() throws Exception {
    MigrationFiles files = new MigrationFiles(dir);
    files.write("broken.yaml", "revision: [unclosed\n");
    try (TestDatabase db = TestPostgres.createDatabase("baddir")) {
      assertThrows(
          ConvoyException.class,
          () -> dev.convoy.Convoy.configure().url(db.url()).migrations(dir).load().upgrade("head"));
      assertEquals("true", db.scalar("SELECT to_regnamespace('convoy') IS NULL"));
    }
  }

  @Test
  void state_written_before_the_expanded_table_existed_is_read_and_completed() {
    new MigrationFiles(dir).chain(2);
    try (TestDatabase db = TestPostgres.createDatabase("oldstate")) {
      migrator(db).upgrade("r0001");
      db.execute("DROP TABLE convoy.expanded");
      assertEquals(List.of("r0002"), migrator(db).upgrade("head").to());
      assertEquals(
          2, db.count("SELECT count(*) FROM pg_tables WHERE tablename IN ('t0001', 't0002')"));
      assertEquals("true", db.scalar("SELECT to_regclass('convoy.expanded') IS NOT NULL"));
    }
  }
}
