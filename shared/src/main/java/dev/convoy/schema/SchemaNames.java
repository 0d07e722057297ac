package dev.convoy.schema;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.ops.Sql;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The PostgreSQL schemas (namespaces) a schema's objects live in: one that appears is created
 * before anything goes into it, one that empties is dropped after everything in it is gone. Also
 * refuses names Convoy's operations would misread: they write {@code a.b} for table {@code b} of
 * schema {@code a}, so a table named {@code "a.b"} in public cannot be said.
 */
final class SchemaNames {
  private SchemaNames() {}

  static void diff(Plan plan, Schema from, Schema to) {
    requireSayable(from);
    requireSayable(to);
    Set<String> before = namespaces(from);
    Set<String> after = namespaces(to);
    for (String s : after) {
      if (!before.contains(s)) {
        plan.add(
            DiffOrder.SCHEMA_CREATE,
            "create schema " + s,
            new OpYaml()
                .sql(
                    "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(s),
                    "DROP SCHEMA IF EXISTS " + Sql.ident(s),
                    true,
                    false),
            false);
      }
    }
    for (String s : before) {
      if (!after.contains(s)) {
        plan.add(
            DiffOrder.SCHEMA_DROP,
            "drop schema " + s + " (once empty)",
            new OpYaml()
                .comment(
                    "Dropped without CASCADE: it fails, changing nothing, if anything autogenerate"
                        + " does not compare (a view, a function) still lives in "
                        + s)
                .sql(
                    "DROP SCHEMA IF EXISTS " + Sql.ident(s),
                    "CREATE SCHEMA IF NOT EXISTS " + Sql.ident(s),
                    true,
                    true),
            false);
      }
    }
  }

  private static Set<String> namespaces(Schema schema) {
    Set<String> out = new TreeSet<>();
    names(schema)
        .map(Sql::schemaOf)
        .filter(s -> s != null && !s.equals("public"))
        .forEach(out::add);
    return out;
  }

  private static Stream<String> names(Schema schema) {
    return Stream.of(schema.tables().keySet(), schema.enums().keySet(), schema.sequences().keySet())
        .flatMap(Set::stream);
  }

  private static void requireSayable(Schema schema) {
    names(schema)
        .filter(n -> n.indexOf('.') != n.lastIndexOf('.') || n.startsWith(".") || n.endsWith("."))
        .findFirst()
        .ifPresent(
            n -> {
              throw new ConvoyException(
                  ErrorCode.BAD_INPUT,
                  "'"
                      + n
                      + "' has a dot in its own name, which migrations read as schema.name;"
                      + " rename it (e.g. with _ instead of .) in the declared schema");
            });
  }
}
