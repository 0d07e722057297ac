package dev.convoy.ops;

/** One unit of a phased plan: a statement, or a batched backfill. */
public sealed interface Step permits DdlStep, BackfillStep {
  Phase phase();

  /** What a person reads in progress output and errors. */
  String describe();
}
