package dev.convoy.schema;

import java.util.List;

/**
 * The operations that take a database from one schema to another, zero-downtime and in dependency
 * order. Implemented on the differ branch; this declaration fixes its signature for its callers.
 */
public final class SchemaDiff {
  private SchemaDiff() {}

  /** The changes from {@code from} to {@code to}, in the order they must run; empty if equal. */
  public static List<Change> between(Schema from, Schema to, Renames renames) {
    throw new UnsupportedOperationException("SchemaDiff is built on the differ branch");
  }
}
