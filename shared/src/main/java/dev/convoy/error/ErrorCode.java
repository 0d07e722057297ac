package dev.convoy.error;

/** What went wrong, coarsely; each code maps to a process exit code. */
public enum ErrorCode {
  /** A migrations directory, a file or an argument is wrong. Nothing was touched. */
  BAD_INPUT(2),
  /** A revision expression does not name what the graph holds. Nothing was touched. */
  BAD_REVISION(2),
  /** An applied file no longer matches what was applied. Nothing was touched. */
  CHECKSUM_MISMATCH(2),
  /** The database records a revision the migrations directory does not have. */
  UNKNOWN_APPLIED_REVISION(2),
  /** A downgrade would drop data and was not allowed to. Nothing was touched. */
  DATA_LOSS_REFUSED(2),
  /** A pending migration breaks a lint rule and was not acknowledged. Nothing was touched. */
  UNSAFE_MIGRATION(2),
  /**
   * The database URL goes through a connection pooler that does not keep session state (transaction
   * or statement pooling), so the migration lock would not hold. Nothing was touched.
   */
  POOLED_CONNECTION(2),
  /** The database could not be reached. */
  CONNECTION_FAILED(1),
  /** A migration statement failed; the revision was rolled back. */
  MIGRATION_FAILED(1),
  /** The database is not where the caller expected (for example not at head). */
  NOT_AT_HEAD(1);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
