package dev.convoy.agent.engine;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.List;

/**
 * The connection broke while a revision ran, and what the server says happened to it: applied (its
 * COMMIT completed after the connection was lost), not applied, or unknown (the server could not be
 * reached again to ask).
 */
public final class ConnectionLostException extends ConvoyException {
  /** What the server says happened to the revision. */
  public enum Outcome {
    APPLIED,
    NOT_APPLIED,
    UNKNOWN
  }

  private final String revision;
  private final Outcome outcome;
  private final List<String> heads;

  ConnectionLostException(
      String revision, Outcome outcome, List<String> heads, String message, Throwable cause) {
    super(ErrorCode.CONNECTION_FAILED, message, cause);
    this.revision = revision;
    this.outcome = outcome;
    this.heads = heads;
  }

  public String revision() {
    return revision;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Where the database is, as read after reconnecting (null when unknown). */
  public List<String> heads() {
    return heads;
  }

  /** The same, saying that the revisions after this one did not run. */
  ConnectionLostException withRestNotRun(int rest) {
    return new ConnectionLostException(
        revision,
        outcome,
        heads,
        getMessage()
            + " The "
            + rest
            + " revision"
            + (rest == 1 ? "" : "s")
            + " after it did not run: run the command again.",
        getCause());
  }
}
