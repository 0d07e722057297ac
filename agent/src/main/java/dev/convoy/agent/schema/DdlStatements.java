package dev.convoy.agent.schema;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.core.NativeQuery;
import org.postgresql.core.Parser;
import org.postgresql.util.PSQLException;

/**
 * Splits DDL into statements as pgjdbc's parser does (quotes, dollar quotes and comments
 * respected), each with its offset in the text, so a server error's position (relative to the
 * statement sent) can name the line of the file it came from.
 */
final class DdlStatements {
  private DdlStatements() {}

  /** One statement and where it starts in its text. */
  record Statement(String sql, String text, int offset) {
    /**
     * The 1-based line in the whole text of the statement's 1-based character {@code position} (0:
     * unknown, the statement's first non-blank line).
     */
    int lineOf(int position) {
      int at = offset;
      if (position > 0) {
        at = offset + Math.min(position - 1, sql.length());
      } else {
        while (at < offset + sql.length() && Character.isWhitespace(text.charAt(at))) {
          at++;
        }
      }
      int line = 1;
      for (int i = 0; i < at && i < text.length(); i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      return line;
    }
  }

  static List<Statement> split(String text) {
    List<NativeQuery> parsed;
    try {
      parsed = Parser.parseJdbcSql(text, true, false, true, false, false);
    } catch (SQLException e) {
      // Unbalanced quoting the parser cannot split: the server will say where.
      return List.of(new Statement(text, text, 0));
    }
    List<Statement> out = new ArrayList<>();
    int from = 0;
    for (NativeQuery q : parsed) {
      int at = text.indexOf(q.nativeSql, from);
      if (at < 0) {
        // Not verbatim after all: send the rest as one piece, where positions still hold.
        out.add(new Statement(text.substring(from), text, from));
        return out;
      }
      out.add(new Statement(q.nativeSql, text, at));
      from = at + q.nativeSql.length();
    }
    return out;
  }

  /** The server's error position (1-based, in the statement sent), or 0. */
  static int position(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PSQLException p && p.getServerErrorMessage() != null) {
        return p.getServerErrorMessage().getPosition();
      }
    }
    return 0;
  }
}
