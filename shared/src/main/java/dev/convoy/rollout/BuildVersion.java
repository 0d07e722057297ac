package dev.convoy.rollout;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version this build of Convoy carries, from {@code dev/convoy/build.properties} (filled in by
 * Maven), so a process reports the same version whether it runs from the jar or from classes; every
 * process serves it as {@code convoy_build_info{version}}.
 */
public final class BuildVersion {
  private static final String VERSION = read();

  private BuildVersion() {}

  /** The project's version, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} if the file is missing. */
  public static String current() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = BuildVersion.class.getResourceAsStream("/dev/convoy/build.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown").trim();
      return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
