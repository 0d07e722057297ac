package dev.convoy.agent.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.testkit.TestDatabase;

/** The tables type change tests widen, and what they read back from the catalog. */
final class TypeChangeFixture {
  /** The lock timeout the type change tests run with. */
  static final java.time.Duration LOCK_TIMEOUT = java.time.Duration.ofSeconds(2);

  /**
   * An engine over {@code dir} with the tests' lock timeout and small backfill batches, and no
   * revert window: these tests check that contract leaves nothing of the change behind
   * (TypeRevertTest covers keeping the old column).
   */
  static Migrator migrator(java.nio.file.Path dir, TestDatabase db, MigrationListener listener) {
    return Engines.migrator(
        dir,
        Engines.config(
                db, LOCK_TIMEOUT, 5, new BackfillSettings(java.time.Duration.ofMillis(20), 100, 0))
            .withRevertWindow(java.time.Duration.ZERO, java.time.Clock.systemUTC()),
        listener);
  }

  static final String TABLES = "('author'::regclass, 'book'::regclass, 'review'::regclass)";

  private TypeChangeFixture() {}

  /**
   * author.id (int) with a primary key, a deferrable unique constraint, a check (with a comment)
   * and an index; two foreign keys point at it; book's replica identity is an index on author_id.
   */
  static void schema(TestDatabase db, String idType) {
    schema(db, idType, 20000);
  }

  static void schema(TestDatabase db, String idType, int authors) {
    db.execute(
        "CREATE TABLE author (id "
            + idType
            + " PRIMARY KEY, code text NOT NULL DEFAULT md5(random()::text), name text NOT NULL,"
            + " CONSTRAINT author_code_id_key UNIQUE (code, id) DEFERRABLE INITIALLY DEFERRED,"
            + " CONSTRAINT author_id_check CHECK (id > 0));"
            + "COMMENT ON CONSTRAINT author_id_check ON author IS 'ids are positive';"
            + "CREATE INDEX author_id_name_ix ON author (id, name);"
            + "CREATE TABLE book (id serial PRIMARY KEY,"
            + " author_id int NOT NULL REFERENCES author (id) ON DELETE CASCADE, title text);"
            + "CREATE INDEX book_author_id_ix ON book (author_id);"
            + "CREATE UNIQUE INDEX book_author_id_id_key ON book (author_id, id);"
            + "ALTER TABLE book REPLICA IDENTITY USING INDEX book_author_id_id_key;"
            + "CREATE TABLE review (id serial PRIMARY KEY, author_id int REFERENCES author (id), stars int);"
            + ("INSERT INTO author (name) SELECT 'a' || g FROM generate_series(1, 20000) g;"
                    + "INSERT INTO book (author_id, title) SELECT 1 + g % 20000, 'b' || g FROM generate_series(1, 40000) g;"
                    + "INSERT INTO review (author_id, stars) SELECT 1 + g % 20000, g % 5 FROM generate_series(1, 20000) g;")
                .replace("20000", Integer.toString(authors))
                .replace("40000", Integer.toString(2 * authors))
            + "ANALYZE author, book, review");
  }

  static String alter(String table, String column) {
    return "  - op: alter_column\n    table: "
        + table
        + "\n    column: "
        + column
        + "\n    type: bigint\n    from_type: int\n";
  }

  /** Every index, constraint (with validation) and column default of the three tables. */
  static String catalog(TestDatabase db) {
    return db.scalar(
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
            + " SELECT pg_get_indexdef(indexrelid) || ' replident=' || indisreplident AS x"
            + "   FROM pg_index WHERE indrelid IN "
            + TABLES
            + " UNION ALL SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
            + "   || ' validated=' || convalidated FROM pg_constraint WHERE conrelid IN "
            + TABLES
            + " UNION ALL SELECT a.attrelid::regclass || '.' || a.attname || ' notnull=' || a.attnotnull"
            + "   || ' identity=' || a.attidentity::text || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')"
            + "   FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + "   WHERE a.attrelid IN "
            + TABLES
            + " AND a.attnum > 0 AND NOT a.attisdropped"
            + " UNION ALL SELECT 'sequence ' || pg_get_serial_sequence('author', 'id') || ' ' || seqstart"
            + "   || ' ' || seqincrement || ' ' || seqmin || ' ' || seqcache || ' ' || seqcycle FROM pg_sequence"
            + "   WHERE seqrelid = pg_get_serial_sequence('author', 'id')::regclass"
            + " UNION ALL SELECT 'comment ' || description FROM pg_description"
            + "   WHERE objoid IN (SELECT oid FROM pg_constraint WHERE conrelid IN "
            + TABLES
            + ")) s");
  }

  static String types(TestDatabase db) {
    return db.scalar(
        "SELECT string_agg(attrelid::regclass || '.' || attname || ' ' || format_type(atttypid, atttypmod), ', '"
            + " ORDER BY attrelid::regclass::text, attname) FROM pg_attribute"
            + " WHERE attrelid IN "
            + TABLES
            + " AND (attname = 'author_id' OR attrelid = 'author'::regclass AND attname = 'id')");
  }

  /** The seed rows' keys, summed: unchanged by the type change. */
  static String seedData(TestDatabase db) {
    return db.scalar(
        "SELECT (SELECT count(*) || '/' || sum(id) FROM author WHERE name LIKE 'a%') || ' '"
            + " || (SELECT count(*) || '/' || sum(author_id) FROM book WHERE title LIKE 'b%') || ' '"
            + " || (SELECT count(*) || '/' || sum(author_id) FROM review WHERE stars IS NOT NULL"
            + " AND id <= 20000)");
  }

  static void assertNothingLeftBehind(TestDatabase db) {
    assertEquals(
        0,
        db.count(
            "SELECT (SELECT count(*) FROM pg_attribute WHERE attname LIKE '%convoy%' AND NOT attisdropped"
                + "   AND attrelid IN "
                + TABLES
                + ") + (SELECT count(*) FROM pg_class WHERE relname LIKE 'convoy%')"
                + " + (SELECT count(*) FROM pg_description WHERE description LIKE 'convoy%'"
                + "   AND description NOT LIKE 'convoy:version %')"
                + " + (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'convoy%')"),
        "no shadow or old column, index copy, validation mark or sync trigger is left");
  }
}
