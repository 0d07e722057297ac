package dev.convoy.schema;

import java.util.Map;

/**
 * Recognises a {@code serial} column in the catalog: an integer column whose default is {@code
 * nextval} of a sequence it owns under PostgreSQL's own name for it ({@code table_column_seq}).
 * Such a column is written {@code serial}/{@code bigserial}/{@code smallserial}, and its sequence
 * is neither created nor dropped on its own: it comes and goes with the column.
 */
final class Serials {
  private static final Map<String, String> SERIAL =
      Map.of("integer", "serial", "bigint", "bigserial", "smallint", "smallserial");

  private final Schema schema;

  Serials(Schema schema) {
    this.schema = schema;
  }

  /** The serial type name of the column, or null when it is not a serial. */
  String serialType(String table, Column c) {
    String serial = SERIAL.get(c.type());
    if (serial == null || !c.notNull() || c.defaultExpr() == null || c.identity() != null) {
      return null;
    }
    String seq = sequenceName(table, c.name());
    Sequence s = schema.sequences().get(seq);
    if (s == null || !(table + "." + c.name()).equals(s.ownedBy())) {
      return null;
    }
    String expr = c.defaultExpr().replace("\"", "").replace(" ", "");
    return expr.equals("nextval('" + seq + "'::regclass)") ? serial : null;
  }

  /** True when the sequence is a serial column's own, which comes and goes with the column. */
  boolean isSerialSequence(Sequence s) {
    if (s.ownedBy() == null) {
      return false;
    }
    int dot = s.ownedBy().lastIndexOf('.');
    String table = s.ownedBy().substring(0, dot);
    Table t = schema.tables().get(table);
    Column c = t == null ? null : t.columns().get(s.ownedBy().substring(dot + 1));
    return c != null && serialType(table, c) != null;
  }

  /** PostgreSQL's name for a serial column's sequence, in the table's schema. */
  static String sequenceName(String table, String column) {
    int dot = table.indexOf('.');
    String simple = dot > 0 ? table.substring(dot + 1) : table;
    String name = simple + "_" + column + "_seq";
    return dot > 0 ? table.substring(0, dot + 1) + name : name;
  }
}
