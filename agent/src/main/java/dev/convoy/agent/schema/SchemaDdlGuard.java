package dev.convoy.agent.schema;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.lint.SqlWords;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses, before anything runs, declared-schema SQL that reaches past the scratch database it is
 * built in: the scratch is created with the role's rights on the whole server, so {@code DROP
 * DATABASE app} or {@code CREATE ROLE x} in a schema file would really happen. The declared schema
 * may only describe one database's objects.
 *
 * <p>The SQL is read as tokens (comments, quoted strings and identifiers skipped, so none can hide
 * or fake a keyword); what is refused:
 *
 * <ul>
 *   <li>at a statement's start: {@code CREATE/ALTER/DROP DATABASE}, {@code ALTER SYSTEM}, {@code
 *       CREATE/ALTER/DROP ROLE|USER|GROUP|TABLESPACE|SUBSCRIPTION}, {@code COPY}, {@code VACUUM},
 *       {@code CHECKPOINT}, {@code LOAD}, {@code REASSIGN OWNED}, {@code COMMENT ON}/{@code
 *       SECURITY LABEL ON} a database, role or tablespace, {@code GRANT}/{@code REVOKE} of a role
 *       (no {@code ON}) or on a database or tablespace, and psql's {@code \} commands;
 *   <li>the same inside dollar-quoted bodies ({@code DO}, functions), at the start of each
 *       statement of the body (after {@code ;}, {@code BEGIN}, {@code THEN}, {@code ELSE}, {@code
 *       LOOP});
 *   <li>anywhere, the server's administration functions ({@code pg_terminate_backend}, {@code
 *       pg_read_file}, {@code lo_export}, {@code dblink}...).
 * </ul>
 *
 * Not caught: SQL built as a string at run time ({@code EXECUTE 'CREATE ' || 'ROLE x'}). The
 * declared schema is the project's own code, like its migrations; this stops the mistakes and the
 * obvious, and {@code --dev-url} with a role of few rights stops the rest.
 */
final class SchemaDdlGuard {
  private static final Set<String> SHARED_OBJECTS =
      Set.of("DATABASE", "ROLE", "USER", "GROUP", "TABLESPACE", "SUBSCRIPTION");
  private static final Set<String> COMMANDS = Set.of("COPY", "VACUUM", "CHECKPOINT", "LOAD");
  private static final Set<String> BODY_STATEMENT_START = Set.of("BEGIN", "THEN", "ELSE", "LOOP");
  private static final Set<String> ADMIN_FUNCTIONS =
      Set.of(
          "PG_TERMINATE_BACKEND",
          "PG_CANCEL_BACKEND",
          "PG_RELOAD_CONF",
          "PG_ROTATE_LOGFILE",
          "PG_PROMOTE",
          "PG_READ_FILE",
          "PG_READ_BINARY_FILE",
          "PG_LS_DIR",
          "PG_STAT_FILE",
          "PG_FILE_WRITE",
          "PG_FILE_RENAME",
          "PG_FILE_UNLINK",
          "LO_IMPORT",
          "LO_EXPORT",
          "DBLINK",
          "DBLINK_EXEC",
          "DBLINK_CONNECT",
          "PG_SWITCH_WAL",
          "PG_CREATE_RESTORE_POINT",
          "PG_CREATE_PHYSICAL_REPLICATION_SLOT",
          "PG_CREATE_LOGICAL_REPLICATION_SLOT",
          "PG_DROP_REPLICATION_SLOT",
          "PG_BACKUP_START",
          "PG_START_BACKUP");

  private SchemaDdlGuard() {}

  /** A word, a punctuation character or a psql command, and where it starts in the text. */
  private record Token(String text, int offset, boolean word) {
    boolean is(String s) {
      return word && text.equals(s);
    }
  }

  /** Throws a {@code BAD_INPUT} naming {@code name}'s line if {@code sql} reaches past one DB. */
  static void check(String name, String sql) {
    String what = refused(tokens(sql, 0, sql.length()), sql, false);
    if (what != null) {
      int at = Integer.parseInt(what.substring(0, what.indexOf(' ')));
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          name
              + ":"
              + line(sql, at)
              + ": "
              + what.substring(what.indexOf(' ') + 1)
              + " is not schema DDL; the declared schema may only describe this database's"
              + " objects");
    }
  }

  /**
   * {@code "<offset> <what>"} of the first refused thing in {@code tokens}, or null. A
   * dollar-quoted body is read as code (and checked in turn) in a {@code DO} or {@code CREATE ...
   * FUNCTION | PROCEDURE} statement and anywhere in a body ({@code EXECUTE $q$...$q$}); elsewhere
   * it is a string ({@code COMMENT ... IS $$Copy of ...$$}).
   */
  private static String refused(List<Token> tokens, String sql, boolean body) {
    boolean start = true;
    boolean code = body;
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.text().startsWith("$")) {
        int open = t.text().indexOf('$', 1) + 1;
        String inner =
            code
                ? refused(
                    tokens(sql, t.offset() + open, t.offset() + t.text().length() - open),
                    sql,
                    true)
                : null;
        if (inner != null) {
          return inner;
        }
        start = false;
        continue;
      }
      if (t.word() && ADMIN_FUNCTIONS.contains(t.text())) {
        return t.offset() + " " + t.text().toLowerCase(Locale.ROOT) + "()";
      }
      if (start) {
        String what = statement(tokens, i);
        if (what != null) {
          return t.offset() + " " + what;
        }
        code = body || t.is("DO");
      }
      if (t.is("FUNCTION") || t.is("PROCEDURE")) {
        code = true;
      }
      start = t.text().equals(";") || (body && t.word() && BODY_STATEMENT_START.contains(t.text()));
      if (t.text().equals(";")) {
        code = body;
      }
    }
    return null;
  }

  /** What is refused about the statement starting at {@code tokens[i]}, or null. */
  private static String statement(List<Token> tokens, int i) {
    Token first = tokens.get(i);
    String w1 = first.text();
    String w2 = word(tokens, i + 1);
    if (w1.startsWith("\\")) {
      return "the psql command " + w1.toLowerCase(Locale.ROOT);
    }
    if (COMMANDS.contains(w1)) {
      return w1;
    }
    if ((w1.equals("CREATE") || w1.equals("ALTER") || w1.equals("DROP"))
        && SHARED_OBJECTS.contains(w2)) {
      return w1 + " " + w2;
    }
    if (w1.equals("ALTER") && "SYSTEM".equals(w2)) {
      return "ALTER SYSTEM";
    }
    if (w1.equals("REASSIGN") && "OWNED".equals(w2)) {
      return "REASSIGN OWNED";
    }
    if ((w1.equals("COMMENT") && "ON".equals(w2))
        || (w1.equals("SECURITY") && "LABEL".equals(w2))) {
      for (int j = i + 2; j < tokens.size() && !tokens.get(j).text().equals(";"); j++) {
        if (tokens.get(j).is("ON")) {
          String object = word(tokens, j + 1);
          return SHARED_OBJECTS.contains(object) ? w1 + " " + w2 + " " + object : null;
        }
      }
      return null;
    }
    if (w1.equals("GRANT") || w1.equals("REVOKE")) {
      for (int j = i + 1; j < tokens.size() && !tokens.get(j).text().equals(";"); j++) {
        if (tokens.get(j).is("ON")) {
          String object = word(tokens, j + 1);
          return "DATABASE".equals(object) || "TABLESPACE".equals(object)
              ? w1 + " ON " + object
              : null;
        }
      }
      return w1 + " of a role (no ON: role membership is the server's)";
    }
    return null;
  }

  private static String word(List<Token> tokens, int i) {
    return i < tokens.size() && tokens.get(i).word() ? tokens.get(i).text() : null;
  }

  private static int line(String sql, int offset) {
    int line = 1;
    for (int i = 0; i < offset && i < sql.length(); i++) {
      if (sql.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /**
   * The tokens of {@code sql[from, to)} as the lint's tokenizer reads them: words upper-cased,
   * {@code ;}, psql commands ({@code \\x}) and dollar-quoted bodies whole; strings, quoted names,
   * comments and other punctuation left out (a quoted identifier is never a keyword).
   */
  private static List<Token> tokens(String sql, int from, int to) {
    List<Token> out = new ArrayList<>();
    for (SqlWords.Word w : SqlWords.of(sql.substring(from, to))) {
      boolean word = w.kind() == SqlWords.Kind.WORD || w.kind() == SqlWords.Kind.PSQL_COMMAND;
      out.add(new Token(w.text(), from + w.start(), word));
    }
    return out;
  }
}
