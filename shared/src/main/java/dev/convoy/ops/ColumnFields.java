package dev.convoy.ops;

import dev.convoy.migration.YamlObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of an operation that describe a column: its spec ({@code name}, {@code type}, ...) and
 * the {@code backfill} expression, which refuses autogenerate's placeholder at its line.
 */
public final class ColumnFields {
  static final List<String> FIELDS = List.of("name", "type", "nullable", "default", "primary_key");

  private ColumnFields() {}

  /** The text autogenerate leaves on a backfill line for the author to replace. */
  /** The backfill autogenerate writes for the author to replace; refused until replaced. */
  public static final String BACKFILL_PLACEHOLDER = "<fill in: SQL expression for existing rows>";

  /** What marks any placeholder, however the author reworded the rest of it. */
  private static final String PLACEHOLDER_MARK = "<fill in";

  /**
   * The backfill expression; autogenerate's placeholder is refused at its line, so neither {@code
   * upgrade} nor {@code lint} runs a revision whose author has not written it yet.
   */
  static String backfill(YamlObject y, String what, String fix) {
    String backfill = y.string("backfill").orElse(null);
    if (backfill != null && backfill.strip().startsWith(PLACEHOLDER_MARK)) {
      y.problem(
          "backfill",
          what
              + ": the backfill is still the placeholder autogenerate wrote; replace it with "
              + fix);
    }
    return backfill;
  }

  static List<ColumnSpec> columns(YamlObject y, boolean typeRequired) {
    List<ColumnSpec> out = new ArrayList<>();
    for (YamlObject c : y.objects("columns")) {
      ColumnSpec spec = columnSpec(c, "a column", typeRequired);
      if (spec != null) {
        out.add(spec);
      }
    }
    return out;
  }

  static ColumnSpec column(YamlObject y, String context, boolean typeRequired) {
    Optional<YamlObject> c = y.object("column");
    if (c.isEmpty()) {
      y.problem("missing required field 'column' ({name: ..., type: ...}) in " + context);
      return null;
    }
    return columnSpec(c.get(), "the column of " + context, typeRequired);
  }

  static ColumnSpec columnSpec(YamlObject c, String context, boolean typeRequired) {
    c.onlyKeys(context, FIELDS);
    String name = c.requiredString("name", context);
    String type = typeRequired ? c.requiredString("type", context) : c.string("type").orElse(null);
    if (name == null || (typeRequired && type == null)) {
      return null;
    }
    return new ColumnSpec(
        name,
        type,
        c.bool("nullable", true),
        c.string("default").orElse(null),
        c.bool("primary_key", false));
  }

  /** An {@code alter_column}: what it changes of one column, and how to change it back. */
  static Operation alterColumn(YamlObject y) {
    String table = y.requiredString("table", "alter_column");
    String column = y.requiredString("column", "alter_column");
    String type = y.string("type").orElse(null);
    String def = y.string("default").orElse(null);
    boolean dropDefault = y.bool("drop_default", false);
    Optional<Boolean> nullable = y.optionalBool("nullable");
    if (type == null && def == null && !dropDefault && nullable.isEmpty()) {
      y.problem(
          "alter_column "
              + table
              + "."
              + column
              + " changes nothing; give type, default, drop_default or nullable");
    }
    return new AlterColumn(
        table,
        column,
        type,
        y.string("using").orElse(null),
        y.string("from_type").orElse(null),
        def,
        dropDefault,
        y.string("from_default").orElse(null),
        nullable.orElse(null),
        false,
        y.string("down_using").orElse(null),
        null);
  }
}
