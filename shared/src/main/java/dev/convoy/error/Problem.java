package dev.convoy.error;

import java.util.Objects;

/**
 * One problem found in a migrations directory: which file, which line (1-based; 0 when unknown),
 * what.
 */
public record Problem(String file, int line, String message) implements Comparable<Problem> {
  public Problem {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public int compareTo(Problem o) {
    int c = file.compareTo(o.file);
    return c != 0 ? c : Integer.compare(line, o.line);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
  }
}
