package dev.convoy.migration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a file's text with line endings normalised, so a CRLF checkout is not a change. */
public final class Checksums {
  private Checksums() {}

  public static String of(String text) {
    String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
    return sha256(normalised.getBytes(StandardCharsets.UTF_8));
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
