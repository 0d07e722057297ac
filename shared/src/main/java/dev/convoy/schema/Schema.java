package dev.convoy.schema;

import java.util.Map;
import java.util.TreeMap;

/**
 * A database's schema as read from the PostgreSQL catalog, everything Convoy generates and
 * compares: tables (with their columns, keys, constraints, indexes and comments), enum types and
 * sequences. Names are qualified only outside {@code public} ({@code author}, {@code
 * billing.invoice}), as migrations write them. Column order is not part of a schema: two databases
 * that reached the same shape by different paths compare equal.
 */
public record Schema(
    Map<String, Table> tables, Map<String, EnumType> enums, Map<String, Sequence> sequences) {
  public Schema {
    tables = Map.copyOf(tables);
    enums = Map.copyOf(enums);
    sequences = Map.copyOf(sequences);
  }

  public static Schema empty() {
    return new Schema(Map.of(), Map.of(), Map.of());
  }

  /** Tables by name, sorted, for output in a stable order. */
  public Map<String, Table> sortedTables() {
    return new TreeMap<>(tables);
  }
}
