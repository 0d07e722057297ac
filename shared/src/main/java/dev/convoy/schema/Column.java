package dev.convoy.schema;

/**
 * A column. {@code type} is {@code format_type} of the column ({@code character varying(255)},
 * {@code timestamp with time zone}, {@code public.mood} for an enum outside the search path's first
 * schema is written unqualified when in public). {@code defaultExpr} and {@code generated} are
 * {@code pg_get_expr} texts (null when absent). {@code identity} is null, {@code "always"} or
 * {@code "by default"}. {@code collation} is null unless it differs from the type's default.
 */
public record Column(
    String name,
    String type,
    boolean notNull,
    String defaultExpr,
    String identity,
    String generated,
    String collation,
    String comment) {}
