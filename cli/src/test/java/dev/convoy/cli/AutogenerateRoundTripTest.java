package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convoy.testkit.CatalogDump;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance line 4 of issue 12: over every kind of schema change, a revision generated from the
 * declared schema takes the database to exactly that schema, its downgrade takes it back to exactly
 * the previous one, and generating again at once finds nothing. "Exactly" is {@link CatalogDump}'s
 * word, which reads the catalog without Convoy's reader. A mismatch does not stop the walk: every
 * step runs and every finding is reported together, with the step, its kinds, the differing dump
 * lines and the generated YAML.
 */
class AutogenerateRoundTripTest {
  private static final int KINDS_AT_LEAST = 40;

  @TempDir Path dir;

  private final Map<Integer, String> declaredDumps = new HashMap<>();
  private final List<String> findings = new ArrayList<>();

  @Test
  void every_kind_of_change_round_trips_through_generate_upgrade_and_downgrade() {
    List<RoundTripCorpus.Step> steps = RoundTripCorpus.steps();
    Set<String> kinds = new LinkedHashSet<>();
    steps.forEach(step -> kinds.addAll(step.kinds()));
    try (TestDatabase db = TestPostgres.createDatabase("autogen_round_trip")) {
      ConvoyShell convoy = ConvoyShell.at(dir, db.url());
      for (int i = 0; i < steps.size(); i++) {
        walk(convoy, db, steps, i);
      }
      RoundTripCorpus.SURVIVING.forEach(
          (query, expected) -> {
            String actual = db.scalar(query);
            if (!expected.equals(actual)) {
              findings.add(
                  "rows did not survive the walk: "
                      + query
                      + "\n  expected: "
                      + expected
                      + "\n  actual:   "
                      + actual);
            }
          });
    }
    assertEquals(
        List.of(),
        findings,
        () -> findings.size() + " findings:\n\n" + String.join("\n\n", findings));
    assertTrue(
        kinds.size() >= KINDS_AT_LEAST,
        () -> "only " + kinds.size() + " kinds of change covered: " + kinds);
    assertEquals(
        kinds.size(),
        steps.stream().mapToLong(s -> s.kinds().size()).sum(),
        "every kind is named once");
  }

  /**
   * Step {@code i}: generate, fill, upgrade, compare; downgrade, compare; upgrade; generate again.
   */
  private void walk(ConvoyShell convoy, TestDatabase db, List<RoundTripCorpus.Step> steps, int i) {
    RoundTripCorpus.Step step = steps.get(i);
    String where = "step " + i + " (" + step.title() + "; kinds " + step.kinds() + ")";
    write(dir.resolve("schema/schema.sql"), step.schema());

    Set<Path> before = versions();
    ConvoyShell.Result generated = convoy.run("revision", "--autogenerate", "-m", "step " + i);
    if (generated.exitCode() != 0 || !generated.out().contains("Created revision")) {
      stop(where + ": autogenerate did not create a revision\n" + generated);
    }
    Set<Path> created = new TreeSet<>(versions());
    created.removeAll(before);
    if (created.size() != 1) {
      stop(where + ": autogenerate should write one file, wrote " + created + "\n" + generated);
    }
    Path file = created.iterator().next();
    String yaml = read(file);
    try {
      yaml = Placeholders.fill(yaml, step.fills());
    } catch (IllegalStateException e) {
      stop(where + ": " + e.getMessage() + "\n--- generated " + file + "\n" + yaml);
    }
    write(file, yaml);
    String shown = "--- generated " + dir.relativize(file) + "\n" + yaml;

    ConvoyShell.Result up = convoy.run("upgrade", "head");
    if (up.exitCode() != 0) {
      stop(where + ": upgrade head failed\n" + up + shown);
    }
    compare(where + " after upgrade head", declared(steps, i), db, shown);

    ConvoyShell.Result down = convoy.run("downgrade", "-1", "--allow-data-loss");
    if (down.exitCode() != 0) {
      findings.add(where + ": downgrade -1 failed\n" + down + shown);
    } else {
      compare(where + " after downgrade -1", declared(steps, i - 1), db, shown);
      ConvoyShell.Result again = convoy.run("upgrade", "head");
      if (again.exitCode() != 0) {
        stop(where + ": upgrade head after downgrade -1 failed\n" + again + shown);
      }
      compare(where + " after downgrade -1 and upgrade head", declared(steps, i), db, shown);
    }
    if (step.data() != null) {
      db.execute(step.data());
    }

    Set<Path> beforeAgain = versions();
    ConvoyShell.Result nothing = convoy.run("revision", "--autogenerate", "-m", "again " + i);
    Set<Path> extra = new TreeSet<>(versions());
    extra.removeAll(beforeAgain);
    if (nothing.exitCode() != 0
        || !nothing.out().contains("No changes detected")
        || !extra.isEmpty()) {
      StringBuilder f = new StringBuilder(where + ": generating again found changes\n" + nothing);
      for (Path p : extra) {
        f.append("--- written ").append(dir.relativize(p)).append('\n').append(read(p));
        delete(p); // so the next step builds on the revisions under test only
      }
      findings.add(f.append(shown).toString());
    }
  }

  /** Ends the walk (the database's state is unknown from here), with every finding so far. */
  private void stop(String why) {
    fail(
        why
            + (findings.isEmpty()
                ? ""
                : "\n\nand before that, "
                    + findings.size()
                    + " findings:\n\n"
                    + String.join("\n\n", findings)));
  }

  private void compare(String when, String expected, TestDatabase db, String shown) {
    String actual = CatalogDump.of(db);
    if (!expected.equals(actual)) {
      findings.add(
          when
              + ": the database differs from the declared schema"
              + " (- declared, missing; + in the database, not declared)\n"
              + CatalogDump.difference(expected, actual).indent(2)
              + shown);
    }
  }

  /** The dump of S{@code i} run directly in a scratch database (S-1 is the empty database). */
  private String declared(List<RoundTripCorpus.Step> steps, int i) {
    return declaredDumps.computeIfAbsent(
        i,
        k -> {
          try (TestDatabase scratch = TestPostgres.createDatabase("autogen_declared_" + k)) {
            if (k >= 0) {
              scratch.execute(steps.get(k).schema());
            }
            return CatalogDump.of(scratch);
          }
        });
  }

  private Set<Path> versions() {
    Path versions = dir.resolve("versions");
    if (!Files.isDirectory(versions)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.list(versions)) {
      return new TreeSet<>(files.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path file) {
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
