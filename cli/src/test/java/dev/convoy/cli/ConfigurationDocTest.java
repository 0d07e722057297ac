package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * docs/configuration.md is what the commands say about themselves: it cannot fall behind an option
 * added, renamed or given another default.
 */
class ConfigurationDocTest {
  private static final Path DOC = Path.of("..", "docs", "configuration.md");

  @Test
  void the_configuration_reference_is_what_the_generator_prints_from_the_commands()
      throws Exception {
    String generated = ConvoyShell.exec("docs", "config").exits(0).out();
    String committed = Files.exists(DOC) ? Files.readString(DOC) : "";
    assertEquals(
        generated,
        committed,
        "docs/configuration.md differs from the commands; regenerate it with '"
            + ConfigReference.REGENERATE
            + "' (from the repository's root) and commit it");
  }

  @Test
  void every_option_of_every_command_is_in_it_with_its_variable_key_and_default() {
    String doc = ConvoyShell.exec("docs", "config").exits(0).out();
    for (CommandLine c : HelpTest.commands()) {
      if (c.getParent() == null || c.getCommandSpec().usageMessage().hidden()) {
        continue;
      }
      String section = section(doc, "## " + c.getCommandSpec().qualifiedName(" ") + "\n");
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (o.usageHelp() || o.versionHelp()) {
          continue;
        }
        String key = o.longestName().substring(2);
        String row =
            section
                .lines()
                .filter(l -> l.startsWith("| `" + o.longestName()))
                .findFirst()
                .orElse("");
        assertTrue(
            row.contains("`" + ConfigDefaults.envName(key) + "`") && row.contains("`" + key + "`"),
            c.getCommandSpec().qualifiedName(" ") + " " + o.longestName() + ": " + row);
        if (o.defaultValue() != null) {
          assertTrue(row.contains("`" + o.defaultValue() + "`"), row);
        }
      }
    }
  }

  @Test
  void the_url_option_reads_convoy_database_url_and_the_lock_timeout_defaults_to_2s() {
    String doc = ConvoyShell.exec("docs", "config").exits(0).out();
    String upgrade = section(doc, "## convoy upgrade\n");
    assertTrue(upgrade.contains("| `--url URL` | `CONVOY_DATABASE_URL` | `url` | none |"), upgrade);
    assertTrue(
        upgrade.contains("| `--lock-timeout` | `CONVOY_LOCK_TIMEOUT` | `lock-timeout` | `2s` |"),
        upgrade);
  }

  /** From {@code heading} to the next section. */
  private static String section(String doc, String heading) {
    int at = doc.indexOf(heading);
    assertTrue(at >= 0, "no section " + heading.strip());
    int next = doc.indexOf("\n## ", at + heading.length());
    return doc.substring(at, next < 0 ? doc.length() : next);
  }
}
