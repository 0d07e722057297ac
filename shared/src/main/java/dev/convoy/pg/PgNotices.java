package dev.convoy.pg;

import io.vertx.pgclient.PgNotice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's notices, from either client, as log lines at their own weight: a {@code WARNING} is
 * a warning; {@code NOTICE}, {@code INFO}, {@code LOG} and {@code DEBUG} (a downgrade's "table does
 * not exist, skipping") are debug, seen only with {@code --log-level debug}. Without this the
 * Vert.x client logs every notice as a warning ("Backend notice ...").
 */
public final class PgNotices {
  private static final Logger log = LoggerFactory.getLogger(PgNotices.class);

  private PgNotices() {}

  /** For a Vert.x connection: {@code conn.noticeHandler(PgNotices::log)}. */
  public static void log(PgNotice n) {
    log(n.getSeverity(), n.getCode(), n.getMessage(), n.getDetail(), n.getHint());
  }

  /** One notice; {@code severity} as the server sent it (null counts as a notice). */
  public static void log(
      String severity, String sqlState, String message, String detail, String hint) {
    boolean warning = severity != null && severity.startsWith("WARNING");
    if (warning ? !log.isWarnEnabled() : !log.isDebugEnabled()) {
      return;
    }
    StringBuilder sb =
        new StringBuilder("PostgreSQL ")
            .append(severity == null ? "NOTICE" : severity)
            .append(sqlState == null ? "" : " " + sqlState)
            .append(": ")
            .append(message);
    if (detail != null) {
      sb.append(" (detail: ").append(detail).append(')');
    }
    if (hint != null) {
      sb.append(" (hint: ").append(hint).append(')');
    }
    if (warning) {
      log.warn("{}", sb);
    } else {
      log.debug("{}", sb);
    }
  }
}
