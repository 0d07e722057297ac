package dev.convoy.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.migration.MigrationDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus under {@code lint-corpus/}: each case is SQL a user could write, with the rules lint
 * must name for it written above it ({@code -- expect: a, b} or {@code none}). Each case is linted
 * as a revision of its own, so the tokenizer's tricky cases (strings, dollar quotes, comments,
 * quoted names) and every rule are held to exactly what is written there.
 */
class LintCorpusTest {
  private static final Path CORPUS = Path.of("src", "test", "resources", "lint-corpus");
  private static final String EXPECT = "-- expect:";
  private static final String EXPECT_NON_TX = "-- expect outside a transaction:";

  @TempDir Path dir;

  private record Case(
      String file, int line, boolean transactional, List<String> expected, String sql) {}

  @Test
  void every_corpus_statement_gets_exactly_the_findings_written_beside_it() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(CORPUS)) {
      for (Path f : files.sorted().toList()) {
        cases.addAll(read(f));
      }
    }
    int statements = 0;
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      statements += SqlStatement.split(c.sql()).size();
      List<String> got = lint(i, c);
      if (!got.equals(c.expected())) {
        wrong.add(
            c.file() + ":" + c.line() + " expected " + c.expected() + " but lint said " + got);
      }
    }
    assertEquals(List.of(), wrong, String.join("\n", wrong));
    assertTrue(statements >= 80, statements + " statements in the corpus");
  }

  private List<String> lint(int n, Case c) throws IOException {
    Path d = dir.resolve("case" + n);
    Files.createDirectories(d.resolve("versions"));
    Files.writeString(
        d.resolve("versions/c0001.sql"),
        "-- revision: c0001\n-- down_revision:\n"
            + (c.transactional() ? "" : "-- transactional: false\n")
            + "-- +upgrade\n"
            + c.sql()
            + "\n-- +downgrade\nSELECT 1;\n");
    return Linter.lint(MigrationDirectory.load(d).all()).stream().map(f -> f.rule().id()).toList();
  }

  private static List<Case> read(Path f) throws IOException {
    List<Case> out = new ArrayList<>();
    List<String> lines = Files.readAllLines(f);
    Case cur = null;
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i <= lines.size(); i++) {
      String l = i < lines.size() ? lines.get(i) : EXPECT + " end";
      boolean nonTx = l.startsWith(EXPECT_NON_TX);
      if (l.startsWith(EXPECT) || nonTx) {
        if (cur != null) {
          out.add(
              new Case(
                  cur.file(), cur.line(), cur.transactional(), cur.expected(), sql.toString()));
        }
        String rules = l.substring(nonTx ? EXPECT_NON_TX.length() : EXPECT.length()).strip();
        List<String> expected =
            rules.equals("none") ? List.of() : Arrays.stream(rules.split(",\\s*")).toList();
        cur = new Case(f.getFileName().toString(), i + 1, !nonTx, expected, null);
        sql = new StringBuilder();
      } else if (cur != null) {
        sql.append(l).append('\n');
      }
    }
    return out;
  }
}
