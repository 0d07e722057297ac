package dev.convoy.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CatalogDumpTest {
  /** Everything the round trip covers, declared in one go. */
  private static final String DECLARED =
      """
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE SEQUENCE ticket_no AS integer START 100 INCREMENT 5 CACHE 2;
      CREATE TABLE author (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name varchar(100) NOT NULL DEFAULT 'anon',
        handle text COLLATE "C" UNIQUE,
        born date,
        mood mood DEFAULT 'ok',
        name_len int GENERATED ALWAYS AS (length(name)) STORED,
        CONSTRAINT name_not_blank CHECK (name <> '')
      );
      CREATE TABLE book (
        id serial PRIMARY KEY,
        author_id bigint REFERENCES author (id) ON DELETE CASCADE ON UPDATE RESTRICT,
        title text NOT NULL,
        tags text[],
        UNIQUE (author_id, title)
      );
      CREATE INDEX book_title_lower ON book (lower(title)) WHERE title <> '';
      CREATE INDEX book_tags ON book USING gin (tags);
      COMMENT ON TABLE author IS 'who writes';
      COMMENT ON COLUMN book.title IS 'as printed';
      COMMENT ON INDEX book_tags IS 'tag search';
      """;

  /** The same schema reached another way: other column order, constraints and comments later. */
  private static final String REORDERED =
      """
      CREATE TABLE author (
        name_len int GENERATED ALWAYS AS (length(name)) STORED,
        mood mood,
        born text,
        handle text COLLATE "C",
        name varchar(100) NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY
      );
      ALTER TABLE author ALTER COLUMN born TYPE date USING born::date;
      ALTER TABLE author ALTER COLUMN name SET DEFAULT 'anon';
      ALTER TABLE author ALTER COLUMN mood SET DEFAULT 'ok';
      ALTER TABLE author ADD CONSTRAINT author_pkey PRIMARY KEY (id);
      CREATE UNIQUE INDEX author_handle_key ON author (handle);
      ALTER TABLE author ADD CONSTRAINT author_handle_key UNIQUE USING INDEX author_handle_key;
      ALTER TABLE author ADD CONSTRAINT name_not_blank CHECK (name <> '') NOT VALID;
      ALTER TABLE author VALIDATE CONSTRAINT name_not_blank;
      COMMENT ON TABLE author IS 'who writes';
      CREATE TABLE book (tags text[], title text, author_id bigint, id serial);
      ALTER TABLE book ALTER COLUMN title SET NOT NULL;
      ALTER TABLE book ADD PRIMARY KEY (id);
      ALTER TABLE book ADD CONSTRAINT book_author_id_title_key UNIQUE (author_id, title);
      ALTER TABLE book ADD CONSTRAINT book_author_id_fkey FOREIGN KEY (author_id)
        REFERENCES author (id) ON DELETE CASCADE ON UPDATE RESTRICT;
      CREATE INDEX book_tags ON book USING gin (tags);
      CREATE INDEX book_title_lower ON book (lower(title)) WHERE title <> '';
      COMMENT ON INDEX book_tags IS 'tag search';
      COMMENT ON COLUMN book.title IS 'as printed';
      CREATE SEQUENCE ticket_no AS integer START 100 INCREMENT 5 CACHE 2;
      """;

  @Test
  void two_databases_built_by_different_statement_orders_dump_equal() {
    try (TestDatabase a = TestPostgres.createDatabase("dump_a");
        TestDatabase b = TestPostgres.createDatabase("dump_b")) {
      a.execute(DECLARED);
      // A new enum value cannot be used in the transaction that added it: its own statement.
      b.execute("CREATE TYPE mood AS ENUM ('sad', 'happy')");
      b.execute("ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'");
      b.execute(REORDERED);
      String dump = CatalogDump.of(a);
      assertEquals("", CatalogDump.difference(dump, CatalogDump.of(b)));
      assertEquals(dump, CatalogDump.of(b));
      assertTrue(
          dump.contains(
              "column author.name character varying(100) not null default"
                  + " 'anon'::character varying"),
          dump);
      assertTrue(dump.contains("column author.id bigint not null identity always"), dump);
      assertTrue(dump.contains("generated always as (length((name)::text)) stored"), dump);
      assertTrue(dump.contains("column author.handle text collate \"C\""), dump);
      assertTrue(dump.contains("enum mood ('sad', 'ok', 'happy')"), dump);
      assertTrue(
          dump.contains(
              "constraint book book_author_id_fkey FOREIGN KEY (author_id) REFERENCES"
                  + " author(id) ON UPDATE RESTRICT ON DELETE CASCADE"),
          dump);
      assertTrue(
          dump.contains(
              "sequence ticket_no integer start 100 increment 5 min 1 max 2147483647 cache 2"),
          dump);
      assertTrue(dump.contains("sequence book_id_seq integer"), dump);
      assertTrue(dump.contains(" owned by book.id"), dump);
      assertTrue(dump.contains(" identity of author.id"), dump);
      assertTrue(
          dump.contains(
              "index CREATE INDEX book_tags ON public.book USING gin (tags) comment 'tag"
                  + " search'"),
          dump);
    }
  }

  @Test
  void a_differing_default_dumps_different_and_the_difference_names_the_column() {
    try (TestDatabase a = TestPostgres.createDatabase("dump_default_a");
        TestDatabase b = TestPostgres.createDatabase("dump_default_b")) {
      a.execute(DECLARED);
      b.execute(DECLARED + "ALTER TABLE author ALTER COLUMN name SET DEFAULT 'nobody';");
      String difference = CatalogDump.difference(CatalogDump.of(a), CatalogDump.of(b));
      assertEquals(
          "- column author.name character varying(100) not null default"
              + " 'anon'::character varying\n"
              + "+ column author.name character varying(100) not null default"
              + " 'nobody'::character varying",
          difference);
    }
  }

  @Test
  void validity_comments_enum_order_and_sequence_parameters_all_count() {
    try (TestDatabase a = TestPostgres.createDatabase("dump_kinds")) {
      a.execute(DECLARED);
      String before = CatalogDump.of(a);
      for (String change :
          new String[] {
            "ALTER TABLE author DROP CONSTRAINT name_not_blank;"
                + " ALTER TABLE author ADD CONSTRAINT name_not_blank CHECK (name <> '') NOT VALID",
            "COMMENT ON TABLE author IS 'who wrote'",
            "ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'",
            "ALTER SEQUENCE ticket_no INCREMENT 6",
            "ALTER TABLE book ALTER COLUMN tags SET DEFAULT '{}'",
            "ALTER TABLE author ALTER COLUMN id SET GENERATED BY DEFAULT",
          }) {
        a.execute(change);
        String after = CatalogDump.of(a);
        assertNotEquals(before, after, change);
        before = after;
      }
    }
  }

  @Test
  void the_state_schema_is_left_out_and_leftover_triggers_and_functions_show() {
    try (TestDatabase a = TestPostgres.createDatabase("dump_state");
        TestDatabase b = TestPostgres.createDatabase("dump_state_b")) {
      a.execute(DECLARED);
      b.execute(
          DECLARED
              + "CREATE SCHEMA convoy; CREATE TABLE convoy.version (revision text);"
              + " CREATE FUNCTION convoy.f() RETURNS int LANGUAGE sql AS 'SELECT 1';");
      assertEquals(CatalogDump.of(a), CatalogDump.of(b));

      b.execute(
          "CREATE FUNCTION fill_book_title() RETURNS trigger LANGUAGE plpgsql"
              + " AS $$ BEGIN RETURN NEW; END $$;"
              + " CREATE TRIGGER book_title_fill BEFORE INSERT ON book"
              + " FOR EACH ROW EXECUTE FUNCTION fill_book_title()");
      String difference = CatalogDump.difference(CatalogDump.of(a), CatalogDump.of(b));
      assertTrue(difference.contains("+ function fill_book_title() returns trigger"), difference);
      assertTrue(
          difference.contains("+ trigger CREATE TRIGGER book_title_fill BEFORE INSERT ON"),
          difference);
    }
  }

  @Test
  void other_schemas_are_dumped_with_their_names() {
    try (TestDatabase a = TestPostgres.createDatabase("dump_schemas")) {
      a.execute(
          "CREATE SCHEMA billing; CREATE TABLE billing.invoice (id int PRIMARY KEY);"
              + " COMMENT ON SCHEMA billing IS 'money'");
      String dump = CatalogDump.of(a);
      assertTrue(dump.contains("schema billing comment 'money'"), dump);
      assertTrue(dump.contains("table billing.invoice"), dump);
      assertTrue(dump.contains("column billing.invoice.id integer not null"), dump);
    }
  }
}
