package dev.convoy.schema;

/**
 * A sequence that is not an identity column's own. {@code ownedBy} is {@code table.column} when the
 * sequence is owned by a column (a {@code serial}), else null.
 */
public record Sequence(
    String name,
    String type,
    long start,
    long increment,
    long min,
    long max,
    long cache,
    boolean cycle,
    String ownedBy,
    String comment) {}
