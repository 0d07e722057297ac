package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Where an enum is used other than as a plain column's type: array columns, and expressions
 * (checks, index predicates and keys, defaults of other types) that cast to it. Recreating the enum
 * converts plain columns only, so autogenerate refuses to write a recreate these would break.
 */
final class EnumUses {
  private EnumUses() {}

  static List<String> beyondColumns(Schema schema, String enumName) {
    String simple = Sql.simpleName(enumName);
    List<String> out = new ArrayList<>();
    new TreeMap<>(schema.tables())
        .forEach(
            (t, table) -> {
              table
                  .columns()
                  .values()
                  .forEach(
                      c -> {
                        if (c.type().equals(enumName + "[]") || c.type().equals(simple + "[]")) {
                          out.add("array column " + t + "." + c.name());
                        }
                      });
              table
                  .checks()
                  .values()
                  .forEach(
                      c -> {
                        if (casts(c.expression(), simple)) {
                          out.add("check " + c.name() + " on " + t);
                        }
                      });
              table
                  .indexes()
                  .values()
                  .forEach(
                      i -> {
                        if (casts(i.definition(), simple)) {
                          out.add("index " + i.name() + " on " + t);
                        }
                      });
            });
    return out;
  }

  private static boolean casts(String expression, String simple) {
    return expression != null
        && (expression.contains("::" + simple) || expression.contains("::\"" + simple + "\""));
  }
}
