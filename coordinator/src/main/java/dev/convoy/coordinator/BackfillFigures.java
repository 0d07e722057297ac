package dev.convoy.coordinator;

import io.vertx.core.json.JsonObject;

/**
 * A step's backfill as the console shows it: rows done of total (over all the step's backfills),
 * the rate between the first and the latest progress report, and the time left at that rate. Read
 * from what the control database kept of the agent's progress events ({@link
 * StepOutcomes#progressSql}), so a finished step keeps its numbers.
 *
 * @param rowsDone rows updated by the step's backfills
 * @param rowsTotal rows they had to update (the agent's estimate while running)
 * @param seconds time between the first and the latest progress report, or null
 * @param rowsPerSecond rate over that time, or null before two reports
 */
record BackfillFigures(long rowsDone, long rowsTotal, Double seconds, Double rowsPerSecond) {

  /**
   * From the step's columns: {@code rows}/{@code total} of the backfill running last, the rows and
   * totals before it, the rows at the first report and the seconds since it; null without progress.
   */
  static BackfillFigures of(
      Long rows, Long total, long rowsBefore, long totalBefore, Long from, Double seconds) {
    if (rows == null) {
      return null;
    }
    long done = rowsBefore + rows;
    long all = Math.max(done, totalBefore + (total == null ? rows : total));
    Double rate =
        seconds == null || seconds <= 0 || from == null
            ? null
            : Math.round(Math.max(0, done - from) / seconds * 10) / 10.0;
    return new BackfillFigures(done, all, seconds, rate);
  }

  /** Seconds left at the current rate while the step runs; 0 once it succeeded; else null. */
  Double eta(String stepState) {
    if ("succeeded".equals(stepState)) {
      return 0.0;
    }
    if (!"running".equals(stepState) && !"sent".equals(stepState)) {
      return null;
    }
    if (rowsDone >= rowsTotal) {
      return 0.0;
    }
    return rowsPerSecond == null || rowsPerSecond <= 0
        ? null
        : Math.ceil((rowsTotal - rowsDone) / rowsPerSecond);
  }

  /** Puts the figures into a step's or a stage's JSON. */
  JsonObject into(JsonObject json, String stepState) {
    return json.put("rows_done", rowsDone)
        .put("rows_total", rowsTotal)
        .put("rows_per_second", rowsPerSecond)
        .put("backfill_seconds", seconds == null ? null : Math.round(seconds * 10) / 10.0)
        .put("eta_seconds", eta(stepState));
  }
}
