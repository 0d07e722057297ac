package dev.convoy.cli;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A declared schema ({@code migrations/schema/schema.sql}) edited step by step, as a developer
 * edits theirs: a column's line changes, a constraint is added to a table, an index disappears.
 * Statements are written in sections (types and sequences, tables, constraints added by {@code
 * ALTER TABLE}, indexes, comments) so a table can reference one declared after it.
 */
final class DeclaredSchema {
  enum Section {
    TYPES,
    TABLES,
    CONSTRAINTS,
    INDEXES,
    COMMENTS
  }

  private final Map<String, Table> tables = new LinkedHashMap<>();
  private final Map<Section, Map<String, String>> parts = new EnumMap<>(Section.class);

  DeclaredSchema() {
    for (Section s : Section.values()) {
      parts.put(s, new LinkedHashMap<>());
    }
  }

  /** The table {@code name}, created empty (at the end of the tables) when not declared yet. */
  Table table(String name) {
    return tables.computeIfAbsent(name, Table::new);
  }

  DeclaredSchema dropTable(String name) {
    if (tables.remove(name) == null) {
      throw new IllegalArgumentException("no table " + name + " is declared");
    }
    return this;
  }

  /** Declares (or replaces) the statement known as {@code key} in {@code section}. */
  DeclaredSchema put(Section section, String key, String sql) {
    for (Map<String, String> other : parts.values()) {
      if (other != parts.get(section) && other.containsKey(key)) {
        throw new IllegalArgumentException(key + " is already declared in another section");
      }
    }
    parts.get(section).put(key, sql);
    return this;
  }

  DeclaredSchema remove(String key) {
    for (Map<String, String> part : parts.values()) {
      if (part.remove(key) != null) {
        return this;
      }
    }
    throw new IllegalArgumentException("nothing is declared as " + key);
  }

  /** The schema file's text. */
  String sql() {
    List<String> out = new ArrayList<>();
    for (Section s : Section.values()) {
      if (s == Section.TABLES) {
        tables.values().forEach(t -> out.add(t.sql()));
      }
      out.addAll(parts.get(s).values());
    }
    return String.join(";\n", out) + ";\n";
  }

  /** One {@code CREATE TABLE}: column and constraint lines by key, in the order first declared. */
  static final class Table {
    private final String name;
    private final Map<String, String> lines = new LinkedHashMap<>();

    private Table(String name) {
      this.name = name;
    }

    /** Declares or replaces column {@code column} as {@code column definition}. */
    Table column(String column, String definition) {
      lines.put(column, column + " " + definition);
      return this;
    }

    /** Declares or replaces a table constraint line known as {@code key}. */
    Table constraint(String key, String definition) {
      lines.put("constraint " + key, definition);
      return this;
    }

    Table drop(String column) {
      if (lines.remove(column) == null) {
        throw new IllegalArgumentException("table " + name + " declares no column " + column);
      }
      return this;
    }

    Table dropConstraint(String key) {
      if (lines.remove("constraint " + key) == null) {
        throw new IllegalArgumentException("table " + name + " declares no constraint " + key);
      }
      return this;
    }

    private String sql() {
      return "CREATE TABLE " + name + " (\n  " + String.join(",\n  ", lines.values()) + "\n)";
    }
  }
}
