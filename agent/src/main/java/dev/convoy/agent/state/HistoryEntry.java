package dev.convoy.agent.state;

import dev.convoy.migration.Migration;
import java.time.OffsetDateTime;

/** One row of {@code convoy.history}. */
public record HistoryEntry(
    String revision,
    String direction,
    String phase,
    String checksum,
    String file,
    String message,
    OffsetDateTime startedAt,
    OffsetDateTime finishedAt,
    Long durationMs,
    boolean success,
    String error,
    Who who) {

  /**
   * A row about a migration file: its revision, checksum, file and message. No {@code error} means
   * success; no {@code started} means the server times it (see StateStore.historySql).
   */
  public static HistoryEntry of(
      Migration m,
      String direction,
      String phase,
      OffsetDateTime started,
      OffsetDateTime finished,
      Long ms,
      String error,
      Who who) {
    return new HistoryEntry(
        m.revision(),
        direction,
        phase,
        m.checksum(),
        m.file(),
        m.message(),
        started,
        finished,
        ms,
        error == null,
        error,
        who);
  }
}
