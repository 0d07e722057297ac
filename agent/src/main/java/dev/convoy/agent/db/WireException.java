package dev.convoy.agent.db;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** An error the server sent (with its SQLSTATE), or a protocol failure (no SQLSTATE). */
public final class WireException extends RuntimeException {
  private final String sqlState;
  private final String errorMessage;
  private final String detail;
  private final String hint;

  WireException(String sqlState, String message) {
    this(sqlState, message, null, null);
  }

  private WireException(String sqlState, String message, String detail, String hint) {
    super(sqlState == null ? message : message + " (SQLSTATE " + sqlState + ")");
    this.sqlState = sqlState;
    this.errorMessage = message;
    this.detail = detail;
    this.hint = hint;
  }

  public String sqlState() {
    return sqlState;
  }

  /** PostgreSQL's message alone (without the SQLSTATE). */
  public String errorMessage() {
    return errorMessage;
  }

  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }

  static WireException of(byte[] body) {
    Map<Character, String> fields = new LinkedHashMap<>();
    int at = 0;
    while (at < body.length && body[at] != 0) {
      char field = (char) body[at++];
      int end = at;
      while (body[end] != 0) {
        end++;
      }
      fields.put(field, new String(body, at, end - at, StandardCharsets.UTF_8));
      at = end + 1;
    }
    return new WireException(
        fields.get('C'), fields.getOrDefault('M', "error"), fields.get('D'), fields.get('H'));
  }
}
