package dev.convoy.lint;

import java.util.Locale;

/** An error stops {@code upgrade} unless acknowledged; a warning is only printed. */
public enum Severity {
  ERROR,
  WARNING;

  /** One level more severe: a warning becomes an error; an error stays one. */
  public Severity raised() {
    return ERROR;
  }

  /** The lower-case word output uses. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
