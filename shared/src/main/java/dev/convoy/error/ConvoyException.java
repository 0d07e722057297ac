package dev.convoy.error;

/**
 * The one unchecked root of Convoy's errors. The message is written for a person: what went wrong,
 * which file, revision or value, what was expected, and what to do.
 */
public class ConvoyException extends RuntimeException {
  private final ErrorCode code;

  public ConvoyException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ConvoyException(ErrorCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
