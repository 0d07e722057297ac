package dev.convoy.lint;

/**
 * One rule a migration breaks: where, and what. {@code severity} is the rule's own, or one higher
 * when the database's row estimate says the table is big; {@code table} is the table it concerns
 * (without schema), or null. {@code downgrade} marks a finding in SQL that runs when the revision
 * is rolled back (its {@code what} says so too), which an upgrade's own checks leave aside.
 */
public record Finding(
    Rule rule,
    String revision,
    String file,
    int line,
    String what,
    Severity severity,
    String table,
    boolean downgrade) {
  public Finding(Rule rule, String revision, String file, int line, String what) {
    this(rule, revision, file, line, what, rule.severity(), null, false);
  }

  Finding on(String table) {
    return new Finding(rule, revision, file, line, what, severity, table, downgrade);
  }

  Finding inDowngrade() {
    return new Finding(
        rule, revision, file, line, what + " (downgrade)", Severity.WARNING, table, true);
  }

  Finding raised(String because) {
    return new Finding(
        rule,
        revision,
        file,
        line,
        what + " (" + because + ")",
        severity.raised(),
        table,
        downgrade);
  }

  @Override
  public String toString() {
    return file
        + (line > 0 ? ":" + line : "")
        + ": "
        + severity.word()
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
