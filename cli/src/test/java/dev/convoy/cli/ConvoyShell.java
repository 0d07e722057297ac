package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the {@code convoy} command in-process, as a user would from a shell, against one migrations
 * directory and (optionally) one database, and keeps what it printed.
 */
final class ConvoyShell {
  private final Path dir;
  private final String url;

  private ConvoyShell(Path dir, String url) {
    this.dir = dir;
    this.url = url;
  }

  /** Every command gets {@code --dir dir --url url}. */
  static ConvoyShell at(Path dir, String url) {
    return new ConvoyShell(dir, url);
  }

  /** Every command gets {@code --dir dir} and no URL. */
  static ConvoyShell offline(Path dir) {
    return new ConvoyShell(dir, null);
  }

  /** Runs {@code convoy <args> --dir <dir> [--url <url>]}. */
  Result run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--dir");
    all.add(dir.toString());
    if (url != null) {
      all.add("--url");
      all.add(url);
    }
    return exec(all.toArray(String[]::new));
  }

  /** Runs {@code convoy <args>} exactly as given. */
  static Result exec(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Result(String.join(" ", args), code, out.toString(), err.toString());
  }

  /** What one command line did: its exit code and what it wrote to stdout and stderr. */
  record Result(String command, int exitCode, String out, String err) {
    /** Fails, showing everything the command printed, unless it exited with {@code code}. */
    Result exits(int code) {
      assertEquals(code, exitCode, () -> "exit code of 'convoy " + command + "'\n" + this);
      return this;
    }

    Result outContains(String... fragments) {
      for (String f : fragments) {
        assertTrue(out.contains(f), () -> "stdout should contain [" + f + "]\n" + this);
      }
      return this;
    }

    Result errContains(String... fragments) {
      for (String f : fragments) {
        assertTrue(err.contains(f), () -> "stderr should contain [" + f + "]\n" + this);
      }
      return this;
    }

    List<String> outLines() {
      return out.lines().toList();
    }

    @Override
    public String toString() {
      return "convoy "
          + command
          + "\n  exit: "
          + exitCode
          + "\n  stdout:\n"
          + out.indent(4)
          + "  stderr:\n"
          + err.indent(4);
    }
  }
}
