package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The old and the new application run side by side through a change, each on a real connection that
 * selects its version: the old one by search_path ({@code convoy version search-path}), the new one
 * by logging in as its version's role ({@code convoy version role}). Both write and read all the
 * time: through expand and backfill, a downgrade of the expanded revision and a second expand, and
 * contract.
 */
class SideBySideVersionsTest {
  @TempDir Path dir;

  private static final String BASE =
      "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL,"
          + " age int NOT NULL DEFAULT 0, bio text);"
          + " INSERT INTO author (name, age, bio) SELECT 'seed-' || g, g, 'bio ' || g"
          + " FROM generate_series(1, 2000) g;";

  private static final AppVersion.Shape OLD =
      new AppVersion.Shape(
          "INSERT INTO author (name, age, bio) VALUES (?, 7, 'old bio')",
          "UPDATE author SET age = age + 1 WHERE name = ?",
          "SELECT name FROM author WHERE name = ?");

  @Test
  void a_renamed_column_is_read_and_written_under_both_names_until_contract() throws Exception {
    sideBySide(
        "  - op: rename_column\n    table: author\n    from: name\n    to: full_name\n",
        new AppVersion.Shape(
            "INSERT INTO author (full_name, age, bio) VALUES (?, 8, 'new bio')",
            "UPDATE author SET age = age + 1 WHERE full_name = ?",
            "SELECT full_name FROM author WHERE full_name = ?"),
        true);
  }

  @Test
  void a_retyped_column_has_each_versions_type_and_writes_of_either_reach_the_other()
      throws Exception {
    Change c =
        sideBySide(
            "  - op: alter_column\n    table: author\n    column: age\n    type: bigint\n"
                + "    from_type: integer\n",
            new AppVersion.Shape(
                "INSERT INTO author (name, age, bio) VALUES (?, 9, 'new bio')",
                "UPDATE author SET age = age + 2 WHERE name = ?",
                "SELECT age::text FROM author WHERE name = ?"),
            false);
    assertEquals("bigint", c.typeSeenByNew);
    assertEquals("integer", c.typeSeenByOld);
  }

  @Test
  void a_dropped_column_stays_for_the_old_version_and_is_gone_for_the_new_one() throws Exception {
    sideBySide(
        "  - op: drop_column\n    table: author\n    column: {name: bio, type: text}\n",
        new AppVersion.Shape(
            "INSERT INTO author (name, age) VALUES (?, 8)",
            "UPDATE author SET age = age + 1 WHERE name = ?",
            "SELECT name FROM author WHERE name = ?"),
        true);
  }

  @Test
  void an_added_not_null_column_is_filled_for_the_old_versions_writes() throws Exception {
    sideBySide(
        "  - op: add_column\n    table: author\n"
            + "    column: {name: email, type: text, nullable: false}\n"
            + "    backfill: \"name || '@example.com'\"\n",
        new AppVersion.Shape(
            "INSERT INTO author (name, age, email) VALUES (?, 8, 'new@example.com')",
            "UPDATE author SET age = age + 1 WHERE name = ?",
            "SELECT email FROM author WHERE name = ?"),
        true);
  }

  @Test
  void a_renamed_table_is_there_under_both_names_until_contract() throws Exception {
    sideBySide(
        "  - op: rename_table\n    table: author\n    to: writer\n",
        new AppVersion.Shape(
            "INSERT INTO writer (name, age, bio) VALUES (?, 8, 'new bio')",
            "UPDATE writer SET age = age + 1 WHERE name = ?",
            "SELECT name FROM writer WHERE name = ?"),
        true);
  }

  @Test
  void contract_refuses_to_retire_a_version_schema_the_application_created_a_table_in()
      throws Exception {
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    String base = "base" + tag;
    String rev = "next" + tag;
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(base, null, BASE, "DROP TABLE author;");
    files.yaml(
        rev, base, "  - op: rename_column\n    table: author\n    from: name\n    to: full_name\n");
    try (TestDatabase db = TestPostgres.createDatabase("version_in_use")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", base).exits(0);
      convoy.run("upgrade", "head", "--phase", "expand").exits(0);
      String oldPath = convoy.run("version", "search-path", base).exits(0).out().strip();
      try (AppVersion old = AppVersion.connect(db.url(), "postgres", oldPath, OLD, "old")) {
        old.execute("CREATE TABLE jobs (id int); INSERT INTO jobs VALUES (1)");
      }
      convoy
          .run("upgrade", "head")
          .exits(1)
          .errContains("holds table jobs, which Convoy did not make", "It stays expanded");
      assertEquals("1", db.scalar("SELECT count(*) FROM convoy_v_" + base + ".jobs"));
      assertEquals(
          "1",
          db.scalar(
              "SELECT count(*) FROM information_schema.columns WHERE column_name = 'name'"
                  + " AND table_schema = 'public' AND table_name = 'author'"),
          "nothing of the contract ran");
      convoy.run("current").exits(0).outContains("expanded: contract pending");
      db.execute("ALTER TABLE convoy_v_" + base + ".jobs SET SCHEMA public");
      convoy.run("upgrade", "head").exits(0);
      assertEquals("1", db.scalar("SELECT count(*) FROM public.jobs"));
    }
  }

  @Test
  void three_versions_live_at_once_while_a_chain_of_two_revisions_is_in_flight() throws Exception {
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    String base = "base" + tag;
    String r1 = "rena" + tag;
    String r2 = "drop" + tag;
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(base, null, BASE, "DROP TABLE author;");
    files.yaml(
        r1, base, "  - op: rename_column\n    table: author\n    from: name\n    to: full_name\n");
    files.yaml(
        r2, r1, "  - op: drop_column\n    table: author\n    column: {name: bio, type: text}\n");
    try (TestDatabase db = TestPostgres.createDatabase("three_versions")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", base).exits(0);
      convoy.run("upgrade", "head", "--phase", "expand").exits(0);
      String[] paths = new String[3];
      String[] revs = {base, r1, r2};
      for (int i = 0; i < 3; i++) {
        paths[i] = convoy.run("version", "search-path", revs[i]).exits(0).out().strip();
      }
      try (AppVersion v0 = AppVersion.connect(db.url(), "postgres", paths[0], OLD, "v0");
          AppVersion v1 =
              AppVersion.connect(
                  db.url(),
                  "postgres",
                  paths[1],
                  new AppVersion.Shape(
                      "INSERT INTO author (full_name, age, bio) VALUES (?, 1, 'b1')",
                      "UPDATE author SET age = 2 WHERE full_name = ?",
                      "SELECT bio FROM author WHERE full_name = ?"),
                  "v1");
          AppVersion v2 =
              AppVersion.connect(
                  db.url(),
                  "postgres",
                  paths[2],
                  new AppVersion.Shape(
                      "INSERT INTO author (full_name, age) VALUES (?, 3)",
                      "UPDATE author SET age = 4 WHERE full_name = ?",
                      "SELECT full_name FROM author WHERE full_name = ?"),
                  "v2")) {
        assertEquals(
            List.of("id bigint", "name text", "age integer", "bio text"), columns(v0, "author"));
        assertEquals(
            List.of("id bigint", "full_name text", "age integer", "bio text"),
            columns(v1, "author"));
        assertEquals(List.of("id bigint", "full_name text", "age integer"), columns(v2, "author"));
        v0.insert("zero");
        v1.insert("one");
        v2.insert("two");
        assertEquals("one", v0.read("one"));
        assertEquals("b1", v1.read("one"));
        assertEquals("zero", v2.read("zero"));
        assertEquals("two", v0.read("two"));
        assertEquals("old bio", v1.read("zero"));

        convoy.run("upgrade", "head").exits(0);
        assertEquals(List.of("id bigint", "full_name text", "age integer"), columns(v2, "author"));
        assertEquals("zero", v2.read("zero"));
        assertEquals(
            "1",
            db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'convoy\\_v\\_%'"),
            "only the head's version is left");
      }
    }
  }

  /** What a run saw that a test checks beyond the common assertions. */
  private static final class Change {
    String typeSeenByNew;
    String typeSeenByOld;
  }

  private Change sideBySide(String operations, AppVersion.Shape newShape, boolean oldBreaks)
      throws Exception {
    String tag = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    String base = "base" + tag;
    String rev = "next" + tag;
    MigrationFiles files = new MigrationFiles(dir);
    files.sql(base, null, BASE, "DROP TABLE author;");
    files.yaml(rev, base, operations);
    Change seen = new Change();
    String role = "convoy_v_" + rev;
    try (TestDatabase db = TestPostgres.createDatabase("side_by_side")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      convoy.run("upgrade", base).exits(0);
      String oldPath = convoy.run("version", "search-path", base).exits(0).out().strip();
      try (AppVersion old = AppVersion.connect(db.url(), "postgres", oldPath, OLD, "old")) {
        List<String> shapeBefore = columns(old, "author");
        String rowBefore = row(old, "seed-1");
        old.start();
        old.advances(50);
        long expandStarted = System.nanoTime();
        convoy.run("upgrade", rev, "--phase", "expand").exits(0);
        old.advances(50);
        convoy.run("version", "role", rev, "--inherit", "postgres").exits(0).outContains(role);
        try (AppVersion neu = AppVersion.connect(db.url(), role, null, newShape, "new")) {
          neu.start();
          neu.advances(50);
          old.advances(50);

          // Each version's writes are visible to the other, in its own shape.
          old.insert("from-old");
          neu.insert("from-new");
          assertEquals("from-new", old.read("from-new"));
          assertNotNull(neu.read("from-old"), "the new version reads the old version's row");
          if (operations.contains("alter_column")) {
            seen.typeSeenByNew = neu.value("SELECT pg_typeof(age)::text FROM author LIMIT 1");
            seen.typeSeenByOld = old.value("SELECT pg_typeof(age)::text FROM author LIMIT 1");
            assertEquals("9", old.value("SELECT age FROM author WHERE name = 'from-new'"));
          }
          neu.stop();
          assertEquals(List.of(), neu.failures(), "the new version's statements before contract");

          // Going back from the expanded state leaves the old version exactly as it was.
          convoy.run("downgrade", base, "--allow-data-loss").exits(0);
          old.advances(50);
          assertEquals(shapeBefore, columns(old, "author"));
          assertEquals(rowBefore, row(old, "seed-1"));
          assertEquals("from-new", old.read("from-new"));
          assertEquals(List.of(), old.failures(), "the old version's statements before contract");

          convoy.run("upgrade", rev, "--phase", "expand").exits(0);
          neu.start();
          neu.advances(50);
          old.advances(50);
          long contractStarted = System.nanoTime();
          convoy.run("upgrade", rev).exits(0);
          neu.advances(50);
          old.advances(50);
          neu.stop();
          old.stop();
          assertEquals(List.of(), neu.failures(), "the new version's statements, all along");
          assertEquals(List.of(), old.failuresBefore(contractStarted), "old, before contract");
          assertTrue(expandStarted < contractStarted);
          if (oldBreaks) {
            assertFalse(old.failuresAfter(contractStarted).isEmpty(), "old fails after contract");
          }
          assertNotNull(neu.read("from-old"), "the new version reads the old rows after contract");
        }
      } finally {
        TestPostgres.execute("DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
        TestPostgres.execute("DROP ROLE IF EXISTS " + role);
      }
    }
    return seen;
  }

  /** The columns and types the version of {@code conn} sees in {@code table}. */
  private static List<String> columns(AppVersion conn, String table) throws Exception {
    String v =
        conn.value(
            "SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', '"
                + " ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = '"
                + table
                + "'::regclass AND a.attnum > 0 AND NOT a.attisdropped");
    return List.of(v.split(", "));
  }

  private static String row(AppVersion conn, String name) throws Exception {
    return conn.value("SELECT row(a.*)::text FROM author a WHERE name = '" + name + "'");
  }
}
