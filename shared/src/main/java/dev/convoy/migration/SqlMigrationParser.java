package dev.convoy.migration;

import dev.convoy.error.Problem;
import dev.convoy.lint.SqlText;
import dev.convoy.ops.RawSql;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@code .sql} migration: {@code -- key: value} header comments, then {@code -- +upgrade}
 * and optionally {@code -- +downgrade} sections of raw SQL. A marker counts only as a comment of
 * its own: the same line inside a {@code $$} function body, a string or a block comment is SQL.
 */
final class SqlMigrationParser {
  private static final Pattern HEADER = Pattern.compile("^--\\s*([a-z_]+)\\s*:\\s*(.*?)\\s*$");
  private static final Pattern SECTION =
      Pattern.compile("^--\\s*\\+(upgrade|downgrade)\\s*$", Pattern.CASE_INSENSITIVE);
  static final List<String> KEYS =
      List.of(
          "revision",
          "down_revision",
          "message",
          "branch_labels",
          "depends_on",
          "transactional",
          "irreversible",
          "lint_ignore");

  private SqlMigrationParser() {}

  static Optional<Migration> parse(String file, String text, List<Problem> problems) {
    Map<String, String> headers = new HashMap<>();
    Map<String, Integer> lines = new HashMap<>();
    StringBuilder up = null;
    StringBuilder down = null;
    StringBuilder current = null;
    int before = problems.size();
    String[] all = text.split("\r\n|\r|\n", -1);
    int[] starts = lineStarts(text, all.length);
    IntPredicate insideText = SqlText.insideText(text);
    for (int i = 0; i < all.length; i++) {
      String line = all[i];
      Matcher section = SECTION.matcher(line.strip());
      if (section.matches() && !insideText.test(starts[i])) {
        boolean isUp = section.group(1).toLowerCase(Locale.ROOT).equals("upgrade");
        if ((isUp ? up : down) != null) {
          problems.add(new Problem(file, i + 1, "a second '-- +" + section.group(1) + "' section"));
        }
        current = new StringBuilder();
        lines.put(isUp ? "upgrade" : "downgrade", i + 1);
        if (isUp) {
          up = current;
        } else {
          down = current;
        }
        continue;
      }
      if (current != null) {
        current.append(line).append('\n');
        continue;
      }
      Matcher h = HEADER.matcher(line.strip());
      if (h.matches()) {
        String key = h.group(1);
        if (!KEYS.contains(key)) {
          problems.add(
              new Problem(file, i + 1, "unknown header '" + key + "'; expected one of " + KEYS));
        } else if (headers.put(key, h.group(2)) != null) {
          problems.add(new Problem(file, i + 1, "header '" + key + "' is given twice"));
        }
        lines.put(key, i + 1);
      }
    }
    String revision = headers.get("revision");
    if (revision == null || revision.isEmpty()) {
      problems.add(new Problem(file, 1, "missing header '-- revision: <id>'"));
    }
    if (!headers.containsKey("down_revision")) {
      problems.add(
          new Problem(
              file,
              1,
              "missing header '-- down_revision: <id>' (write '-- down_revision: null' for the first"
                  + " revision)"));
    }
    if (up == null || up.toString().isBlank()) {
      problems.add(
          new Problem(
              file,
              1,
              up == null
                  ? "no '-- +upgrade' section: put the upgrade SQL after a '-- +upgrade' line"
                  : "the '-- +upgrade' section is empty"));
    }
    Boolean transactional = bool(file, "transactional", headers, lines, problems);
    Boolean irreversible = bool(file, "irreversible", headers, lines, problems);
    String badIgnore = dev.convoy.lint.Rule.unknownIn(list(headers.get("lint_ignore")));
    if (badIgnore != null) {
      problems.add(new Problem(file, 1, badIgnore));
    }
    if (problems.size() > before) {
      return Optional.empty();
    }
    String downSql = down == null || down.toString().isBlank() ? null : down.toString().strip();
    boolean runInTx = transactional == null || transactional;
    lines.put("operations[0].up@0", lines.get("upgrade") + 1 + leadingBreaks(up.toString()));
    if (downSql != null) {
      lines.put(
          "operations[0].down@0", lines.get("downgrade") + 1 + leadingBreaks(down.toString()));
    }
    return Optional.of(
        new Migration(
            revision,
            list(headers.get("down_revision")),
            headers.getOrDefault("message", ""),
            list(headers.get("branch_labels")),
            list(headers.get("depends_on")),
            transactional,
            list(headers.get("lint_ignore")),
            List.of(new RawSql(up.toString().strip(), downSql, runInTx)),
            file,
            Checksums.of(text),
            lines,
            Boolean.TRUE.equals(irreversible)));
  }

  /** The offset where each of the {@code count} lines of {@code text} starts. */
  private static int[] lineStarts(String text, int count) {
    int[] starts = new int[count];
    Matcher m = Pattern.compile("\r\n|\r|\n").matcher(text);
    for (int i = 1; i < count && m.find(); i++) {
      starts[i] = m.end();
    }
    return starts;
  }

  /** The line breaks before the first non-blank character: the lines strip() takes away. */
  private static int leadingBreaks(String section) {
    int n = 0;
    for (int i = 0; i < section.length() && Character.isWhitespace(section.charAt(i)); i++) {
      if (section.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }

  /** A {@code true}/{@code false} header, or null when absent (a problem when neither). */
  private static Boolean bool(
      String file,
      String key,
      Map<String, String> headers,
      Map<String, Integer> lines,
      List<Problem> problems) {
    String v = headers.get(key);
    if (v == null) {
      return null;
    }
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v.toLowerCase(Locale.ROOT));
    }
    problems.add(
        new Problem(
            file,
            lines.get(key),
            key
                + " must be true or false, got '"
                + v
                + "'; write '-- "
                + key
                + ": true' or remove the line"));
    return null;
  }

  /** "a, b" or "[a, b]" or "null" or "" as a list. */
  static List<String> list(String value) {
    if (value == null) {
      return List.of();
    }
    String v = value.strip();
    if (v.startsWith("[") && v.endsWith("]")) {
      v = v.substring(1, v.length() - 1);
    }
    if (v.isEmpty() || v.equals("null") || v.equals("None") || v.equals("~")) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String s : Arrays.asList(v.split(","))) {
      String t = s.strip();
      if (t.length() > 1 && (t.startsWith("'") || t.startsWith("\""))) {
        t = t.substring(1, t.length() - 1);
      }
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return out;
  }
}
