package dev.convoy.testkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What {@link ChainCorpus} knows of the schema while it writes a chain: tables, their columns and
 * the indexes, so every operation it writes is valid when the revisions are applied in order.
 */
final class SchemaModel {
  /**
   * A column: its SQL type, whether it is NOT NULL, may hold NULLs, or carries an index/constraint.
   */
  static final class Col {
    final String type;
    boolean notNull;
    boolean hasNulls;
    boolean key;
    boolean used;

    Col(String type, boolean notNull, boolean hasNulls) {
      this.type = type;
      this.notNull = notNull;
      this.hasNulls = hasNulls;
    }

    boolean text() {
      return type.equals("text");
    }

    boolean integer() {
      return type.equals("integer");
    }
  }

  record Index(String name, String table, String column) {}

  final Map<String, Map<String, Col>> tables = new LinkedHashMap<>();
  final List<Index> indexes = new ArrayList<>();
  final List<String> createdTables = new ArrayList<>();
  boolean bookFk;
  boolean isbnUnique;
  private int counter;
  private final Random random;

  SchemaModel(Random random) {
    this.random = random;
    Map<String, Col> author = new LinkedHashMap<>();
    author.put("id", key());
    author.put("name", new Col("text", true, false));
    author.put("email", new Col("text", false, true));
    author.put("twitter", new Col("text", false, true));
    author.put("bio", new Col("text", false, true));
    author.put("age", new Col("integer", false, true));
    tables.put("author", author);
    Map<String, Col> book = new LinkedHashMap<>();
    book.put("id", key());
    book.put("author_id", new Col("bigint", false, false));
    book.put("title", new Col("text", true, false));
    book.put("pages", new Col("integer", false, true));
    book.put("isbn", new Col("text", false, false));
    tables.put("book", book);
    indexes.add(new Index("ix_book_title", "book", "title"));
    book.get("title").used = true;
  }

  static Col key() {
    Col c = new Col("bigint", true, false);
    c.key = true;
    return c;
  }

  String fresh(String prefix) {
    return prefix + (++counter);
  }

  <T> T pick(List<T> from) {
    return from.isEmpty() ? null : from.get(random.nextInt(from.size()));
  }

  String table() {
    return pick(new ArrayList<>(tables.keySet()));
  }

  /** A column of {@code table} that is not its key and matches {@code test}, or null. */
  String column(String table, java.util.function.Predicate<Col> test) {
    List<String> out = new ArrayList<>();
    tables
        .get(table)
        .forEach(
            (n, c) -> {
              if (!c.key && !n.equals("author_id") && test.test(c)) {
                out.add(n);
              }
            });
    return pick(out);
  }

  Col col(String table, String column) {
    return tables.get(table).get(column);
  }

  void dropColumn(String table, String column) {
    tables.get(table).remove(column);
    indexes.removeIf(i -> i.table().equals(table) && i.column().equals(column));
    if (table.equals("book") && column.equals("isbn")) {
      isbnUnique = true; // gone: never add a unique constraint on it again
    }
  }

  void renameColumn(String table, String from, String to) {
    Map<String, Col> cols = tables.get(table);
    Map<String, Col> renamed = new LinkedHashMap<>();
    cols.forEach((n, c) -> renamed.put(n.equals(from) ? to : n, c));
    tables.put(table, renamed);
    indexes.replaceAll(
        i ->
            i.table().equals(table) && i.column().equals(from)
                ? new Index(i.name(), table, to)
                : i);
  }

  boolean nextBoolean() {
    return random.nextBoolean();
  }
}
