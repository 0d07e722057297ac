package dev.convoy.ops;

/** Names of the objects Convoy creates for a phased change, cut to PostgreSQL's 63 bytes. */
final class Names {
  private Names() {}

  static String cut(String n) {
    return n.length() > 63 ? n.substring(0, 63) : n;
  }

  /** The trigger function filling {@code column}: lives in the table's schema. */
  static String fillFunction(String table, String column) {
    String schema = Sql.schemaOf(table);
    String fn = cut("convoy_fill_" + Sql.simpleName(table) + "_" + column);
    return schema == null ? fn : schema + "." + fn;
  }

  /** The AFTER UPDATE function filling {@code column} of rows the old application updates. */
  static String refillFunction(String table, String column) {
    String schema = Sql.schemaOf(table);
    String fn = cut("convoy_refill_" + Sql.simpleName(table) + "_" + column);
    return schema == null ? fn : schema + "." + fn;
  }

  static String refillTrigger(String column) {
    return cut("convoy_refill_" + column);
  }

  static String fillTrigger(String column) {
    return cut("convoy_fill_" + column);
  }

  static String notNullCheck(String table, String column) {
    return cut("convoy_nn_" + Sql.simpleName(table) + "_" + column);
  }

  static String shadowColumn(String column) {
    return suffixed(column, "__convoy_new");
  }

  static String retiredColumn(String column) {
    return suffixed(column, "__convoy_old");
  }

  /** What a contract keeps for the revert window: a dropped column or table, renamed. */
  static String heldName(String name) {
    return suffixed(name, HELD_SUFFIX);
  }

  static final String HELD_SUFFIX = "__convoy_held";

  /**
   * The trigger function keeping the held column {@code held} current. Like every name of the
   * revert window it ends with the held suffix, whole (a long name is shortened with a hash), so
   * two long columns never share one and whatever reads the catalog can leave them all out.
   */
  static String heldFunction(String table, String held) {
    String schema = Sql.schemaOf(table);
    String fn = heldName("convoy_" + Sql.simpleName(table) + "_" + unheld(held));
    return schema == null ? fn : schema + "." + fn;
  }

  static String heldTrigger(String held) {
    return heldName("convoy_" + unheld(held));
  }

  private static String unheld(String held) {
    return held.endsWith(HELD_SUFFIX)
        ? held.substring(0, held.length() - HELD_SUFFIX.length())
        : held;
  }

  /**
   * {@code column + suffix}, the suffix kept whole: a name too long for it is shortened and given a
   * hash of the whole name, so the helper column never collides with the column itself (cutting at
   * 63 bytes would give a 63-byte column its own name back).
   */
  private static String suffixed(String column, String suffix) {
    String whole = column + suffix;
    if (whole.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 63) {
      return whole;
    }
    String hash = String.format("%08x", column.hashCode());
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < column.length(); ) {
      int cp = column.codePointAt(i);
      String next = head + new String(Character.toChars(cp));
      if ((next + "_" + hash + suffix).getBytes(java.nio.charset.StandardCharsets.UTF_8).length
          > 63) {
        break;
      }
      head.setLength(0);
      head.append(next);
      i += Character.charCount(cp);
    }
    return head + "_" + hash + suffix;
  }
}
