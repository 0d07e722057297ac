package dev.convoy.schema;

import java.util.List;

/**
 * An index that backs no constraint. {@code definition} is {@code pg_get_indexdef} (the whole
 * {@code CREATE [UNIQUE] INDEX name ON table USING method (keys) [INCLUDE …] [WHERE …]}); {@code
 * keys} are its key columns, or null when a key is an expression or carries an operator class,
 * collation or ordering that a plain column list cannot say; {@code method} is {@code btree} unless
 * not; {@code where} is the predicate of a partial index or null.
 */
public record Index(
    String name,
    String table,
    boolean unique,
    String method,
    List<String> keys,
    String where,
    String definition,
    String comment) {
  public Index {
    keys = keys == null ? null : List.copyOf(keys);
  }

  /** True when {@code create_index} can express it: plain columns, no INCLUDE, no options. */
  public boolean plainColumns() {
    return keys != null;
  }
}
