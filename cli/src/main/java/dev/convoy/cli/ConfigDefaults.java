package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;

/**
 * Option defaults from the environment, then from {@code convoy.yaml} beside the migrations: every
 * flag {@code --some-name} reads {@code CONVOY_SOME_NAME} and the file's {@code some-name} key. Two
 * flags keep DESIGN.md's names: --url is CONVOY_DATABASE_URL, --dir CONVOY_MIGRATIONS_DIR.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
  private static final Map<String, String> ENV_NAMES =
      Map.of(
          "url", "CONVOY_DATABASE_URL",
          "dir", "CONVOY_MIGRATIONS_DIR",
          "redis", "CONVOY_REDIS_URL",
          "api", "CONVOY_API_URL");
  private final Map<String, String> env;
  private final Map<String, Object> file;
  private final Path path;

  ConfigDefaults(String[] args, Map<String, String> env) {
    this.env = env;
    this.path = migrationsDir(args, env).resolve("convoy.yaml");
    this.file = readFile(path);
  }

  /** The file's keys that are none of {@code known} (option names without their dashes). */
  java.util.Set<String> unknownKeys(java.util.Set<String> known) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (Object k : file.keySet()) {
      if (!known.contains(String.valueOf(k))) {
        out.add(String.valueOf(k));
      }
    }
    return out;
  }

  /**
   * Refuses a key no command takes: a misspelled setting ({@code lock-timout}) must not be ignored
   * while the command goes ahead with the default.
   */
  void requireKnown(java.util.Set<String> known) {
    java.util.Set<String> unknown = unknownKeys(known);
    if (unknown.isEmpty()) {
      return;
    }
    String key = unknown.iterator().next();
    String near = nearest(key, known);
    throw new ConvoyException(
        ErrorCode.BAD_INPUT,
        path
            + ": unknown key '"
            + key
            + "'"
            + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more)" : "")
            + (near == null ? "" : "; did you mean '" + near + "'?")
            + " Keys are the commands' option names without the dashes (see 'convoy help"
            + " <command>').");
  }

  /** The known name closest to {@code key} (at most 3 edits away), or null. */
  private static String nearest(String key, java.util.Set<String> known) {
    String best = null;
    int bestDistance = 4;
    for (String k : known) {
      int d = distance(key, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  @Override
  public String defaultValue(CommandLine.Model.ArgSpec arg) {
    if (!(arg instanceof CommandLine.Model.OptionSpec opt) || !opt.longestName().startsWith("--")) {
      return null;
    }
    String key = opt.longestName().substring(2);
    String v = env.get(envName(key));
    if (v != null && !v.isEmpty()) {
      return v;
    }
    Object f = file.get(key);
    return f == null ? null : f.toString();
  }

  /** The environment variable that sets {@code --key}: {@code CONVOY_KEY}, but for four names. */
  static String envName(String key) {
    return ENV_NAMES.getOrDefault(key, "CONVOY_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  private static Path migrationsDir(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--dir") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--dir=")) {
        return Path.of(args[i].substring(6));
      }
    }
    String d = env.get("CONVOY_MIGRATIONS_DIR");
    return Path.of(d == null || d.isEmpty() ? "migrations" : d);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readFile(Path f) {
    if (!Files.isRegularFile(f)) {
      return Map.of();
    }
    try {
      org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
      options.setAllowDuplicateKeys(false); // a key given twice must not silently win
      Object o = new Yaml(options).load(Files.readString(f));
      if (o == null) {
        return Map.of();
      }
      if (!(o instanceof Map)) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT, f + " must be a YAML mapping of option names to values");
      }
      return (Map<String, Object>) o;
    } catch (IOException | RuntimeException e) {
      if (e instanceof ConvoyException ce) {
        throw ce;
      }
      if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException y
          && y.getProblemMark() != null) {
        // SnakeYAML's message spans lines with a drawing of the spot: one line says the same.
        throw new ConvoyException(
            ErrorCode.BAD_INPUT,
            f
                + ":"
                + (y.getProblemMark().getLine() + 1)
                + ": "
                + y.getProblem()
                + (y.getContextMark() != null && y.getContext() != null
                    ? " ("
                        + y.getContext()
                        + " from line "
                        + (y.getContextMark().getLine() + 1)
                        + ")"
                    : "")
                + "; fix the file (YAML: one 'option: value' per line, each option once)",
            e);
      }
      throw new ConvoyException(ErrorCode.BAD_INPUT, "cannot read " + f + ": " + e.getMessage(), e);
    }
  }
}
