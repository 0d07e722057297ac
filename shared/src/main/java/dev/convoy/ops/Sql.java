package dev.convoy.ops;

import java.util.List;
import java.util.stream.Collectors;

/** Identifier and literal quoting. Identifiers are always quoted; expressions are the author's. */
public final class Sql {
  private Sql() {}

  /** A quoted identifier; "a.b" is read as schema a, name b. */
  public static String name(String qualified) {
    int dot = qualified.indexOf('.');
    if (dot > 0 && dot < qualified.length() - 1) {
      return ident(qualified.substring(0, dot)) + "." + ident(qualified.substring(dot + 1));
    }
    return ident(qualified);
  }

  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  public static String idents(List<String> names) {
    return names.stream().map(Sql::ident).collect(Collectors.joining(", "));
  }

  /**
   * {@code body} dollar-quoted with a tag that does not occur in it ({@code $convoy$}, else {@code
   * $convoy1$}, …), so an author's expression holding {@code $convoy$} cannot end the quote early.
   */
  public static String dollarQuoted(String body) {
    String tag = "$convoy$";
    for (int i = 1; body.contains(tag); i++) {
      tag = "$convoy" + i + "$";
    }
    return tag + " " + body + " " + tag;
  }

  public static String literal(String value) {
    return value == null ? "NULL" : "'" + value.replace("'", "''") + "'";
  }

  /** The unqualified part of a possibly qualified name. */
  public static String simpleName(String qualified) {
    int dot = qualified.indexOf('.');
    return dot > 0 ? qualified.substring(dot + 1) : qualified;
  }

  /** The schema part of a qualified name, or null. */
  public static String schemaOf(String qualified) {
    int dot = qualified.indexOf('.');
    return dot > 0 ? qualified.substring(0, dot) : null;
  }
}
