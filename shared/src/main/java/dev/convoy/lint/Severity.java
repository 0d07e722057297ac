package dev.convoy.lint;

/** An error stops {@code upgrade} unless acknowledged; a warning is only printed. */
public enum Severity {
  ERROR,
  WARNING
}
