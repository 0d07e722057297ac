package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command and subcommand answers {@code --help} with its options and their defaults, in whole
 * sentences: the help is the reference a user reads first.
 */
class HelpTest {
  /** A sentence ends with a full stop (or a question mark), possibly inside a closing bracket. */
  private static final Pattern WHOLE = Pattern.compile("(?s).*[.?][)\"']?$");

  @Test
  void every_command_and_subcommand_answers_help_with_each_of_its_options() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      String path = path(c);
      ConvoyShell.Result r = ConvoyShell.exec(args(path, "--help"));
      if (r.exitCode() != 0 || !r.out().startsWith("Usage: convoy")) {
        problems.add("convoy " + path + " --help exited " + r.exitCode() + ": " + r.err());
        continue;
      }
      if (r.out().contains("Default: []") || r.out().contains("Default: null")) {
        problems.add("convoy " + path + " --help shows an empty default:\n" + r.out());
      }
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (!o.hidden() && !r.out().contains(o.longestName())) {
          problems.add("convoy " + path + " --help does not list " + o.longestName());
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void rollout_start_help_shows_its_options_and_their_defaults() {
    ConvoyShell.Result r = ConvoyShell.exec("rollout", "start", "--help").exits(0);
    assertTrue(r.out().contains("--strategy"), r.out());
    assertTrue(r.out().contains("Default: expand-first"), r.out());
    assertTrue(r.out().contains("Default: head"), r.out());
  }

  @Test
  void every_option_with_a_default_shows_it_in_help() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      String help = help(c);
      for (OptionSpec o : c.getCommandSpec().options()) {
        String d = o.defaultValue();
        if (o.hidden() || d == null || d.isEmpty()) {
          continue;
        }
        String block = optionBlock(help, o.longestName());
        boolean shown =
            o.showDefaultValue() == CommandLine.Help.Visibility.NEVER
                ? block.contains(d.replaceAll("\\s", ""))
                : block.contains(("Default:" + d).replaceAll("\\s", ""));
        if (!shown) {
          problems.add("convoy " + path(c) + " " + o.longestName() + " hides its default " + d);
        }
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void descriptions_are_whole_sentences_so_command_lists_never_cut_one() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      CommandSpec spec = c.getCommandSpec();
      String[] description = spec.usageMessage().description();
      if (c.getParent() != null && description.length == 0) {
        problems.add("convoy " + path(c) + " has no description");
      }
      // The parent's command list shows the first paragraph only: it must stand alone.
      for (String p : description) {
        if (!WHOLE.matcher(p.strip()).matches()) {
          problems.add("convoy " + path(c) + ": '" + p + "' is not a whole sentence");
        }
      }
      for (OptionSpec o : spec.options()) {
        if (o.description().length == 0) {
          problems.add("convoy " + path(c) + " " + o.longestName() + " is not described");
        }
        for (String p : o.description()) {
          if (!WHOLE.matcher(p.strip()).matches()) {
            problems.add(
                "convoy " + path(c) + " " + o.longestName() + ": '" + p + "' is not a sentence");
          }
        }
      }
      for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
        if (p.description().length == 0) {
          problems.add("convoy " + path(c) + " " + p.paramLabel() + " is not described");
        }
        for (String d : p.description()) {
          if (!WHOLE.matcher(d.strip()).matches()) {
            problems.add("convoy " + path(c) + " " + p.paramLabel() + ": '" + d + "'");
          }
        }
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  /**
   * An option's description is a sentence, not a fragment ("Target revision.", "all, failed or
   * none."): it starts with a capital letter and says something in at least four words.
   */
  @Test
  void option_descriptions_are_sentences_not_fragments() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (o.hidden() || o.description().length == 0) {
          continue;
        }
        String first = o.description()[0].strip();
        boolean capital = Character.isUpperCase(first.charAt(0)) || first.startsWith("--");
        if (!capital || first.split("\\s+").length < 4) {
          problems.add("convoy " + path(c) + " " + o.longestName() + ": '" + first + "'");
        }
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  @Test
  void a_default_is_shown_once() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      String help = help(c);
      for (OptionSpec o : c.getCommandSpec().options()) {
        String d = o.defaultValue();
        if (o.hidden() || d == null || d.isEmpty()) {
          continue;
        }
        String block = optionBlock(help, o.longestName()).toLowerCase(java.util.Locale.ROOT);
        String said = ("default" + d).replaceAll("\\s", "").toLowerCase(java.util.Locale.ROOT);
        if (block.indexOf(said) != block.lastIndexOf(said)
            || block.contains(
                    ("default:" + d).replaceAll("\\s", "").toLowerCase(java.util.Locale.ROOT))
                && block.replace("default:", "").contains(said)) {
          problems.add("convoy " + path(c) + " " + o.longestName() + " says its default twice");
        }
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  @Test
  void a_default_value_is_never_wrapped_in_the_middle() {
    List<String> problems = new ArrayList<>();
    for (CommandLine c : commands()) {
      String help = help(c);
      for (OptionSpec o : c.getCommandSpec().options()) {
        String d = o.defaultValue();
        if (o.hidden() || d == null || d.isEmpty() || d.contains(" ")) {
          continue;
        }
        if (o.showDefaultValue() != CommandLine.Help.Visibility.NEVER && !help.contains(d)) {
          problems.add("convoy " + path(c) + " " + o.longestName() + " wraps its default " + d);
        }
      }
    }
    assertEquals(List.of(), problems, String.join("\n", problems));
  }

  @Test
  void rollout_start_takes_its_target_as_an_argument_as_its_help_says() {
    ConvoyShell.Result r =
        ConvoyShell.exec("rollout", "start", "head", "--api", "http://127.0.0.1:1");
    assertTrue(!r.err().contains("Unmatched argument"), r.err());
    assertTrue(r.err().contains("cannot reach the coordinator at http://127.0.0.1:1"), r.err());
    ConvoyShell.exec("rollout", "start", "head", "--to", "abc123", "--api", "http://127.0.0.1:1")
        .exits(2)
        .errContains("rollout start got two targets, 'head' and --to 'abc123'; give one of them.");
  }

  @Test
  void commands_with_subcommands_answer_help_for_a_subcommand() {
    ConvoyShell.Result r = ConvoyShell.exec("rollout", "help", "start").exits(0);
    assertTrue(r.out().startsWith("Usage: convoy rollout start"), r.out());
    assertTrue(r.out().contains("--strategy"), r.out());
  }

  @Test
  void the_top_level_command_list_ends_each_description_with_its_sentence() {
    String out = ConvoyShell.exec("--help").exits(0).out();
    String list = out.substring(out.indexOf("Commands:"));
    // Each entry, its wrapped lines joined, is one or more whole sentences.
    for (String entry : list.split("\\R(?=  [a-z])")) {
      if (entry.startsWith("Commands:")) {
        continue;
      }
      String text = entry.strip().replaceAll("\\s*\\R\\s*", " ");
      assertTrue(WHOLE.matcher(text).matches(), "cut in the command list: " + text);
    }
  }

  /** The lines of {@code help} from the option's own line up to the next option's. */
  private static String optionBlock(String help, String name) {
    String[] lines = help.split("\\R");
    StringBuilder b = new StringBuilder();
    boolean in = false;
    for (String line : lines) {
      boolean optionLine = line.matches("^\\s{2,6}(-\\w, )?--?[\\w-]+.*");
      if (optionLine) {
        in =
            line.strip().startsWith(name + "=")
                || line.strip().matches("(-\\w, )?" + name + "\\b.*");
      }
      if (in) {
        b.append(line.strip()).append(' ');
      }
    }
    // picocli wraps long values anywhere (after a ':' too): compare without white space.
    return b.toString().replaceAll("\\s", "");
  }

  private static String help(CommandLine c) {
    return ConvoyShell.exec(args(path(c), "--help")).exits(0).out();
  }

  private static String[] args(String path, String last) {
    List<String> a = new ArrayList<>(List.of(path.isEmpty() ? new String[0] : path.split(" ")));
    a.add(last);
    return a.toArray(String[]::new);
  }

  private static String path(CommandLine c) {
    String q = c.getCommandSpec().qualifiedName(" ");
    return q.equals("convoy") ? "" : q.substring("convoy ".length());
  }

  /** The tree as {@code convoy --help} builds it, every subcommand at every depth. */
  static List<CommandLine> commands() {
    Cli cli = new Cli(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    List<CommandLine> out = new ArrayList<>();
    walk(Main.tree(cli), out);
    return out;
  }

  private static void walk(CommandLine c, List<CommandLine> out) {
    if (c.getCommand() instanceof CommandLine.HelpCommand) {
      return;
    }
    out.add(c);
    c.getSubcommands().values().forEach(s -> walk(s, out));
  }
}
