package dev.convoy.ops;

import java.time.Duration;
import java.util.Objects;

/**
 * The revert window of one operation that drops data ({@code drop_column}, {@code drop_table}):
 * instead of dropping, its contract renames what it drops out of the way and records it in {@code
 * <stateSchema>.held} (keyed by revision and operation index) until {@code window} has passed. A
 * downgrade resolves the operation again with what it {@link Found found} there.
 */
public record Hold(String stateSchema, String revision, int opIndex, Duration window, Found found) {
  /** What a downgrade finds of the held copy. */
  public enum Found {
    /** Not held (on the way up), or purged: the downgrade re-adds it empty, as without a hold. */
    NOTHING,
    /** Held and inside its window: the downgrade renames it back with its data. */
    IN_WINDOW,
    /** Held, but its window is over: it is dropped and the downgrade re-adds it empty. */
    EXPIRED
  }

  public Hold {
    Objects.requireNonNull(stateSchema, "stateSchema");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(found, "found");
    if (opIndex < 0) {
      throw new IllegalArgumentException("operation index " + opIndex + " is negative");
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException(
          "a revert window must be longer than 0 (0 means no hold at all), got " + window);
    }
  }

  /** The state table recording held copies: {@code "convoy".held}. */
  public String heldTable() {
    return Sql.ident(stateSchema) + ".held";
  }

  /** The condition selecting this operation's row of {@link #heldTable()}. */
  String row() {
    return "revision = " + Sql.literal(revision) + " AND op_index = " + opIndex;
  }

  /** The held copy's name for a column or an unqualified table name. */
  public static String heldName(String name) {
    return Names.heldName(name);
  }

  /** The held copy of {@code table}: same schema, held name. */
  public static String heldTableName(String table) {
    String schema = Sql.schemaOf(table);
    String held = Names.heldName(Sql.simpleName(table));
    return schema == null ? held : schema + "." + held;
  }

  /**
   * Ends this held copy for good ({@code convoy purge}): the held column of {@code table} (or, when
   * {@code column} is null, the held table) dropped, its row marked purged. Idempotent.
   */
  public String discardSql(String table, String column) {
    return column == null
        ? RestoreSql.discardTable(this, table)
        : RestoreSql.discardColumn(this, table, Names.heldName(column));
  }
}
