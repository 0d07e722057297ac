package dev.convoy.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convoy.lint.Finding;
import dev.convoy.lint.Linter;
import dev.convoy.lint.Severity;
import dev.convoy.migration.Migration;
import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds model schemas for differ tests and reads generated changes back as a migration. */
final class Schemas {
  private Schemas() {}

  static Column col(String name, String type) {
    return new Column(name, type, false, null, null, null, null, null);
  }

  static Column notNull(String name, String type) {
    return new Column(name, type, true, null, null, null, null, null);
  }

  static Column withDefault(Column c, String def) {
    return new Column(
        c.name(),
        c.type(),
        c.notNull(),
        def,
        c.identity(),
        c.generated(),
        c.collation(),
        c.comment());
  }

  static Column withComment(Column c, String comment) {
    return new Column(
        c.name(),
        c.type(),
        c.notNull(),
        c.defaultExpr(),
        c.identity(),
        c.generated(),
        c.collation(),
        comment);
  }

  /** A table with an integer primary key {@code id} named {@code <table>_pkey}, and columns. */
  static TableBuilder table(String name) {
    return new TableBuilder(name);
  }

  static final class TableBuilder {
    final String name;
    final Map<String, Column> columns = new LinkedHashMap<>();
    Table.PrimaryKey pk;
    final Map<String, Table.Unique> uniques = new HashMap<>();
    final Map<String, Table.ForeignKey> fks = new HashMap<>();
    final Map<String, Table.Check> checks = new HashMap<>();
    final Map<String, Index> indexes = new HashMap<>();
    String comment;

    TableBuilder(String name) {
      this.name = name;
    }

    TableBuilder id() {
      columns.put("id", notNull("id", "bigint"));
      pk = new Table.PrimaryKey(name + "_pkey", List.of("id"));
      return this;
    }

    TableBuilder column(Column c) {
      columns.put(c.name(), c);
      return this;
    }

    TableBuilder pk(String pkName, String... cols) {
      pk = new Table.PrimaryKey(pkName, List.of(cols));
      return this;
    }

    TableBuilder unique(String n, String... cols) {
      uniques.put(n, new Table.Unique(n, List.of(cols), false));
      return this;
    }

    TableBuilder fk(String n, String col, String ref, String onDelete) {
      fks.put(
          n,
          new Table.ForeignKey(
              n, List.of(col), ref, List.of("id"), onDelete, "NO ACTION", false, false));
      return this;
    }

    TableBuilder check(String n, String expr) {
      checks.put(n, new Table.Check(n, "CHECK (" + expr + ")"));
      return this;
    }

    TableBuilder index(String n, String... cols) {
      indexes.put(
          n,
          new Index(
              n,
              name,
              false,
              "btree",
              List.of(cols),
              null,
              "CREATE INDEX "
                  + n
                  + " ON public."
                  + name
                  + " USING btree ("
                  + String.join(", ", cols)
                  + ")",
              null));
      return this;
    }

    TableBuilder expressionIndex(String n, String expr) {
      indexes.put(
          n,
          new Index(
              n,
              name,
              false,
              "btree",
              null,
              null,
              "CREATE INDEX " + n + " ON public." + name + " USING btree (" + expr + ")",
              null));
      return this;
    }

    TableBuilder comment(String c) {
      comment = c;
      return this;
    }

    Table build() {
      return new Table(name, columns, pk, uniques, fks, checks, indexes, comment);
    }
  }

  static Schema schema(TableBuilder... tables) {
    Map<String, Table> out = new HashMap<>();
    for (TableBuilder t : tables) {
      out.put(t.name, t.build());
    }
    return new Schema(out, Map.of(), Map.of());
  }

  static Schema with(Schema s, EnumType... enums) {
    Map<String, EnumType> out = new HashMap<>(s.enums());
    for (EnumType e : enums) {
      out.put(e.name(), e);
    }
    return new Schema(s.tables(), out, s.sequences());
  }

  static Schema with(Schema s, Sequence... sequences) {
    Map<String, Sequence> out = new HashMap<>(s.sequences());
    for (Sequence q : sequences) {
      out.put(q.name(), q);
    }
    return new Schema(s.tables(), s.enums(), out);
  }

  /** The generated revision's file text, as autogenerate writes it. */
  static String file(List<Change> changes) {
    StringBuilder sb =
        new StringBuilder("revision: auto0001\ndown_revision: null\nmessage: auto\noperations:\n");
    changes.forEach(c -> sb.append(c.yaml()));
    return sb.toString();
  }

  /** Writes the changes as a revision in {@code dir} and loads it as Convoy does. */
  static Migration load(Path dir, List<Change> changes) {
    try {
      Files.createDirectories(dir.resolve("versions"));
      Files.writeString(dir.resolve("versions/auto0001_auto.yaml"), file(changes));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return MigrationDirectory.load(dir).get("auto0001");
  }

  /** Loads the revision and asserts lint finds nothing that would block it. */
  static Migration loadLintClean(Path dir, List<Change> changes) {
    Migration m = load(dir, changes);
    List<Finding> errors =
        Linter.lint(m).stream().filter(f -> f.severity() == Severity.ERROR).toList();
    assertEquals(List.of(), errors, file(changes));
    return m;
  }
}
