package dev.convoy.agent.schema;

import dev.convoy.agent.db.TextSession;
import dev.convoy.schema.Column;
import dev.convoy.schema.EnumType;
import dev.convoy.schema.Index;
import dev.convoy.schema.Schema;
import dev.convoy.schema.Sequence;
import dev.convoy.schema.Table;
import io.vertx.core.json.JsonArray;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a database's {@link Schema} from the PostgreSQL catalog: six queries (tables, columns,
 * constraints, indexes, enums, sequences), each covering every table, so a schema of hundreds of
 * tables costs six round trips.
 *
 * <p>What is read: every schema but {@code pg_catalog}, {@code information_schema}, the toast and
 * temporary ones and Convoy's state schema; tables (plain and partitioned) with their columns,
 * keys, foreign keys, checks and the indexes that back no constraint; enum types; sequences other
 * than identity columns' own. Objects an extension created belong to the extension and are left
 * out.
 *
 * <p>What Convoy leaves in a database while a change is in flight is left out too, so a revision
 * stopped after expand (or a crash in the middle of one) does not show as a schema of its own: the
 * shadow and retired columns of a type change ({@code <column>__convoy_new}, {@code
 * <column>__convoy_old}), the columns and tables a contract keeps for the revert window ({@code
 * <name>__convoy_held}, with a held table's serials), the index copies it builds for them ({@code
 * convoy_ix_<oid>}), the checks that prove a NOT NULL before SET NOT NULL ({@code
 * convoy_nn_<table>_<column>}) and invalid indexes (an interrupted CONCURRENTLY build, which Convoy
 * rebuilds). Its fill triggers and functions are not part of the model anyway, and a constraint's
 * validity is not either (expand adds them NOT VALID, contract validates them). A shadow column
 * name cut to PostgreSQL's 63 bytes past its {@code __convoy_} suffix cannot be told from a user's
 * column and is read as one.
 *
 * <p>Values are as the catalog prints them, with {@code search_path} set to {@code public} so two
 * databases print the same text: types by {@code format_type}, defaults, generated expressions and
 * index predicates by {@code pg_get_expr}, indexes by {@code pg_get_indexdef}. A check's expression
 * is the text between {@code CHECK (} and its closing parenthesis in {@code pg_get_constraintdef},
 * without {@code NOT VALID}: {@code CHECK ((price > 0))} reads as {@code (price > 0)}. An index's
 * name is unqualified (it lives in its table's schema); a collation is qualified only outside
 * {@code pg_catalog} and {@code public}. Not modelled: exclusion constraints, a check's NO INHERIT,
 * views, functions, triggers, policies and grants.
 */
public final class CatalogReader {
  private CatalogReader() {}

  /** The schema of the database {@code db} is connected to; {@code stateSchema} is left out. */
  public static Schema read(TextSession db, String stateSchema) {
    return read(db, stateSchema, null);
  }

  /**
   * The schema of the database {@code db} is connected to, only its schemas {@code only} (null:
   * all): a database's tables in schemas the migrations do not manage are not theirs to drop.
   */
  public static Schema read(TextSession db, String state, Set<String> only) {
    CatalogQueries.Scope scope = new CatalogQueries.Scope(state, only);
    db.execute("SET search_path = public");
    boolean nullsNotDistinct =
        Integer.parseInt(db.value("SELECT current_setting('server_version_num')")) >= 150000;
    Map<String, TableBuilder> byOid = new LinkedHashMap<>();
    for (String[] r : db.rows(CatalogQueries.tables(scope))) {
      byOid.put(r[0], new TableBuilder(r[1], r[2]));
    }
    for (String[] r : db.rows(CatalogQueries.columns(scope))) {
      TableBuilder t = byOid.get(r[0]);
      if (t != null) {
        t.columns.put(r[1], new Column(r[1], r[2], bool(r[3]), r[4], r[5], r[6], r[7], r[8]));
      }
    }
    for (String[] r : db.rows(CatalogQueries.constraints(scope, nullsNotDistinct))) {
      TableBuilder t = byOid.get(r[0]);
      if (t != null) {
        t.constraint(r);
      }
    }
    for (String[] r : db.rows(CatalogQueries.indexes(scope))) {
      TableBuilder t = byOid.get(r[0]);
      if (t != null) {
        List<String> keys = r[4] == null ? null : strings(r[4]);
        t.indexes.put(r[1], new Index(r[1], t.name, bool(r[2]), r[3], keys, r[5], r[6], r[7]));
      }
    }
    Map<String, Table> tables = new HashMap<>();
    byOid.values().forEach(t -> tables.put(t.name, t.build()));
    Map<String, EnumType> enums = new HashMap<>();
    for (String[] r : db.rows(CatalogQueries.enums(scope))) {
      enums.put(r[0], new EnumType(r[0], r[1] == null ? List.of() : strings(r[1]), r[2]));
    }
    Map<String, Sequence> sequences = new HashMap<>();
    for (String[] r : db.rows(CatalogQueries.sequences(scope))) {
      sequences.put(
          r[0],
          new Sequence(
              r[0],
              r[1],
              Long.parseLong(r[2]),
              Long.parseLong(r[3]),
              Long.parseLong(r[4]),
              Long.parseLong(r[5]),
              Long.parseLong(r[6]),
              bool(r[7]),
              r[8],
              r[9]));
    }
    return new Schema(tables, enums, sequences);
  }

  /** {@code (expr)} of {@code CHECK ((expr)) [NOT VALID]}. */
  static String checkBody(String definition) {
    String d = definition.strip();
    if (d.endsWith(" NOT VALID")) {
      d = d.substring(0, d.length() - " NOT VALID".length());
    }
    int open = d.indexOf('(');
    int close = d.lastIndexOf(')');
    return open < 0 || close < open ? d : d.substring(open + 1, close);
  }

  private static boolean bool(String s) {
    return "t".equals(s) || "true".equals(s);
  }

  private static List<String> strings(String json) {
    return new JsonArray(json).stream().map(String::valueOf).toList();
  }

  private static String action(String code) {
    return switch (code) {
      case "c" -> "CASCADE";
      case "n" -> "SET NULL";
      case "d" -> "SET DEFAULT";
      case "r" -> "RESTRICT";
      default -> "NO ACTION";
    };
  }

  /** One table's parts as the queries answer them. */
  private static final class TableBuilder {
    final String name;
    final String comment;
    final Map<String, Column> columns = new LinkedHashMap<>();
    final Map<String, Table.Unique> uniques = new HashMap<>();
    final Map<String, Table.ForeignKey> foreignKeys = new HashMap<>();
    final Map<String, Table.Check> checks = new HashMap<>();
    final Map<String, Index> indexes = new HashMap<>();
    Table.PrimaryKey primaryKey;

    TableBuilder(String name, String comment) {
      this.name = name;
      this.comment = comment;
    }

    /** A row of {@link CatalogQueries#constraints}. */
    void constraint(String[] r) {
      String name = r[1];
      List<String> cols = r[3] == null ? List.of() : strings(r[3]);
      switch (r[2]) {
        case "p" -> primaryKey = new Table.PrimaryKey(name, cols);
        case "u" -> uniques.put(name, new Table.Unique(name, cols, bool(r[11])));
        case "f" ->
            foreignKeys.put(
                name,
                new Table.ForeignKey(
                    name,
                    cols,
                    r[4],
                    r[5] == null ? List.of() : strings(r[5]),
                    action(r[6]),
                    action(r[7]),
                    bool(r[8]),
                    bool(r[9])));
        case "c" -> checks.put(name, new Table.Check(name, checkBody(r[10])));
        default -> {}
      }
    }

    Table build() {
      return new Table(name, columns, primaryKey, uniques, foreignKeys, checks, indexes, comment);
    }
  }
}
