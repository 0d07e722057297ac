package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.List;
import java.util.stream.Collectors;

/** SQL text for model objects, for the {@code sql} operations the typed ones cannot express. */
final class SchemaSql {
  private SchemaSql() {}

  /**
   * The column's type as a migration writes it: with its collation, identity or generation clause,
   * which ColumnSpec's {@code type} carries into {@code "name" type [DEFAULT] [NOT NULL]}.
   */
  static String columnType(Column c) {
    StringBuilder sb = new StringBuilder(typeAndCollation(c));
    if (c.identity() != null) {
      sb.append(" GENERATED ").append(identityWord(c.identity())).append(" AS IDENTITY");
    }
    if (c.generated() != null) {
      sb.append(" GENERATED ALWAYS AS (").append(c.generated()).append(") STORED");
    }
    return sb.toString();
  }

  static String typeAndCollation(Column c) {
    return c.collation() == null ? c.type() : c.type() + " COLLATE " + collation(c.collation());
  }

  static String collation(String name) {
    return name.startsWith("\"") || name.contains(".") ? name : Sql.ident(name);
  }

  static String identityWord(String identity) {
    return identity.equalsIgnoreCase("always") ? "ALWAYS" : "BY DEFAULT";
  }

  static String alterTable(String table) {
    return "ALTER TABLE " + Sql.name(table) + " ";
  }

  static String alterColumn(String table, String column) {
    return alterTable(table) + "ALTER COLUMN " + Sql.ident(column) + " ";
  }

  /** An index in its table's schema, as DROP INDEX and COMMENT ON INDEX name it. */
  static String indexName(String table, String index) {
    String schema = Sql.schemaOf(table);
    return schema == null ? Sql.ident(index) : Sql.ident(schema) + "." + Sql.ident(index);
  }

  static String dropConstraint(String table, String name) {
    return alterTable(table) + "DROP CONSTRAINT IF EXISTS " + Sql.ident(name);
  }

  static String foreignKey(Table.ForeignKey fk) {
    return "FOREIGN KEY ("
        + Sql.idents(fk.columns())
        + ") REFERENCES "
        + Sql.name(fk.refTable())
        + " ("
        + Sql.idents(fk.refColumns())
        + ")"
        + action(" ON DELETE ", fk.onDelete())
        + action(" ON UPDATE ", fk.onUpdate())
        + (fk.deferrable() ? " DEFERRABLE" : "")
        + (fk.initiallyDeferred() ? " INITIALLY DEFERRED" : "");
  }

  /** The action when it is not PostgreSQL's default (NO ACTION), else null. */
  static String actionOrNull(String action) {
    return action == null || action.equalsIgnoreCase("NO ACTION") ? null : action;
  }

  private static String action(String prefix, String action) {
    String a = actionOrNull(action);
    return a == null ? "" : prefix + a;
  }

  /** The check's expression without {@code CHECK (…)} and {@code NOT VALID} around it. */
  static String checkExpression(Table.Check c) {
    String e = c.expression().strip();
    if (e.endsWith(" NOT VALID")) {
      e = e.substring(0, e.length() - " NOT VALID".length()).strip();
    }
    if (e.startsWith("CHECK (") && e.endsWith(")")) {
      e = e.substring("CHECK (".length(), e.length() - 1);
    }
    return e;
  }

  static String addCheck(String table, Table.Check c) {
    return alterTable(table)
        + "ADD CONSTRAINT "
        + Sql.ident(c.name())
        + " CHECK ("
        + checkExpression(c)
        + ")";
  }

  static String addUnique(String table, Table.Unique u) {
    return alterTable(table)
        + "ADD CONSTRAINT "
        + Sql.ident(u.name())
        + " UNIQUE"
        + (u.nullsNotDistinct() ? " NULLS NOT DISTINCT" : "")
        + " ("
        + Sql.idents(u.columns())
        + ")";
  }

  static String addPrimaryKey(String table, Table.PrimaryKey pk) {
    return alterTable(table)
        + "ADD CONSTRAINT "
        + Sql.ident(pk.name())
        + " PRIMARY KEY ("
        + Sql.idents(pk.columns())
        + ")";
  }

  static String createEnum(EnumType e) {
    return "CREATE TYPE " + Sql.name(e.name()) + " AS ENUM (" + literals(e.labels()) + ")";
  }

  static String literals(List<String> labels) {
    return labels.stream().map(Sql::literal).collect(Collectors.joining(", "));
  }

  /**
   * Replaces enum {@code name} by one with {@code labels}: PostgreSQL cannot drop or reorder a
   * label, so the type is renamed aside, created anew, every table column of it (and its default)
   * converted through text, and the old type dropped. Fails, changing nothing, when a row holds a
   * label the new type lacks.
   */
  static String recreateEnum(String name, List<String> labels) {
    String schema = Sql.schemaOf(name);
    String simple = Sql.simpleName(name);
    String aside = simple + "__convoy_old";
    String asideQualified =
        schema == null ? Sql.ident(aside) : Sql.ident(schema) + "." + Sql.ident(aside);
    String type = Sql.name(name);
    return "DO "
        + Sql.dollarQuoted(
            "DECLARE r record; BEGIN ALTER TYPE "
                + type
                + " RENAME TO "
                + Sql.ident(aside)
                + "; CREATE TYPE "
                + type
                + " AS ENUM ("
                + literals(labels)
                + "); FOR r IN SELECT a.attrelid::regclass AS t, a.attname AS c,"
                + " pg_get_expr(d.adbin, d.adrelid) AS def FROM pg_attribute a"
                + " JOIN pg_class k ON k.oid = a.attrelid AND k.relkind IN ('r', 'p')"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE a.atttypid = "
                + Sql.literal(asideQualified)
                + "::regtype AND a.attnum > 0 AND NOT a.attisdropped LOOP"
                + " IF r.def IS NOT NULL THEN EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT',"
                + " r.t, r.c); END IF;"
                + " EXECUTE format('ALTER TABLE %s ALTER COLUMN %I TYPE "
                + type.replace("'", "''")
                + " USING %I::text::"
                + type.replace("'", "''")
                + "', r.t, r.c, r.c);"
                + " IF r.def IS NOT NULL THEN EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s',"
                + " r.t, r.c, replace(r.def, "
                + Sql.literal(aside)
                + ", "
                + Sql.literal(simple)
                + ")); END IF; END LOOP; DROP TYPE "
                + asideQualified
                + "; END");
  }

  static String createSequence(Sequence s) {
    return "CREATE SEQUENCE IF NOT EXISTS " + Sql.name(s.name()) + sequenceOptions(s);
  }

  static String alterSequence(Sequence s) {
    return "ALTER SEQUENCE " + Sql.name(s.name()) + sequenceOptions(s);
  }

  private static String sequenceOptions(Sequence s) {
    return " AS "
        + s.type()
        + " INCREMENT BY "
        + s.increment()
        + " MINVALUE "
        + s.min()
        + " MAXVALUE "
        + s.max()
        + " START WITH "
        + s.start()
        + " CACHE "
        + s.cache()
        + (s.cycle() ? " CYCLE" : " NO CYCLE");
  }

  /** {@code table.column} (the table possibly schema-qualified) as OWNED BY writes it. */
  static String ownedBy(String ownedBy) {
    if (ownedBy == null) {
      return "NONE";
    }
    int dot = ownedBy.lastIndexOf('.');
    return Sql.name(ownedBy.substring(0, dot)) + "." + Sql.ident(ownedBy.substring(dot + 1));
  }

  static String comment(String what, String text) {
    return "COMMENT ON " + what + " IS " + Sql.literal(text);
  }
}
