package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.schema.Renames;
import dev.convoy.schema.Schema;
import dev.convoy.schema.Table;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --rename table.old:new}: a column the author confirms was renamed, not dropped and added.
 * Checked against both schemas, so a typo is an error instead of a silent drop and add.
 */
final class RenameOptions {
  /** {@code [schema.]table.old:new}; the last dot before the colon ends the table's name. */
  private static final Pattern RENAME = Pattern.compile("(.+)\\.([^.:]+):([^.:]+)");

  private RenameOptions() {}

  /** Refuses a value that is not {@code table.old:new}, before any schema is built. */
  static void checkSyntax(List<String> values) {
    values.forEach(RenameOptions::match);
  }

  private static Matcher match(String v) {
    Matcher m = RENAME.matcher(v.strip());
    if (!m.matches()) {
      throw bad(
          "--rename '" + v + "' is not table.old_column:new_column (e.g. author.name:full_name)");
    }
    return m;
  }

  /** The renames, each checked against the schema before ({@code from}) and after ({@code to}). */
  static Renames parse(List<String> values, Schema from, Schema to) {
    Map<String, Map<String, String>> byTable = new HashMap<>();
    for (String v : values) {
      Matcher m = match(v);
      String table = m.group(1);
      String old = m.group(2);
      String renamed = m.group(3);
      Table before = from.tables().get(table);
      Table after = to.tables().get(table);
      if (before == null || after == null) {
        throw bad(
            "--rename '"
                + v
                + "': table '"
                + table
                + "' is not in "
                + (before == null ? "the current schema" : "the declared schema")
                + "; tables: "
                + String.join(", ", (before == null ? from : to).sortedTables().keySet()));
      }
      if (!before.columns().containsKey(old) || after.columns().containsKey(old)) {
        throw bad(
            "--rename '"
                + v
                + "': '"
                + table
                + "' has no column '"
                + old
                + "' that the declared schema drops");
      }
      if (!after.columns().containsKey(renamed) || before.columns().containsKey(renamed)) {
        throw bad(
            "--rename '"
                + v
                + "': the declared schema adds no column '"
                + renamed
                + "' to '"
                + table
                + "'");
      }
      if (byTable.computeIfAbsent(table, t -> new HashMap<>()).put(old, renamed) != null) {
        throw bad("--rename '" + v + "': column '" + table + "." + old + "' is renamed twice");
      }
    }
    return new Renames(byTable);
  }

  private static ConvoyException bad(String message) {
    return new ConvoyException(ErrorCode.BAD_INPUT, message);
  }
}
