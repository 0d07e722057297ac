package dev.convoy.agent.engine;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.List;
import java.util.Locale;

/**
 * A downgrade refused because it would drop tables or columns that hold rows, with each loss, so
 * that an agent can report them (table, column, rows) to the coordinator for an operator's approval
 * and the CLI can print them. Nothing was changed when it is thrown.
 */
public final class DataLossRefused extends ConvoyException {
  /**
   * One table or column a downgrade would drop: {@code what} is "table t" or "column t.c". {@code
   * reason}, when given, says it in full instead (a revert window that ended).
   */
  public record Loss(String revision, String what, long rows, String reason) {
    public Loss(String revision, String what, long rows) {
      this(revision, what, rows, null);
    }

    @Override
    public String toString() {
      return what
          + " ("
          + String.format(Locale.ROOT, "%,d", rows)
          + (rows == 1 ? " row)" : " rows)");
    }
  }

  private final List<Loss> losses;

  DataLossRefused(List<Loss> losses) {
    super(
        ErrorCode.DATA_LOSS_REFUSED,
        "downgrade refused: "
            + String.join(
                "; ",
                losses.stream()
                    .map(
                        l ->
                            l.reason() != null
                                ? l.reason()
                                : "revision "
                                    + l.revision()
                                    + " would drop "
                                    + l.what()
                                    + ", losing "
                                    + l.rows()
                                    + (l.rows() == 1 ? " row" : " rows")
                                    + " of data")
                    .toList())
            + ". Back the data up, then run again with --allow-data-loss. Nothing was changed.");
    this.losses = List.copyOf(losses);
  }

  public List<Loss> losses() {
    return losses;
  }

  /** The losses in short: {@code column book.slug (1,000 rows); table tag (3 rows)}. */
  public String summary() {
    return String.join("; ", losses.stream().map(Loss::toString).toList());
  }
}
