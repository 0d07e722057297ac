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

  ConfigDefaults(String[] args, Map<String, String> env) {
    this.env = env;
    this.file = readFile(migrationsDir(args, env).resolve("convoy.yaml"));
  }

  @Override
  public String defaultValue(CommandLine.Model.ArgSpec arg) {
    if (!(arg instanceof CommandLine.Model.OptionSpec opt) || !opt.longestName().startsWith("--")) {
      return null;
    }
    String key = opt.longestName().substring(2);
    String envName =
        ENV_NAMES.getOrDefault(key, "CONVOY_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
    String v = env.get(envName);
    if (v != null && !v.isEmpty()) {
      return v;
    }
    Object f = file.get(key);
    return f == null ? null : f.toString();
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
      Object o = new Yaml().load(Files.readString(f));
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
      throw new ConvoyException(ErrorCode.BAD_INPUT, "cannot read " + f + ": " + e.getMessage(), e);
    }
  }
}
