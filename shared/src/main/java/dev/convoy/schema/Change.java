package dev.convoy.schema;

/**
 * One difference between two schemas, as autogenerate writes it and drift reports it. {@code
 * summary} is one line naming the object ({@code add column author.email (text)}); {@code yaml} is
 * the migration text: one or more {@code " - op: …"} list items, indented two spaces, with their
 * comment lines, ending in a newline; {@code losesData} is true when applying it destroys data (a
 * drop, a narrowing type change).
 */
public record Change(String summary, String yaml, boolean losesData) {}
