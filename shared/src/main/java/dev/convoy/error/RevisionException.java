package dev.convoy.error;

/** A revision expression that does not resolve, is ambiguous, or asks for something impossible. */
public class RevisionException extends ConvoyException {
  private final String revision;

  public RevisionException(String revision, String message) {
    super(ErrorCode.BAD_REVISION, message);
    this.revision = revision;
  }

  public String revision() {
    return revision;
  }
}
