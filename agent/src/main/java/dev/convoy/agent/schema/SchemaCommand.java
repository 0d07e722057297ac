package dev.convoy.agent.schema;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the {@code schema-command} ({@code sh -c}) whose standard output is the declared schema's
 * DDL: an ORM that prints its models stays the source of truth. Its standard error is shown only
 * when it fails (the last lines, where the reason usually is).
 */
final class SchemaCommand {
  private static final int ERROR_LINES = 5;

  private SchemaCommand() {}

  static String run(String command, Path workingDirectory) {
    Process p;
    try {
      p =
          new ProcessBuilder("sh", "-c", command)
              .directory(workingDirectory.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '" + command + "' could not be started: " + e.getMessage(),
          e);
    }
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    String out = read(p.getInputStream());
    int code;
    try {
      code = p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "schema-command '" + command + "' was interrupted", e);
    }
    if (code != 0) {
      List<String> lines = err.join().lines().filter(l -> !l.isBlank()).toList();
      String tail =
          String.join(" | ", lines.subList(Math.max(0, lines.size() - ERROR_LINES), lines.size()));
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '"
              + command
              + "' failed (exit "
              + code
              + ", run in "
              + workingDirectory
              + ")"
              + (tail.isEmpty() ? "" : ": " + tail)
              + "; fix it so it prints the schema's DDL, or run it yourself to see why");
    }
    if (out.isBlank()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '"
              + command
              + "' printed nothing; it must print the declared schema's DDL (CREATE TABLE ...)"
              + " on standard output");
    }
    return out;
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
