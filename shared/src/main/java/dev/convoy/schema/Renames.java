package dev.convoy.schema;

import java.util.Map;

/**
 * Column renames the author confirmed with {@code --rename table.old:new}: by table, old name to
 * new name. Without one, a column dropped and another of the same type added in one table is
 * written as a drop and an add with a comment suggesting the rename.
 */
public record Renames(Map<String, Map<String, String>> columns) {
  public Renames {
    columns = Map.copyOf(columns);
  }

  public static Renames none() {
    return new Renames(Map.of());
  }
}
