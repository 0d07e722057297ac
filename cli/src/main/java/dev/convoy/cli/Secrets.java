package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Secrets come from the environment ({@code NAME}) or a file ({@code NAME_FILE}), never from the
 * command line (it shows in ps) and never printed.
 */
final class Secrets {
  private Secrets() {}

  static String get(String name, boolean required) {
    String v = System.getenv(name);
    String file = System.getenv(name + "_FILE");
    if ((v == null || v.isEmpty()) && file != null && !file.isEmpty()) {
      try {
        v = Files.readString(Path.of(file)).strip();
      } catch (IOException e) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT, name + "_FILE " + file + " cannot be read: " + e.getMessage());
      }
    }
    if ((v == null || v.isEmpty()) && required) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          name
              + (System.getenv(name) != null
                  ? " is empty"
                  : file != null && !file.isEmpty() ? "_FILE " + file + " is empty" : " is not set")
              + ": export it (or "
              + name
              + "_FILE with its path) before starting");
    }
    return v;
  }
}
