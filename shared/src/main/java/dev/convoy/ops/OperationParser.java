package dev.convoy.ops;

import dev.convoy.migration.YamlObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads typed operations from a migration's YAML, recording every problem with its line. */
public final class OperationParser {
  private static final Map<String, List<String>> FIELDS =
      Map.ofEntries(
          Map.entry("create_table", List.of("op", "table", "columns", "primary_key")),
          Map.entry("drop_table", List.of("op", "table", "columns", "primary_key")),
          Map.entry("add_column", List.of("op", "table", "column", "backfill")),
          Map.entry("drop_column", List.of("op", "table", "column", "down")),
          Map.entry("rename_column", List.of("op", "table", "from", "to")),
          Map.entry("rename_table", List.of("op", "table", "to")),
          Map.entry(
              "create_index",
              List.of(
                  "op", "table", "name", "columns", "unique", "concurrently", "where", "using")),
          Map.entry(
              "drop_index",
              List.of(
                  "op", "name", "table", "columns", "unique", "concurrently", "where", "using")),
          Map.entry("sql", List.of("op", "up", "down", "transactional", "phase")),
          Map.entry("set_not_null", List.of("op", "table", "column", "backfill")),
          Map.entry("drop_not_null", List.of("op", "table", "column")),
          Map.entry("backfill", List.of("op", "table", "set", "where")),
          Map.entry(
              "add_foreign_key",
              List.of("op", "table", "name", "columns", "references", "on_delete", "on_update")),
          Map.entry("add_check", List.of("op", "table", "name", "check")),
          Map.entry("add_unique", List.of("op", "table", "name", "columns")),
          Map.entry(
              "alter_column",
              List.of(
                  "op",
                  "table",
                  "column",
                  "type",
                  "using",
                  "from_type",
                  "default",
                  "drop_default",
                  "from_default",
                  "nullable",
                  "down_using")));

  private OperationParser() {}

  /** Every operation's name and the fields it takes: what docs/migration-files.md must cover. */
  public static Map<String, List<String>> fields() {
    return FIELDS;
  }

  /** The fields of a column ({@code create_table}, {@code add_column}, ...). */
  public static List<String> columnFields() {
    return ColumnFields.FIELDS;
  }

  /** The operation, or empty when it has problems (already recorded). */
  public static Optional<Operation> parse(YamlObject y) {
    String kind = y.requiredString("op", "an operation");
    if (kind == null) {
      return Optional.empty();
    }
    List<String> allowed = FIELDS.get(kind);
    if (allowed == null) {
      y.problem(
          "op",
          "unknown operation '"
              + kind
              + "'; expected one of "
              + FIELDS.keySet().stream().sorted().toList());
      return Optional.empty();
    }
    y.onlyKeys(kind, allowed);
    String ctx = kind;
    Operation op =
        switch (kind) {
          case "create_table" -> createTable(y);
          case "drop_table" ->
              new DropTable(
                  y.requiredString("table", ctx),
                  ColumnFields.columns(y, false),
                  y.strings("primary_key"));
          case "add_column" -> addColumn(y);
          case "drop_column" -> dropColumn(y);
          case "rename_column" ->
              new RenameColumn(
                  y.requiredString("table", ctx),
                  y.requiredString("from", ctx),
                  y.requiredString("to", ctx));
          case "rename_table" ->
              new RenameTable(y.requiredString("table", ctx), y.requiredString("to", ctx));
          case "create_index" -> createIndex(y, !y.has("name"));
          case "drop_index" -> dropIndex(y);
          case "set_not_null" -> setNotNull(y);
          case "drop_not_null" ->
              new DropNotNull(y.requiredString("table", ctx), y.requiredString("column", ctx));
          case "backfill" -> backfill(y);
          case "add_foreign_key" -> addForeignKey(y);
          case "add_check" ->
              new AddCheck(
                  y.requiredString("table", ctx),
                  y.requiredString("name", ctx),
                  y.requiredString("check", ctx));
          case "add_unique" -> addUnique(y);
          case "alter_column" -> ColumnFields.alterColumn(y);
          default -> rawSql(y);
        };
    if (hasNulls(op)) {
      return Optional.empty();
    }
    Optional<String> reserved = ReservedNames.in(op);
    reserved.ifPresent(n -> y.problem(ReservedNames.problem(n)));
    return reserved.isPresent() ? Optional.empty() : Optional.of(op);
  }

  private static Operation createTable(YamlObject y) {
    String table = y.requiredString("table", "create_table");
    if (!y.has("columns")) {
      y.problem("missing required field 'columns' in create_table " + table);
    }
    List<ColumnSpec> cols = ColumnFields.columns(y, true);
    if (y.has("columns") && cols.isEmpty()) {
      y.problem("columns", "create_table " + table + " needs at least one column");
    }
    return new CreateTable(table, cols, y.strings("primary_key"));
  }

  private static Operation addColumn(YamlObject y) {
    String table = y.requiredString("table", "add_column");
    ColumnSpec c = ColumnFields.column(y, "add_column " + table, true);
    String backfill =
        ColumnFields.backfill(
            y,
            "add_column " + table + (c == null ? "" : "." + c.name()),
            "the SQL expression existing rows get (e.g. 'backfill: \"lower(name)\"'), or give the"
                + " column a default");
    if (c != null && !c.nullable() && c.defaultExpr() == null && backfill == null) {
      y.problem(
          "column",
          "add_column "
              + table
              + "."
              + c.name()
              + " is NOT NULL without a default: rows already in the table would violate it;"
              + " give it 'backfill: <expression over the row>' (filled in batches, then"
              + " constrained without a long lock) or a constant 'default'");
    }
    if (c != null && c.primaryKey()) {
      y.problem("column", "add_column cannot add a primary key column; use create_table");
    }
    return new AddColumn(table, c, backfill);
  }

  private static Operation setNotNull(YamlObject y) {
    String table = y.requiredString("table", "set_not_null");
    String column = y.requiredString("column", "set_not_null");
    return new SetNotNull(
        table,
        column,
        ColumnFields.backfill(
            y,
            "set_not_null " + table + "." + column,
            "the SQL expression rows holding NULL get (e.g. 'backfill: \"lower(name)\"'), or delete"
                + " the backfill line if no row can hold NULL"));
  }

  private static Operation dropColumn(YamlObject y) {
    String table = y.requiredString("table", "drop_column");
    String down = y.string("down").orElse(null);
    if (y.isObject("column")) {
      return new DropColumn(
          table, ColumnFields.column(y, "drop_column " + table, false), down, null);
    }
    String name = y.requiredString("column", "drop_column " + table);
    return new DropColumn(
        table, name == null ? null : new ColumnSpec(name, null, true, null, false), down, null);
  }

  private static CreateIndex createIndex(YamlObject y, boolean defaultName) {
    String table = y.requiredString("table", "create_index");
    List<String> cols = y.strings("columns");
    if (cols.isEmpty()) {
      y.problem("missing required field 'columns' in create_index on " + table);
      return null;
    }
    boolean unique = y.bool("unique", false);
    String name =
        defaultName || table == null
            ? CreateIndex.defaultName(table == null ? "" : table, cols, unique)
            : y.string("name").orElse(null);
    return new CreateIndex(
        table,
        name,
        cols,
        unique,
        y.bool("concurrently", true),
        y.string("where").orElse(null),
        y.string("using").orElse(null));
  }

  private static Operation dropIndex(YamlObject y) {
    String name = y.requiredString("name", "drop_index");
    CreateIndex recreate = null;
    if (y.has("table") && y.has("columns")) {
      recreate = createIndex(y, false);
    }
    return new DropIndex(name, y.bool("concurrently", true), recreate);
  }

  private static Operation backfill(YamlObject y) {
    String table = y.requiredString("table", "backfill");
    Map<String, String> set = y.stringMap("set");
    if (set.isEmpty()) {
      y.problem("missing required field 'set' ({column: expression, ...}) in backfill " + table);
    }
    return new Backfill(table, set, y.string("where").orElse(null));
  }

  private static Operation addForeignKey(YamlObject y) {
    String table = y.requiredString("table", "add_foreign_key");
    List<String> cols = y.strings("columns");
    Optional<YamlObject> ref = y.object("references");
    if (cols.isEmpty()) {
      y.problem("missing required field 'columns' in add_foreign_key on " + table);
    }
    if (ref.isEmpty()) {
      y.problem(
          "missing required field 'references' ({table: ..., columns: [...]}) in add_foreign_key on "
              + table);
      return null;
    }
    String refTable = ref.get().requiredString("table", "references");
    List<String> refCols = ref.get().strings("columns");
    if (refCols.isEmpty()) {
      refCols = List.of("id");
    }
    if (refCols.size() != cols.size()) {
      y.problem(
          "references",
          "add_foreign_key on "
              + table
              + ": "
              + cols.size()
              + " columns reference "
              + refCols.size());
    }
    String name =
        y.string("name").orElse(table == null ? null : AddForeignKey.defaultName(table, cols));
    return new AddForeignKey(
        table,
        name,
        cols,
        refTable,
        refCols,
        y.string("on_delete").orElse(null),
        y.string("on_update").orElse(null));
  }

  private static Operation addUnique(YamlObject y) {
    String table = y.requiredString("table", "add_unique");
    List<String> cols = y.strings("columns");
    if (cols.isEmpty()) {
      y.problem("missing required field 'columns' in add_unique on " + table);
    }
    String name =
        y.string("name").orElse(table == null ? null : CreateIndex.defaultName(table, cols, true));
    return new AddUnique(table, name, cols);
  }

  private static Operation rawSql(YamlObject y) {
    String up = y.requiredString("up", "sql");
    String phase = y.string("phase").orElse("expand");
    if (!phase.equals("expand") && !phase.equals("contract")) {
      y.problem(
          "phase",
          "'phase' of a sql operation must be expand (the default) or contract, got '"
              + phase
              + "'");
    }
    return new RawSql(
        up,
        y.string("down").orElse(null),
        y.bool("transactional", true),
        phase.equals("contract") ? Phase.CONTRACT : Phase.EXPAND);
  }

  private static boolean hasNulls(Operation op) {
    if (op instanceof CreateTable t) {
      return t.table() == null;
    } else if (op instanceof DropTable t) {
      return t.table() == null;
    } else if (op instanceof AddColumn a) {
      return a.table() == null || a.column() == null;
    } else if (op instanceof DropColumn d) {
      return d.table() == null || d.column() == null;
    } else if (op instanceof RenameColumn r) {
      return r.table() == null || r.from() == null || r.to() == null;
    } else if (op instanceof RenameTable r) {
      return r.table() == null || r.to() == null;
    } else if (op instanceof CreateIndex i) {
      return i.table() == null || i.name() == null;
    } else if (op instanceof DropIndex d) {
      return d.name() == null;
    } else if (op instanceof RawSql r) {
      return r.upSql() == null;
    } else if (op instanceof SetNotNull n) {
      return n.table() == null || n.column() == null;
    } else if (op instanceof DropNotNull n) {
      return n.table() == null || n.column() == null;
    } else if (op instanceof Backfill b) {
      return b.table() == null || b.set().isEmpty();
    } else if (op instanceof AddForeignKey f) {
      return f.table() == null || f.refTable() == null || f.columns().isEmpty();
    } else if (op instanceof AddCheck c) {
      return c.table() == null || c.name() == null || c.check() == null;
    } else if (op instanceof AddUnique u) {
      return u.table() == null || u.columns().isEmpty();
    } else if (op instanceof AlterColumn a) {
      return a.table() == null || a.column() == null;
    }
    return true;
  }
}
