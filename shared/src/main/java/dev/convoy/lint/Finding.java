package dev.convoy.lint;

/** One rule a migration breaks: where, and what. */
public record Finding(Rule rule, String revision, String file, int line, String what) {
  @Override
  public String toString() {
    return file
        + (line > 0 ? ":" + line : "")
        + ": "
        + rule.severity().name().toLowerCase(java.util.Locale.ROOT)
        + " ["
        + rule.id()
        + "] "
        + what
        + "\n    why: "
        + rule.why()
        + "\n    instead: "
        + rule.instead();
  }
}
