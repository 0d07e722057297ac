package dev.convoy.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Does what the author of a generated revision does with its backfill placeholders: replaces each
 * {@code backfill: "<fill in: …>"} line with the value existing rows get. The operation a
 * placeholder belongs to is the text from the nearest {@code - op:} line above it; the value is the
 * one given for the {@code table.column} that operation names.
 */
final class Placeholders {
  private static final String MARK = "backfill: \"<fill in";

  private Placeholders() {}

  /**
   * The revision's text with every placeholder filled from {@code fills} ({@code table.column} →
   * SQL expression).
   *
   * @throws IllegalStateException naming the line when a placeholder names no column in {@code
   *     fills}, or more than one
   */
  static String fill(String yaml, Map<String, String> fills) {
    List<String> lines = new ArrayList<>(yaml.lines().toList());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.contains(MARK)) {
        continue;
      }
      int op = i;
      while (op > 0 && !lines.get(op).trim().startsWith("- op:")) {
        op--;
      }
      String operation = String.join("\n", lines.subList(op, i + 1));
      List<String> matches =
          fills.keySet().stream().filter(key -> names(operation, key)).sorted().toList();
      if (matches.size() != 1) {
        throw new IllegalStateException(
            "line "
                + (i + 1)
                + " is a backfill placeholder for "
                + (matches.isEmpty() ? "a column this step gives no value for" : matches)
                + ":\n"
                + operation);
      }
      String expression = fills.get(matches.get(0));
      String indent = line.substring(0, line.indexOf(MARK));
      lines.set(
          i,
          indent + "backfill: \"" + expression.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }
    return String.join("\n", lines) + "\n";
  }

  /** The number of placeholders in {@code yaml}. */
  static long count(String yaml) {
    return yaml.lines().filter(l -> l.contains(MARK)).count();
  }

  private static boolean names(String operation, String tableColumn) {
    int dot = tableColumn.lastIndexOf('.');
    String table = Pattern.quote(tableColumn.substring(0, dot));
    String column = Pattern.quote(tableColumn.substring(dot + 1));
    return Pattern.compile("\\btable:\\s*[\"']?" + table + "[\"']?\\s*(#.*)?$", Pattern.MULTILINE)
            .matcher(operation)
            .find()
        && Pattern.compile(
                "\\b(name|column):\\s*[\"']?"
                    + column
                    + "[\"']?\\s*[,}#\\n]|"
                    + "\\b(name|column):\\s*[\"']?"
                    + column
                    + "[\"']?\\s*$",
                Pattern.MULTILINE)
            .matcher(operation)
            .find();
  }
}
