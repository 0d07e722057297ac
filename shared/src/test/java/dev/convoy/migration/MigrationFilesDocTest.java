package dev.convoy.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.lint.Finding;
import dev.convoy.lint.Linter;
import dev.convoy.ops.OperationParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/migration-files.md is the reference users write migrations from: every example in it must
 * parse with the real parser and pass lint, and every operation and field the parser takes must be
 * in it.
 */
class MigrationFilesDocTest {
  private static final Path DOC = Path.of("..", "docs", "migration-files.md");
  private static final Pattern BLOCK = Pattern.compile("(?s)```(yaml|sql)\\n(.*?)```");

  @TempDir Path tmp;

  @Test
  void every_yaml_and_sql_example_parses_with_the_real_parser_and_passes_lint() throws IOException {
    String doc = Files.readString(DOC);
    List<String> problems = new ArrayList<>();
    int examples = 0;
    Matcher m = BLOCK.matcher(doc);
    while (m.find()) {
      int line = doc.substring(0, m.start()).split("\n", -1).length;
      String text = m.group(2);
      boolean sql = m.group(1).equals("sql");
      if (sql && !text.startsWith("-- revision:")) {
        continue;
      }
      examples++;
      Path dir = Files.createDirectories(tmp.resolve("example" + line).resolve("versions"));
      Files.writeString(
          dir.resolve("doc0" + line + (sql ? "_example.sql" : "_example.yaml")),
          sql ? alone(text, "-- ") : revision(text, line));
      try {
        Migration parsed = MigrationDirectory.load(dir.getParent()).all().get(0);
        List<Finding> blocking = Linter.blocking(Linter.lint(parsed), Set.of());
        if (!blocking.isEmpty()) {
          problems.add("docs/migration-files.md:" + line + ": lint refuses it: " + blocking);
        }
      } catch (InvalidMigrationsException e) {
        problems.add("docs/migration-files.md:" + line + ": " + e.problems());
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
    assertTrue(examples >= OperationParser.fields().size(), examples + " examples");
  }

  /**
   * What the header's table says about {@code transactional} and a typed index holds: left out, the
   * revision runs; {@code transactional: true} next to it is refused, as the doc warns.
   */
  @Test
  void transactional_true_next_to_a_create_index_is_refused_as_the_doc_says() throws IOException {
    String doc = Files.readString(DOC);
    assertTrue(doc.contains("Writing `transactional: true` next to one of them is refused"));
    String index = "operations:\n  - op: create_index\n    table: author\n    columns: [name]\n";
    Path left = Files.createDirectories(tmp.resolve("left").resolve("versions"));
    Files.writeString(
        left.resolve("idx1_index.yaml"), "revision: idx1\ndown_revision: null\n" + index);
    assertTrue(
        MigrationDirectory.load(left.getParent()).all().get(0).declaredTransactional() == null);
    Path said = Files.createDirectories(tmp.resolve("said").resolve("versions"));
    Files.writeString(
        said.resolve("idx1_index.yaml"),
        "revision: idx1\ndown_revision: null\ntransactional: true\n" + index);
    try {
      MigrationDirectory.load(said.getParent());
      throw new AssertionError("transactional: true with create_index was accepted");
    } catch (InvalidMigrationsException e) {
      assertTrue(
          e.problems().toString().contains("says 'transactional: true'"), e.problems().toString());
    }
  }

  @Test
  void every_operation_has_a_section_with_each_of_its_fields_and_an_example() throws IOException {
    String doc = Files.readString(DOC);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, List<String>> op : OperationParser.fields().entrySet()) {
      String section = section(doc, "### `" + op.getKey() + "`");
      if (section == null) {
        missing.add("no section for " + op.getKey());
        continue;
      }
      for (String field : op.getValue()) {
        if (!section.contains("| `" + field + "` |")) {
          missing.add(op.getKey() + " does not describe its field " + field);
        }
      }
      for (String says : List.of("Phase", "Downgrade")) {
        if (!section.contains("**" + says)) {
          missing.add(op.getKey() + " does not say its " + says.toLowerCase());
        }
      }
      if (!section.contains("op: " + op.getKey() + "\n")) {
        missing.add(op.getKey() + " has no example");
      }
    }
    String header = section(doc, "## The YAML file's header");
    for (String field : YamlMigrationParser.FIELDS) {
      if (!header.contains("| `" + field + "` |")) {
        missing.add("the YAML header does not describe " + field);
      }
    }
    String sql = section(doc, "## The `.sql` file");
    for (String key : SqlMigrationParser.KEYS) {
      if (!sql.contains("| `" + key + "` |")) {
        missing.add("the .sql header does not describe " + key);
      }
    }
    String column = section(doc, "## Column");
    for (String field : OperationParser.columnFields()) {
      if (!column.contains("| `" + field + "` |")) {
        missing.add("the column does not describe " + field);
      }
    }
    assertEquals(List.of(), missing, String.join("\n", missing));
  }

  /** An example of operations only, as the whole file it would be in. */
  private static String revision(String text, int line) {
    if (text.startsWith("revision:")) {
      return alone(text, "");
    }
    return "revision: doc0"
        + line
        + "\ndown_revision: null\nmessage: example\noperations:\n"
        + text.replaceAll("(?m)^", "  ");
  }

  /** The example as the only revision of a directory: it follows none. */
  private static String alone(String text, String comment) {
    return text.replaceFirst(
        "(?m)^" + comment + "down_revision:.*$", comment + "down_revision: null");
  }

  /** From {@code heading} to the next heading of the same or a higher level, or null. */
  private static String section(String doc, String heading) {
    int at = doc.indexOf("\n" + heading + "\n");
    if (at < 0) {
      return null;
    }
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int next = doc.indexOf("\n" + level, at + heading.length() + 1);
    if (level.equals("### ")) {
      int up = doc.indexOf("\n## ", at + heading.length() + 1);
      next = next < 0 || (up >= 0 && up < next) ? up : next;
    }
    return doc.substring(at, next < 0 ? doc.length() : next);
  }
}
