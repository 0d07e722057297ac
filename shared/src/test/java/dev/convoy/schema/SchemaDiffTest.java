package dev.convoy.schema;

import static dev.convoy.schema.Schemas.col;
import static dev.convoy.schema.Schemas.loadLintClean;
import static dev.convoy.schema.Schemas.notNull;
import static dev.convoy.schema.Schemas.schema;
import static dev.convoy.schema.Schemas.table;
import static dev.convoy.schema.Schemas.with;
import static dev.convoy.schema.Schemas.withComment;
import static dev.convoy.schema.Schemas.withDefault;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.ConvoyException;
import dev.convoy.migration.Migration;
import dev.convoy.ops.AddCheck;
import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AddForeignKey;
import dev.convoy.ops.AddUnique;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.ColumnSpec;
import dev.convoy.ops.CreateIndex;
import dev.convoy.ops.CreateTable;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropIndex;
import dev.convoy.ops.DropNotNull;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Phase;
import dev.convoy.ops.RawSql;
import dev.convoy.ops.RenameColumn;
import dev.convoy.ops.SetNotNull;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaDiffTest {
  @TempDir Path dir;

  private static List<Change> diff(Schema from, Schema to) {
    return SchemaDiff.between(from, to, Renames.none());
  }

  private List<Operation> ops(List<Change> changes) {
    return loadLintClean(dir, changes).operations();
  }

  private static Schema authors() {
    return schema(table("author").id().column(col("name", "text")));
  }

  @Test
  void equal_schemas_give_no_changes() {
    assertEquals(List.of(), diff(authors(), authors()));
    assertEquals(List.of(), diff(Schema.empty(), Schema.empty()));
  }

  @Test
  void a_new_table_is_create_table_with_its_primary_key_serial_and_identity_columns() {
    Column serialId = withDefault(notNull("id", "integer"), "nextval('book_id_seq'::regclass)");
    Column isbn = new Column("isbn", "bigint", true, null, "always", null, null, null);
    Column title = notNull("title", "character varying(200)");
    Schema to =
        with(
            schema(table("book").column(serialId).column(isbn).column(title).pk("book_pkey", "id")),
            new Sequence(
                "book_id_seq", "integer", 1, 1, 1, 2147483647L, 1, false, "book.id", null));
    List<Change> changes = diff(Schema.empty(), to);
    assertEquals(1, changes.size(), "the serial's sequence comes with the table");
    assertEquals("create table book (3 columns)", changes.get(0).summary());
    CreateTable t = (CreateTable) ops(changes).get(0);
    assertEquals("book", t.table());
    assertEquals(List.of("id"), t.primaryKey());
    assertEquals(new ColumnSpec("id", "serial", true, null, false), t.columns().get(0));
    assertEquals(
        new ColumnSpec("isbn", "bigint GENERATED ALWAYS AS IDENTITY", true, null, false),
        t.columns().get(1));
    assertEquals(
        new ColumnSpec("title", "character varying(200)", false, null, false), t.columns().get(2));
  }

  @Test
  void a_new_not_null_column_without_default_gets_the_backfill_placeholder_the_parser_refuses() {
    Schema to =
        schema(table("author").id().column(col("name", "text")).column(notNull("email", "text")));
    List<Change> changes = diff(authors(), to);
    assertEquals(
        "add column author.email (text, NOT NULL: fill in its backfill)", changes.get(0).summary());
    assertTrue(changes.get(0).yaml().contains(ColumnChanges.BACKFILL_PLACEHOLDER + "\n"));
    ConvoyException e = assertThrows(ConvoyException.class, () -> Schemas.load(dir, changes));
    int line =
        Schemas.file(changes).lines().toList().indexOf(ColumnChanges.BACKFILL_PLACEHOLDER) + 1;
    assertTrue(
        e.getMessage()
            .contains("versions/auto0001_auto.yaml:" + line + ": add_column author.email"),
        e.getMessage());
    assertTrue(e.getMessage().contains("placeholder"), e.getMessage());

    List<Change> filled =
        List.of(
            new Change(
                "",
                changes
                    .get(0)
                    .yaml()
                    .replace(ColumnChanges.BACKFILL_PLACEHOLDER, "    backfill: \"name || '@x'\""),
                false));
    AddColumn a = (AddColumn) ops(filled).get(0);
    assertEquals(new ColumnSpec("email", "text", false, null, false), a.column());
    assertEquals("name || '@x'", a.backfill());
  }

  @Test
  void a_nullable_or_defaulted_new_column_is_a_plain_add_column() {
    Schema to =
        schema(
            table("author")
                .id()
                .column(col("name", "text"))
                .column(col("bio", "text"))
                .column(withDefault(notNull("score", "integer"), "0")));
    List<Change> changes = diff(authors(), to);
    assertEquals(
        List.of("add column author.bio (text)", "add column author.score (integer)"),
        changes.stream().map(Change::summary).toList());
    List<Operation> ops = ops(changes);
    assertEquals(
        new ColumnSpec("bio", "text", true, null, false), ((AddColumn) ops.get(0)).column());
    assertEquals(
        new ColumnSpec("score", "integer", false, "0", false), ((AddColumn) ops.get(1)).column());
  }

  @Test
  void a_type_change_is_alter_column_with_its_previous_type_and_a_narrowing_loses_data() {
    Schema to = schema(table("author").id().column(col("name", "character varying(50)")));
    List<Change> changes = diff(authors(), to);
    assertEquals(
        "alter column author.name type text -> character varying(50)", changes.get(0).summary());
    assertTrue(changes.get(0).losesData());
    AlterColumn a = (AlterColumn) ops(changes).get(0);
    assertEquals("character varying(50)", a.type());
    assertEquals("text", a.fromType());
    assertFalse(diff(to, authors()).get(0).losesData(), "widening to text keeps every value");
  }

  @Test
  void a_collation_change_is_a_type_change_with_collate() {
    Column c = new Column("name", "text", false, null, null, null, "C", null);
    AlterColumn a =
        (AlterColumn) ops(diff(authors(), schema(table("author").id().column(c)))).get(0);
    assertEquals("text COLLATE \"C\"", a.type());
    assertEquals("text", a.fromType());
  }

  @Test
  void a_default_change_is_alter_column_with_the_previous_default() {
    Schema with =
        schema(table("author").id().column(withDefault(col("name", "text"), "'anon: #1'::text")));
    AlterColumn set = (AlterColumn) ops(diff(authors(), with)).get(0);
    assertEquals("'anon: #1'::text", set.defaultExpr());
    assertNull(set.fromDefault());
    AlterColumn drop = (AlterColumn) ops(diff(with, authors())).get(0);
    assertTrue(drop.dropDefault());
    assertEquals("'anon: #1'::text", drop.fromDefault());
  }

  @Test
  void
      not_null_added_is_set_not_null_asking_for_the_value_of_null_rows_and_dropped_is_drop_not_null() {
    Schema strict = schema(table("author").id().column(notNull("name", "text")));
    List<Change> set = diff(authors(), strict);
    assertTrue(set.get(0).yaml().contains("# Rows holding NULL in author.name would fail"));
    assertTrue(set.get(0).yaml().contains(ColumnChanges.BACKFILL_PLACEHOLDER + "\n"));
    List<Change> filled =
        List.of(
            new Change(
                set.get(0).summary(),
                set.get(0)
                    .yaml()
                    .replace(ColumnChanges.BACKFILL_PLACEHOLDER, "    backfill: \"'anonymous'\""),
                false));
    assertEquals(new SetNotNull("author", "name", "'anonymous'"), ops(filled).get(0));
    assertEquals(new DropNotNull("author", "name"), ops(diff(strict, authors())).get(0));
  }

  @Test
  void identity_changes_are_sql_with_a_downgrade() {
    Schema identity =
        schema(
            table("author")
                .column(new Column("id", "bigint", true, null, "by default", null, null, null))
                .pk("author_pkey", "id")
                .column(col("name", "text")));
    RawSql add = (RawSql) ops(diff(authors(), identity)).get(0);
    assertEquals(
        "ALTER TABLE \"author\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS IDENTITY",
        add.upSql());
    assertEquals(Phase.CONTRACT, add.phase(), "after a NOT NULL the same revision sets");
    RawSql drop = (RawSql) ops(diff(identity, authors())).get(0);
    assertEquals(
        "ALTER TABLE \"author\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS IDENTITY",
        drop.downSql());
  }

  @Test
  void indexes_are_create_index_or_concurrent_sql_and_drops_can_be_recreated() {
    Schema indexed =
        schema(
            table("author")
                .id()
                .column(col("name", "text"))
                .index("ix_author_name", "name")
                .expressionIndex("ix_author_lower", "lower(name)"));
    List<Change> changes = diff(authors(), indexed);
    List<Operation> ops = ops(changes);
    RawSql expr = (RawSql) ops.get(0);
    assertEquals(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_author_lower ON public.author USING btree (lower(name))",
        expr.upSql());
    assertEquals("DROP INDEX CONCURRENTLY IF EXISTS \"ix_author_lower\"", expr.downSql());
    assertFalse(expr.transactional());
    assertEquals(
        new CreateIndex("author", "ix_author_name", List.of("name"), false, true, null, null),
        ops.get(1));
    List<Operation> drops = ops(diff(indexed, authors()));
    DropIndex d = (DropIndex) drops.get(1);
    assertEquals("ix_author_name", d.name());
    assertEquals(List.of("name"), d.recreate().columns());
  }

  @Test
  void unique_foreign_key_and_check_are_the_typed_operations() {
    Schema from =
        schema(
            table("author").id().column(col("name", "text")),
            table("book").id().column(col("author_id", "bigint")));
    Schema to =
        schema(
            table("author")
                .id()
                .column(col("name", "text"))
                .unique("author_name_key", "name")
                .check("author_name_check", "length(name) > 0"),
            table("book")
                .id()
                .column(col("author_id", "bigint"))
                .fk("book_author_id_fkey", "author_id", "author", "CASCADE"));
    List<Operation> ops = ops(diff(from, to));
    assertEquals(new AddUnique("author", "author_name_key", List.of("name")), ops.get(0));
    assertEquals(new AddCheck("author", "author_name_check", "length(name) > 0"), ops.get(1));
    assertEquals(
        new AddForeignKey(
            "book",
            "book_author_id_fkey",
            List.of("author_id"),
            "author",
            List.of("id"),
            "CASCADE",
            null),
        ops.get(2));
  }

  @Test
  void a_primary_key_added_to_an_existing_table_is_built_concurrently_then_attached() {
    Schema keyless = schema(table("tag").column(notNull("name", "text")));
    Schema keyed = schema(table("tag").column(notNull("name", "text")).pk("tag_pkey", "name"));
    List<Change> changes = diff(keyless, keyed);
    assertEquals("add primary key tag_pkey on tag (name)", changes.get(0).summary());
    List<Operation> ops = ops(changes);
    RawSql index = (RawSql) ops.get(0);
    assertEquals(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"tag_pkey\" ON \"tag\" (\"name\")",
        index.upSql());
    assertFalse(index.transactional());
    assertEquals(
        "ALTER TABLE \"tag\" ADD CONSTRAINT \"tag_pkey\" PRIMARY KEY USING INDEX \"tag_pkey\"",
        ((RawSql) ops.get(1)).upSql());
    RawSql drop = (RawSql) ops(diff(keyed, keyless)).get(0);
    assertEquals(
        "ALTER TABLE \"tag\" ADD CONSTRAINT \"tag_pkey\" PRIMARY KEY (\"name\")", drop.downSql());
  }

  @Test
  void comments_are_set_with_a_downgrade_restoring_the_old_one() {
    Schema commented =
        schema(
            table("author")
                .id()
                .column(withComment(col("name", "text"), "it's the: name"))
                .comment("people"));
    List<Change> changes = diff(authors(), commented);
    List<Operation> ops = ops(changes);
    assertEquals(
        new RawSql(
            "COMMENT ON TABLE \"author\" IS 'people'", "COMMENT ON TABLE \"author\" IS NULL", true),
        ops.get(0));
    assertEquals(
        new RawSql(
            "COMMENT ON COLUMN \"author\".\"name\" IS 'it''s the: name'",
            "COMMENT ON COLUMN \"author\".\"name\" IS NULL",
            true),
        ops.get(1));
  }

  @Test
  void a_dropped_column_is_written_as_drop_column_with_its_type_and_the_data_at_risk() {
    Schema to = schema(table("author").id());
    List<Change> changes = diff(authors(), to);
    assertEquals("drop column author.name (text)", changes.get(0).summary());
    assertTrue(changes.get(0).losesData());
    assertTrue(
        changes
            .get(0)
            .yaml()
            .contains("# DATA AT RISK: drops author.name (text) and every value in it"),
        changes.get(0).yaml());
    assertEquals(
        new DropColumn("author", new ColumnSpec("name", "text", true, null, false)),
        ops(changes).get(0));
  }

  @Test
  void a_dropped_not_null_column_with_a_default_is_loosened_first_so_the_downgrade_restores_it() {
    Schema from =
        schema(table("author").id().column(withDefault(notNull("score", "integer"), "0")));
    List<Operation> ops = ops(diff(from, schema(table("author").id())));
    assertEquals(new DropNotNull("author", "score"), ops.get(0));
    assertEquals(
        new DropColumn("author", new ColumnSpec("score", "integer", true, "0", false)), ops.get(1));
  }

  @Test
  void a_dropped_table_keeps_its_columns_and_key_and_foreign_keys_to_it_are_dropped_first() {
    Schema from =
        schema(
            table("author").id().column(col("name", "text")),
            table("book")
                .id()
                .column(col("author_id", "bigint"))
                .fk("book_author_id_fkey", "author_id", "author", "NO ACTION"));
    Schema to = schema(table("book").id().column(col("author_id", "bigint")));
    List<Change> changes = diff(from, to);
    assertEquals(
        List.of(
            "drop foreign key book_author_id_fkey book (author_id) -> author (id)",
            "drop table author (2 columns)"),
        changes.stream().map(Change::summary).toList());
    assertTrue(
        changes
            .get(1)
            .yaml()
            .startsWith("  # DATA AT RISK: drops table author (2 columns) and every row in it"));
    List<Operation> ops = ops(changes);
    assertEquals(
        "ALTER TABLE \"book\" DROP CONSTRAINT IF EXISTS \"book_author_id_fkey\"",
        ((RawSql) ops.get(0)).upSql());
    assertEquals(
        new DropTable(
            "author",
            List.of(
                new ColumnSpec("id", "bigint", false, null, false),
                new ColumnSpec("name", "text", true, null, false)),
            List.of("id")),
        ops.get(1));
  }

  @Test
  void a_foreign_key_to_a_new_table_is_added_after_the_table_is_created() {
    Schema from = schema(table("book").id().column(col("author_id", "bigint")));
    Schema to =
        schema(
            table("book")
                .id()
                .column(col("author_id", "bigint"))
                .fk("book_author_id_fkey", "author_id", "zauthor", "SET NULL"),
            table("zauthor").id());
    List<Operation> ops = ops(diff(from, to));
    assertInstanceOf(CreateTable.class, ops.get(0));
    AddForeignKey fk = (AddForeignKey) ops.get(1);
    assertEquals("zauthor", fk.refTable());
    assertEquals("SET NULL", fk.onDelete());
  }

  @Test
  void enums_are_created_first_labels_added_outside_a_transaction_and_dropped_in_contract_last() {
    Schema from = with(authors(), new EnumType("mood", List.of("sad", "happy"), null));
    Schema to =
        with(
            schema(table("author").id().column(col("name", "text")).column(col("feel", "feeling"))),
            new EnumType("mood", List.of("sad", "ok", "happy"), null),
            new EnumType("feeling", List.of("a"), null));
    List<Change> changes = diff(from, to);
    assertEquals(
        List.of(
            "create enum feeling (a)",
            "add label ok to enum mood",
            "add column author.feel (feeling)"),
        changes.stream().map(Change::summary).toList());
    List<Operation> ops = ops(changes);
    RawSql label = (RawSql) ops.get(1);
    assertEquals("ALTER TYPE \"mood\" ADD VALUE IF NOT EXISTS 'ok' AFTER 'sad'", label.upSql());
    assertFalse(label.transactional());
    assertTrue(
        label.downSql().contains("CREATE TYPE \"mood\" AS ENUM ('sad', 'happy')"), label.downSql());

    List<Change> back = diff(to, from);
    assertEquals("drop enum feeling", back.get(back.size() - 1).summary());
    RawSql drop = (RawSql) ops(back).get(back.size() - 1);
    assertEquals(Phase.CONTRACT, drop.phase());
    assertEquals("CREATE TYPE \"feeling\" AS ENUM ('a')", drop.downSql());
  }

  @Test
  void a_sequence_is_created_before_tables_and_dropped_after_them() {
    Sequence seq =
        new Sequence("ticket", "bigint", 100, 1, 1, 9223372036854775807L, 1, false, null, null);
    Schema to =
        with(
            schema(
                table("t")
                    .id()
                    .column(withDefault(notNull("n", "bigint"), "nextval('ticket'::regclass)"))),
            seq);
    List<Change> changes = diff(Schema.empty(), to);
    assertEquals(
        List.of("create sequence ticket", "create table t (2 columns)"),
        changes.stream().map(Change::summary).toList());
    RawSql create = (RawSql) ops(changes).get(0);
    assertEquals(
        "CREATE SEQUENCE IF NOT EXISTS \"ticket\" AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1 NO CYCLE",
        create.upSql());
    List<Change> back = diff(to, Schema.empty());
    assertEquals(
        List.of("drop table t (2 columns)", "drop sequence ticket"),
        back.stream().map(Change::summary).toList());
  }

  @Test
  void
      one_column_dropped_and_one_of_its_type_added_gets_a_rename_hint_and_with_the_rename_only_rename_column() {
    Schema to = schema(table("author").id().column(col("full_name", "text")));
    List<Change> changes = diff(authors(), to);
    String hint =
        "# If this is a rename of name to full_name, run again with --rename author.name:full_name";
    Change drop = changes.get(changes.size() - 1);
    assertTrue(drop.yaml().contains(hint), drop.yaml());
    assertEquals(1, changes.stream().filter(c -> c.yaml().contains(hint)).count(), "once");
    Renames renames = new Renames(Map.of("author", Map.of("name", "full_name")));
    List<Change> renamed = SchemaDiff.between(authors(), to, renames);
    assertEquals(
        List.of("rename column author.name to full_name"),
        renamed.stream().map(Change::summary).toList());
    Migration m = Schemas.load(dir, renamed);
    assertEquals(List.of(new RenameColumn("author", "name", "full_name")), m.operations());
    ConvoyException e =
        assertThrows(
            ConvoyException.class,
            () ->
                SchemaDiff.between(
                    authors(), to, new Renames(Map.of("author", Map.of("nope", "full_name")))));
    assertTrue(
        e.getMessage().startsWith("--rename author.nope:full_name: column nope"), e.getMessage());
  }

  @Test
  void a_whole_schema_change_parses_and_lints_clean() {
    Schema from =
        with(
            schema(
                table("author").id().column(col("name", "text")).index("ix_author_name", "name"),
                table("legacy").id().column(col("note", "text")).unique("legacy_note_key", "note")),
            new EnumType("mood", List.of("a"), null));
    Schema to =
        with(
            schema(
                table("author")
                    .id()
                    .column(notNull("name", "character varying(80)"))
                    .column(col("mood", "mood"))
                    .expressionIndex("ix_author_lower", "lower((name)::text)")
                    .comment("who: writes # things"),
                table("book")
                    .id()
                    .column(col("author_id", "bigint"))
                    .fk("book_author_id_fkey", "author_id", "author", "CASCADE")
                    .check("book_id_check", "id > 0")
                    .index("ix_book_author_id", "author_id")),
            new EnumType("mood", List.of("a", "b"), null));
    List<Change> changes =
        diff(from, to).stream()
            .map(
                c ->
                    new Change(
                        c.summary(),
                        c.yaml()
                            .replace(ColumnChanges.BACKFILL_PLACEHOLDER, "    backfill: \"'x'\""),
                        c.losesData()))
            .toList();
    Migration m = loadLintClean(dir, changes);
    assertEquals(
        changes.stream()
            .mapToLong(c -> c.yaml().lines().filter(l -> l.startsWith("  - op:")).count())
            .sum(),
        m.operations().size());
  }

  @Test
  void
      generated_columns_nulls_not_distinct_uniques_and_deferrable_keys_become_sql_that_lints_clean() {
    Column plain = col("total", "integer");
    Column twice = new Column("total", "integer", false, null, null, "(id * 2)", null, null);
    Column thrice = new Column("total", "integer", false, null, null, "(id * 3)", null, null);
    Schema a = schema(table("t").id().column(plain));
    Schema b = schema(table("t").id().column(twice));
    Schema c = schema(table("t").id().column(thrice));
    Change made = diff(a, b).get(0);
    assertTrue(made.losesData(), "the stored values are replaced by computed ones");
    assertEquals(
        "ALTER TABLE \"t\" DROP COLUMN IF EXISTS \"total\";\nALTER TABLE \"t\" ADD COLUMN \"total\""
            + " integer GENERATED ALWAYS AS ((id * 2)) STORED",
        ((RawSql) ops(List.of(made)).get(0)).upSql());
    RawSql changed = (RawSql) ops(diff(b, c)).get(0);
    assertTrue(
        changed.downSql().endsWith("GENERATED ALWAYS AS ((id * 2)) STORED"), changed.downSql());
    RawSql unmade = (RawSql) ops(diff(b, a)).get(0);
    assertEquals(
        "ALTER TABLE \"t\" ALTER COLUMN \"total\" DROP EXPRESSION IF EXISTS", unmade.upSql());

    Schema keyed =
        schema(table("t").id().column(plain), table("u").id().column(col("t_id", "bigint")));
    Table u = keyed.tables().get("u");
    Table t = keyed.tables().get("t");
    Schema constrained =
        new Schema(
            Map.of(
                "t",
                new Table(
                    "t",
                    t.columns(),
                    t.primaryKey(),
                    Map.of("t_total_key", new Table.Unique("t_total_key", List.of("total"), true)),
                    Map.of(),
                    Map.of(),
                    Map.of(),
                    null),
                "u",
                new Table(
                    "u",
                    u.columns(),
                    u.primaryKey(),
                    Map.of(),
                    Map.of(
                        "u_t_id_fkey",
                        new Table.ForeignKey(
                            "u_t_id_fkey",
                            List.of("t_id"),
                            "t",
                            List.of("id"),
                            "NO ACTION",
                            "NO ACTION",
                            true,
                            true)),
                    Map.of(),
                    Map.of(),
                    null)),
            Map.of(),
            Map.of());
    List<Operation> ops = ops(diff(keyed, constrained));
    assertEquals(
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS \"t_total_key\" ON \"t\" (\"total\") NULLS NOT DISTINCT",
        ((RawSql) ops.get(0)).upSql());
    assertTrue(((RawSql) ops.get(2)).upSql().endsWith("DEFERRABLE INITIALLY DEFERRED NOT VALID"));
    assertEquals(Phase.CONTRACT, ((RawSql) ops.get(3)).phase(), "validated in contract");
  }

  @Test
  void a_column_with_a_volatile_default_is_added_bare_backfilled_and_given_its_default_after() {
    Schema to =
        schema(
            table("author")
                .id()
                .column(col("name", "text"))
                .column(withDefault(notNull("token", "uuid"), "gen_random_uuid()")));
    List<Operation> ops = ops(diff(authors(), to));
    AddColumn add = (AddColumn) ops.get(0);
    assertNull(add.column().defaultExpr(), "not computed per row under the lock");
    assertFalse(add.column().nullable());
    assertEquals("gen_random_uuid()", add.backfill());
    AlterColumn def = (AlterColumn) ops.get(1);
    assertEquals("gen_random_uuid()", def.defaultExpr());
    // A stable default (now()) is stored once by PostgreSQL: added with the column as written.
    Schema stable =
        schema(
            table("author")
                .id()
                .column(col("name", "text"))
                .column(withDefault(notNull("at", "timestamp with time zone"), "now()")));
    assertEquals("now()", ((AddColumn) ops(diff(authors(), stable)).get(0)).column().defaultExpr());
  }

  @Test
  void an_enum_losing_a_label_while_an_array_column_uses_it_is_refused_saying_what_to_do() {
    Schema from =
        with(
            schema(table("author").id().column(col("moods", "mood[]"))),
            new EnumType("mood", List.of("a", "b", "c"), null));
    Schema to =
        with(
            schema(table("author").id().column(col("moods", "mood[]"))),
            new EnumType("mood", List.of("a", "c"), null));
    ConvoyException e = assertThrows(ConvoyException.class, () -> diff(from, to));
    assertTrue(e.getMessage().contains("array column author.moods"), e.getMessage());
    assertTrue(e.getMessage().contains("write this change by hand"), e.getMessage());
  }

  @Test
  void a_table_in_a_new_schema_comes_after_the_schema_and_the_schema_goes_after_its_last_table() {
    Schema app = schema(table("app.shelf").id().column(col("code", "text")));
    List<Change> up = diff(Schema.empty(), app);
    assertEquals("create schema app", up.get(0).summary());
    List<Change> down = diff(app, Schema.empty());
    assertEquals("drop schema app (once empty)", down.get(down.size() - 1).summary());
    assertEquals(Phase.CONTRACT, ((RawSql) ops(down).get(ops(down).size() - 1)).phase());
  }
}
