package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.net.BindException;
import java.util.concurrent.Callable;

/**
 * What the long-running commands ({@code agent}, {@code coordinator}) check before and while they
 * start, so that a wrong setting is one line naming the option or variable, the value and the fix:
 * a port out of range, a signing key too short to be a secret, a port another process holds.
 */
final class StartupChecks {
  private StartupChecks() {}

  /** A TCP port option: 0 (any free port) to 65535. */
  static int port(String option, int value) {
    if (value < 0 || value > 65535) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          option + " " + value + " is not a port: give 1-65535, or 0 to pick a free one");
    }
    return value;
  }

  /** CONVOY_SIGNING_KEY (or CONVOY_SIGNING_KEY_FILE), at least 16 characters. */
  static String signingKey() {
    String key = Secrets.get("CONVOY_SIGNING_KEY", true);
    if (key.length() < 16) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "CONVOY_SIGNING_KEY is "
              + key.length()
              + " characters long; it must be at least 16 (the coordinator and every agent share"
              + " it): generate one with 'openssl rand -hex 32'");
    }
    return key;
  }

  /**
   * Starts what {@code start} starts; a port already taken becomes one line naming {@code option}
   * and {@code port} on {@code bind}.
   */
  static <T> T listening(String option, String bind, int port, Callable<T> start) throws Exception {
    try {
      return start.call();
    } catch (Exception e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException) {
          throw new ConvoyException(
              ErrorCode.BAD_INPUT,
              option
                  + " "
                  + port
                  + ": "
                  + bind
                  + ":"
                  + port
                  + " cannot be listened on ("
                  + t.getMessage()
                  + "); another process (another agent or coordinator?) holds it: give each its"
                  + " own port, or "
                  + option
                  + " 0 to pick a free one");
        }
      }
      throw e;
    }
  }
}
