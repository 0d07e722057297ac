package dev.convoy.migration;

import java.util.Map;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Where each part of a YAML scalar's value was written in the file, as {@link
 * Migration#line(String, String, int)} reads it. A literal block ({@code |}) keeps the file's line
 * breaks, so its first line is enough; a folded block ({@code >}) and plain or quoted scalars join
 * lines with spaces, so the value is walked against the file text: each non-blank character of the
 * value is found in the source (skipping the indentation, quotes and escapes YAML removed), and an
 * entry is recorded wherever the source line is not the one the value's own line breaks give.
 */
final class ScalarLines {
  /** How far past escapes and quotes a value character is looked for before it is given up. */
  private static final int SEARCH = 12;

  private ScalarLines() {}

  /** Records {@code field@offset} entries for {@code node} (nothing when it is not a scalar). */
  static void record(String field, Node node, int[] source, Map<String, Integer> lines) {
    if (!(node instanceof ScalarNode s)) {
      return;
    }
    int p = s.getStartMark().getIndex();
    int line = s.getStartMark().getLine() + 1;
    int end = Math.min(s.getEndMark().getIndex(), source.length);
    if (s.getScalarStyle() == ScalarStyle.LITERAL || s.getScalarStyle() == ScalarStyle.FOLDED) {
      while (p < end && source[p] != '\n') {
        p++;
      }
      p++;
      line++;
    }
    String value = s.getValue();
    int atLine = -1;
    int breaks = 0;
    for (int o = 0; o < value.length(); ) {
      int c = value.codePointAt(o);
      if (c == '\n') {
        breaks++;
      } else if (!Character.isWhitespace(c)) {
        int q = p;
        int ql = line;
        int skipped = 0;
        while (q < end && source[q] != c && skipped <= SEARCH) {
          if (source[q] == '\n') {
            ql++;
          } else if (!Character.isWhitespace(source[q])) {
            skipped++;
          }
          q++;
        }
        if (q < end && source[q] == c) {
          if (atLine < 0 || ql != atLine + breaks) {
            lines.put(field + "@" + o, ql);
            atLine = ql;
            breaks = 0;
          }
          p = q + 1;
          line = ql;
        }
      }
      o += Character.charCount(c);
    }
  }
}
