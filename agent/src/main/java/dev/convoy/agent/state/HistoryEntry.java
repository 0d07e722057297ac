package dev.convoy.agent.state;

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
    Who who) {}
