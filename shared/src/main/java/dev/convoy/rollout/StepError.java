package dev.convoy.rollout;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failed step's error as its parts, read back from the text an agent reports (the engine's {@code
 * MigrationFailedException} message: "revision R (file) failed; where it stands", then operation,
 * statement, "PostgreSQL error SQLSTATE: message", detail and hint lines), so a status can show
 * each part instead of "step 4 in dev failed". Text in another shape (a lost connection, a refusal)
 * is kept whole as the message.
 */
public record StepError(
    String revision,
    String file,
    String operation,
    String statement,
    String sqlState,
    String message,
    String detail,
    String hint,
    String where) {
  private static final Pattern HEAD =
      Pattern.compile("^revision (\\S+) \\((.*)\\) failed; ?(.*)$", Pattern.DOTALL);
  private static final Pattern PG = Pattern.compile("^PostgreSQL error (\\w{5}): (.*)$");

  /** The parts of {@code text}; null for null. */
  public static StepError parse(String text) {
    if (text == null) {
      return null;
    }
    String[] lines = text.split("\n", -1);
    Matcher head = HEAD.matcher(lines[0]);
    if (!head.matches()) {
      return new StepError(null, null, null, null, null, text.strip(), null, null, null);
    }
    String operation = null;
    StringBuilder statement = null;
    String sqlState = null;
    String message = null;
    String detail = null;
    String hint = null;
    boolean inStatement = false;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (inStatement && line.startsWith("             ")) {
        statement.append('\n').append(line.substring(13));
        continue;
      }
      inStatement = false;
      String l = line.strip();
      if (l.startsWith("operation: ")) {
        operation = l.substring(11);
      } else if (l.startsWith("statement: ")) {
        statement = new StringBuilder(l.substring(11));
        inStatement = true;
      } else if (l.startsWith("detail: ")) {
        detail = l.substring(8);
      } else if (l.startsWith("hint: ")) {
        hint = l.substring(6);
      } else if (!l.isEmpty()) {
        Matcher pg = PG.matcher(l);
        if (pg.matches()) {
          sqlState = pg.group(1);
          message = pg.group(2);
        } else if (message == null) {
          // A lock timeout's own words: "... lock_timeout ... (55P03) ...".
          message = l;
          sqlState = l.contains("55P03") ? "55P03" : null;
        } else {
          message = message + "\n" + l;
        }
      }
    }
    return new StepError(
        head.group(1),
        head.group(2),
        operation,
        statement == null ? null : statement.toString(),
        sqlState,
        message,
        detail,
        hint,
        head.group(3).isBlank() ? null : head.group(3).strip());
  }

  /** True when only a message could be read (the text was not a revision's failure). */
  public boolean plain() {
    return revision == null;
  }
}
