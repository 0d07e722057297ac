package dev.convoy.agent.schema;

import dev.convoy.config.Durations;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs the {@code schema-command} ({@code sh -c}) whose standard output is the declared schema's
 * DDL: an ORM that prints its models stays the source of truth. Its standard error is shown only
 * when it fails (the last lines, where the reason usually is).
 *
 * <p>A command is not trusted to end or to stay small: past its timeout, or past {@link
 * #MAX_OUTPUT} bytes of output, it is stopped (with every process it started) and named in one
 * line; so is it when Convoy itself is stopped (SIGTERM, Ctrl-C), by a shutdown hook held while it
 * runs, so no {@code sleep 600} outlives the command that started it.
 */
final class SchemaCommand {
  /** Far more DDL than any schema prints: past it, the command is printing something else. */
  static final int MAX_OUTPUT = 64 << 20;

  /** Standard error kept (its end), for the failure line. */
  private static final int MAX_ERROR = 64 << 10;

  private static final int ERROR_LINES = 5;

  private SchemaCommand() {}

  static String run(String command, Path workingDirectory, Duration timeout) {
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
    Thread hook = new Thread(() -> stop(p), "convoy schema-command stop");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      stop(p); // Convoy is stopping already
      throw new ConvoyException(ErrorCode.BAD_INPUT, "schema-command '" + command + "' stopped");
    }
    try {
      return output(command, workingDirectory, timeout, p);
    } finally {
      stop(p);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Shutting down: the hook runs anyway.
      }
    }
  }

  private static String output(String command, Path wd, Duration timeout, Process p) {
    FutureTask<String> err = background(() -> tail(p.getErrorStream()));
    FutureTask<byte[]> out = background(() -> capped(p));
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] bytes;
    int code;
    try {
      if (!p.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw timedOut(command, timeout);
      }
      // Output still open once it exited: a process it left behind holds it; same deadline.
      bytes = out.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      code = p.exitValue();
    } catch (TimeoutException e) {
      throw timedOut(command, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "schema-command '" + command + "' was interrupted", e);
    } catch (ExecutionException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '" + command + "': reading its output failed: " + e.getCause(),
          e);
    }
    if (bytes == null) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '"
              + command
              + "' printed more than "
              + (MAX_OUTPUT >> 20)
              + " MiB and was stopped; it must print only the declared schema's DDL");
    }
    if (code != 0) {
      String said;
      try {
        said = err.get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        said = "";
      }
      List<String> lines = said.lines().filter(l -> !l.isBlank()).toList();
      String tail =
          String.join(" | ", lines.subList(Math.max(0, lines.size() - ERROR_LINES), lines.size()));
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '"
              + command
              + "' failed (exit "
              + code
              + ", run in "
              + wd
              + ")"
              + (tail.isEmpty() ? "" : ": " + tail)
              + "; fix it so it prints the schema's DDL, or run it yourself to see why");
    }
    String ddl = new String(bytes, StandardCharsets.UTF_8);
    if (ddl.isBlank()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "schema-command '"
              + command
              + "' printed nothing; it must print the declared schema's DDL (CREATE TABLE ...)"
              + " on standard output");
    }
    return ddl;
  }

  private static ConvoyException timedOut(String command, Duration timeout) {
    return new ConvoyException(
        ErrorCode.BAD_INPUT,
        "schema-command '"
            + command
            + "' did not finish in "
            + Durations.human(timeout)
            + " and was stopped; make it print the DDL sooner, or allow it longer with"
            + " --schema-command-timeout (env CONVOY_SCHEMA_COMMAND_TIMEOUT, convoy.yaml key"
            + " schema-command-timeout)");
  }

  /** Stops the command and every process it started. */
  private static void stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static <T> FutureTask<T> background(Supplier<T> work) {
    FutureTask<T> task = new FutureTask<>(work::get);
    Thread t = new Thread(task, "convoy schema-command output");
    t.setDaemon(true);
    t.start();
    return task;
  }

  /** The command's standard output, or null (and the command stopped) past {@link #MAX_OUTPUT}. */
  private static byte[] capped(Process p) {
    try (InputStream in = p.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (out.size() + n > MAX_OUTPUT) {
          stop(p);
          return null;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The end of the command's standard error, read to its end so the command never blocks. */
  private static String tail(InputStream err) {
    try (err) {
      byte[] kept = new byte[0];
      byte[] buf = new byte[8192];
      for (int n; (n = err.read(buf)) >= 0; ) {
        byte[] joined = new byte[Math.min(MAX_ERROR, kept.length + n)];
        int fromKept = joined.length - n;
        if (fromKept >= 0) {
          System.arraycopy(kept, kept.length - fromKept, joined, 0, fromKept);
          System.arraycopy(buf, 0, joined, fromKept, n);
        } else {
          System.arraycopy(buf, n - joined.length, joined, 0, joined.length);
        }
        kept = joined;
      }
      return new String(kept, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
