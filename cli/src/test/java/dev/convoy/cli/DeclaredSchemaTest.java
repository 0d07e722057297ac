package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.schema.DeclaredSchema;
import dev.convoy.agent.schema.ScratchDatabase;
import dev.convoy.agent.schema.ScratchSchemas;
import dev.convoy.agent.state.Who;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.schema.Schema;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The declared schema: where it is read from, how its errors read, and the scratch it uses. */
class DeclaredSchemaTest {
  @TempDir Path root;

  private Path dir() throws Exception {
    return Files.createDirectories(root.resolve("migrations"));
  }

  private static ScratchSchemas scratches(TestDatabase target) {
    DatabaseUrl url = new DatabaseUrl(target.url());
    return new ScratchSchemas(
        () -> {
          throw new IllegalStateException("no migrations run here");
        },
        url,
        new EngineConfig(url, "convoy", EngineConfig.DEFAULT_LOCK_TIMEOUT, Who.local()));
  }

  /** Scratch databases made for {@code target} that still exist. */
  static long scratchesLeft(TestDatabase target) {
    return Long.parseLong(
        TestPostgres.scalar(
            TestPostgres.serverUrl(),
            "SELECT count(*) FROM pg_database d WHERE d.datname LIKE 'convoy\\_scratch\\_%'"
                + " AND shobj_description(d.oid, 'pg_database') LIKE '%for "
                + target.name()
                + "%'"));
  }

  @Test
  void the_schema_files_run_in_name_order_in_a_scratch_database_that_is_dropped_afterwards()
      throws Exception {
    Path schema = Files.createDirectories(dir().resolve("schema"));
    Files.writeString(
        schema.resolve("02_book.sql"), "CREATE TABLE book (id int REFERENCES author);");
    Files.writeString(schema.resolve("01_author.sql"), "CREATE TABLE author (id int PRIMARY KEY);");
    Files.writeString(schema.resolve("notes.txt"), "not SQL");
    try (TestDatabase target = TestPostgres.createDatabase("decl_files")) {
      DeclaredSchema declared = DeclaredSchema.load(dir(), null);
      assertEquals(dir().resolve("schema") + "/*.sql (2 files)", declared.origin());
      Schema s = scratches(target).declared(declared);
      assertEquals(List.of("author", "book"), List.copyOf(s.sortedTables().keySet()));
      assertEquals(0, scratchesLeft(target));
    }
  }

  @Test
  void bad_sql_names_the_file_and_line_and_the_scratch_database_is_dropped_anyway()
      throws Exception {
    Path schema = Files.createDirectories(dir().resolve("schema"));
    Files.writeString(
        schema.resolve("app.sql"),
        """
        -- authors
        CREATE TABLE author (id int PRIMARY KEY);

        CREATE TABLE book (
          id int PRIMARY KEY,
          author_id int REFERENCS author (id)
        );
        """);
    try (TestDatabase target = TestPostgres.createDatabase("decl_bad")) {
      ConvoyException e =
          assertThrows(
              ConvoyException.class,
              () -> scratches(target).declared(DeclaredSchema.load(dir(), null)));
      assertEquals(ErrorCode.BAD_INPUT, e.code());
      assertTrue(
          e.getMessage()
              .startsWith(schema.resolve("app.sql") + ":6: syntax error at or near \"REFERENCS\""),
          e.getMessage());
      assertEquals(0, scratchesLeft(target));
    }
  }

  @Test
  void an_error_without_a_position_names_the_statements_first_line() throws Exception {
    Path schema = Files.createDirectories(dir().resolve("schema"));
    Files.writeString(
        schema.resolve("app.sql"),
        "CREATE TABLE a (id int PRIMARY KEY);\n\n\nCREATE TABLE b (x int,\n  FOREIGN KEY (y) REFERENCES a);\n");
    try (TestDatabase target = TestPostgres.createDatabase("decl_nopos")) {
      ConvoyException e =
          assertThrows(
              ConvoyException.class,
              () -> scratches(target).declared(DeclaredSchema.load(dir(), null)));
      assertTrue(e.getMessage().startsWith(schema.resolve("app.sql") + ":4: "), e.getMessage());
    }
  }

  @Test
  void a_schema_command_prints_the_ddl_and_runs_beside_the_migrations_directory() throws Exception {
    Files.writeString(root.resolve("models.sql"), "CREATE TABLE author (id int PRIMARY KEY);");
    try (TestDatabase target = TestPostgres.createDatabase("decl_cmd")) {
      Schema s = scratches(target).declared(DeclaredSchema.load(dir(), "cat models.sql"));
      assertEquals(List.of("author"), List.copyOf(s.tables().keySet()));
    }
  }

  @Test
  void a_failing_schema_command_is_named_with_the_end_of_what_it_said() throws Exception {
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                DeclaredSchema.load(
                    dir(), "echo starting >&2; echo 'no module named app' >&2; exit 3"));
    assertEquals(ErrorCode.BAD_INPUT, e.code());
    assertTrue(e.getMessage().startsWith("schema-command 'echo starting >&2;"), e.getMessage());
    assertTrue(e.getMessage().contains("failed (exit 3"), e.getMessage());
    assertTrue(e.getMessage().contains("starting | no module named app"), e.getMessage());
    ConvoyException silent =
        assertThrows(ConvoyException.class, () -> DeclaredSchema.load(dir(), "true"));
    assertTrue(silent.getMessage().contains("printed nothing"), silent.getMessage());
  }

  @Test
  void nothing_declared_says_how_to_declare_it() throws Exception {
    Files.createDirectories(dir().resolve("schema"));
    assertTrue(!DeclaredSchema.isDeclared(dir(), null));
    ConvoyException e = assertThrows(ConvoyException.class, () -> DeclaredSchema.load(dir(), " "));
    assertTrue(e.getMessage().startsWith("no declared schema to compare with"), e.getMessage());
    assertTrue(e.getMessage().contains("schema-command"), e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void a_declared_schema_that_creates_the_state_schema_is_refused() throws Exception {
    Path schema = Files.createDirectories(dir().resolve("schema"));
    Files.writeString(
        schema.resolve("app.sql"), "CREATE SCHEMA convoy; CREATE TABLE convoy.t (id int);");
    try (TestDatabase target = TestPostgres.createDatabase("decl_state")) {
      ConvoyException e =
          assertThrows(
              ConvoyException.class,
              () -> scratches(target).declared(DeclaredSchema.load(dir(), null)));
      assertTrue(e.getMessage().contains("creates schema 'convoy'"), e.getMessage());
      assertEquals(0, scratchesLeft(target));
    }
  }

  @Test
  void a_scratch_database_left_by_a_killed_run_is_dropped_by_the_next_one_after_an_hour() {
    long twoHoursAgo = java.time.Instant.now().getEpochSecond() - 7200;
    String old = "convoy_scratch_" + twoHoursAgo + "_" + Long.toHexString(System.nanoTime());
    String recent =
        "convoy_scratch_"
            + java.time.Instant.now().getEpochSecond()
            + "_"
            + Long.toHexString(System.nanoTime());
    TestPostgres.execute("CREATE DATABASE " + old);
    TestPostgres.execute("CREATE DATABASE " + recent);
    try {
      try (ScratchDatabase s =
          ScratchDatabase.create(new DatabaseUrl(TestPostgres.serverUrl()), "test")) {
        assertTrue(s.name().matches("convoy_scratch_[0-9]+_[0-9a-f]{8}"), s.name());
      }
      String exists = "SELECT count(*) FROM pg_database WHERE datname = '%s'";
      assertEquals("0", TestPostgres.scalar(TestPostgres.serverUrl(), exists.formatted(old)));
      assertEquals("1", TestPostgres.scalar(TestPostgres.serverUrl(), exists.formatted(recent)));
    } finally {
      TestPostgres.execute("DROP DATABASE IF EXISTS " + old);
      TestPostgres.execute("DROP DATABASE IF EXISTS " + recent);
    }
  }

  @Test
  void a_role_that_may_not_create_databases_is_told_to_use_dev_url() {
    String role = "convoy_nocreate_" + Long.toHexString(System.nanoTime());
    TestPostgres.execute("CREATE ROLE " + role + " LOGIN NOCREATEDB");
    try {
      String url = TestPostgres.serverUrl().replaceFirst("//[^@/]+@", "//" + role + "@");
      ConvoyException e =
          assertThrows(
              ConvoyException.class,
              () -> ScratchDatabase.create(new DatabaseUrl(url), "test").close());
      assertTrue(
          e.getMessage().contains("the role '" + role + "' may not create databases there"),
          e.getMessage());
      assertTrue(e.getMessage().contains("use --dev-url postgresql://"), e.getMessage());
    } finally {
      TestPostgres.execute("DROP ROLE IF EXISTS " + role);
    }
  }

  @Test
  void sql_that_reaches_past_the_scratch_database_is_refused_before_anything_runs()
      throws Exception {
    String role = "convoy_guard_" + Long.toHexString(System.nanoTime());
    String victim = "convoy_guard_db_" + Long.toHexString(System.nanoTime());
    TestPostgres.execute("CREATE DATABASE " + victim);
    try {
      String[][] cases = {
        {"DROP DATABASE " + victim + ";", "1: DROP DATABASE"},
        {
          "CREATE TABLE a (id int);\n/* c */ -- x\n  create role " + role + " LOGIN;",
          "3: CREATE ROLE"
        },
        {"CREATE TABLE a (id int);\nCOPY (select 1) TO PROGRAM 'touch /tmp/x';", "2: COPY"},
        {"ALTER /* hidden? */ SYSTEM SET work_mem = '1GB';", "1: ALTER SYSTEM"},
        {
          "CREATE TABLE a (id int);\n\\connect postgres\nDROP TABLE a;",
          "2: the psql command \\connect"
        },
        {"GRANT pg_read_server_files TO " + role + ";", "1: GRANT of a role"},
        {"SELECT pg_terminate_backend(pid) FROM pg_stat_activity;", "1: pg_terminate_backend()"},
        {
          "CREATE TABLE a (id int);\nDO $$\nBEGIN\n  CREATE ROLE " + role + ";\nEND $$;",
          "4: CREATE ROLE"
        },
        {"VACUUM;", "1: VACUUM"},
        {"CREATE TABLESPACE t LOCATION '/tmp';", "1: CREATE TABLESPACE"},
        {"ALTER DATABASE " + victim + " SET work_mem = '1GB';", "1: ALTER DATABASE"},
      };
      for (String[] c : cases) {
        Path schema = Files.createDirectories(dir().resolve("schema"));
        Files.writeString(schema.resolve("app.sql"), c[0]);
        ConvoyException e =
            assertThrows(ConvoyException.class, () -> DeclaredSchema.load(dir(), null), c[0]);
        assertEquals(ErrorCode.BAD_INPUT, e.code());
        assertTrue(
            e.getMessage().startsWith(schema.resolve("app.sql") + ":" + c[1]), e.getMessage());
        assertTrue(
            e.getMessage()
                .endsWith(
                    " is not schema DDL; the declared schema may only describe this database's"
                        + " objects"),
            e.getMessage());
      }
      String exists = "SELECT count(*) FROM pg_database WHERE datname = '%s'";
      assertEquals("1", TestPostgres.scalar(TestPostgres.serverUrl(), exists.formatted(victim)));
      assertEquals(
          "0",
          TestPostgres.scalar(
              TestPostgres.serverUrl(),
              "SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"));
      ConvoyException cmd =
          assertThrows(
              ConvoyException.class,
              () -> DeclaredSchema.load(dir(), "echo 'CREATE TABLE a (id int); DROP DATABASE x;'"));
      assertTrue(
          cmd.getMessage().startsWith("schema-command 'echo 'CREATE TABLE a (id int); DROP"),
          cmd.getMessage());
      assertTrue(cmd.getMessage().contains(" output:1: DROP DATABASE is not"), cmd.getMessage());
    } finally {
      TestPostgres.execute("DROP DATABASE IF EXISTS " + victim);
      TestPostgres.execute("DROP ROLE IF EXISTS " + role);
    }
  }

  @Test
  void keywords_in_comments_strings_and_quoted_names_are_not_statements() throws Exception {
    Path schema = Files.createDirectories(dir().resolve("schema"));
    Files.writeString(
        schema.resolve("app.sql"),
        """
        -- DROP DATABASE app; then CREATE ROLE x
        /* COPY t TO PROGRAM 'x'; /* nested; VACUUM */ ; LOAD 'x' */
        CREATE TABLE "copy" (id int, "vacuum" text DEFAULT 'DROP DATABASE app; COPY x',
          note text DEFAULT E'it\\'s; COPY');
        COMMENT ON TABLE "copy" IS $$Copy of the data; Load it nightly$$;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $f$
        BEGIN
          NEW.note := 'load';
          RETURN NEW;
        END $f$;
        GRANT SELECT ON "copy" TO PUBLIC;
        """);
    try (TestDatabase target = TestPostgres.createDatabase("decl_guard_ok")) {
      Schema s = scratches(target).declared(DeclaredSchema.load(dir(), null));
      assertEquals(List.of("copy"), List.copyOf(s.tables().keySet()));
    }
  }

  /** Processes whose command line contains {@code marker}. */
  static long processesWith(String marker) {
    return ProcessHandle.allProcesses()
        .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
        .count();
  }

  @Test
  void a_schema_command_that_does_not_end_is_stopped_with_what_it_started() throws Exception {
    String sleep = "sleep 611." + (System.nanoTime() % 100000);
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                DeclaredSchema.load(
                    dir(),
                    sleep + "; echo 'CREATE TABLE a (id int);'",
                    java.time.Duration.ofSeconds(1)));
    assertEquals(ErrorCode.BAD_INPUT, e.code());
    assertTrue(
        e.getMessage().contains("' did not finish in 1.0 s and was stopped"), e.getMessage());
    assertTrue(e.getMessage().contains("--schema-command-timeout"), e.getMessage());
    dev.convoy.testkit.Poll.until(
        java.time.Duration.ofSeconds(30),
        "the command's sleep to be gone",
        () -> processesWith(sleep) == 0);
  }

  @Test
  void a_schema_command_printing_without_end_is_stopped_at_the_cap_not_out_of_memory()
      throws Exception {
    ConvoyException e =
        assertThrows(
            ConvoyException.class, () -> DeclaredSchema.load(dir(), "yes 'CREATE TABLE a ();'"));
    assertEquals(
        "schema-command 'yes 'CREATE TABLE a ();'' printed more than 64 MiB and was stopped; it"
            + " must print only the declared schema's DDL",
        e.getMessage());
  }
}
