package dev.convoy.schema;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a type change can lose data: a shorter length, a smaller integer, less precision, or text
 * turned into something that not every text converts to. Anything not recognised is assumed safe;
 * the conversion itself fails rather than truncates for most other pairs.
 */
final class TypeNarrowing {
  private static final Pattern SIZED =
      Pattern.compile(
          "(character varying|character|bit varying|bit|numeric|varchar|char)"
              + "(?:\\((\\d+)(?:,\\s*(\\d+))?\\))?.*");
  private static final Map<String, Integer> INT_RANK =
      Map.of("smallint", 1, "integer", 2, "bigint", 3, "real", 4, "double precision", 5);
  private static final List<String> TEXT =
      List.of("text", "character varying", "varchar", "character", "char");

  private TypeNarrowing() {}

  static boolean narrows(String from, String to) {
    String f = base(from);
    String t = base(to);
    Integer fr = INT_RANK.get(f);
    Integer tr = INT_RANK.get(t);
    if (fr != null && tr != null) {
      return tr < fr;
    }
    Matcher fm = SIZED.matcher(f);
    Matcher tm = SIZED.matcher(t);
    boolean fromText = f.equals("text") || (fm.matches() && TEXT.contains(fm.group(1)));
    if (tm.matches()) {
      boolean sameFamily =
          (fm.matches() && family(fm.group(1)).equals(family(tm.group(1))))
              || (fromText && TEXT.contains(tm.group(1)));
      if (sameFamily) {
        return smaller(fm.matches() ? fm.group(2) : null, tm.group(2))
            || smaller(fm.matches() ? fm.group(3) : null, tm.group(3));
      }
    }
    if (fromText) {
      return !t.equals("text") && !(tm.matches() && TEXT.contains(tm.group(1)));
    }
    return fr == null && tr != null;
  }

  private static String family(String name) {
    return name.startsWith("char") || name.startsWith("character") || name.equals("varchar")
        ? "text"
        : name.startsWith("bit") ? "bit" : name;
  }

  /** True when a limit is added ({@code from} unlimited) or lowered. */
  private static boolean smaller(String from, String to) {
    if (to == null) {
      return false;
    }
    return from == null || Integer.parseInt(to) < Integer.parseInt(from);
  }

  private static String base(String type) {
    int collate = type.indexOf(" COLLATE ");
    return (collate > 0 ? type.substring(0, collate) : type).strip();
  }
}
