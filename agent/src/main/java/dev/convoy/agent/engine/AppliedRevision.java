package dev.convoy.agent.engine;

import java.time.Duration;

/**
 * One revision the engine ran, and how long it took. {@code state} is where it ended: applied,
 * expanded (contract still to run), or reverted.
 */
public record AppliedRevision(
    String revision, String message, Direction direction, Duration took, String state) {
  public AppliedRevision(String revision, String message, Direction direction, Duration took) {
    this(
        revision,
        message,
        direction,
        took,
        direction == Direction.UPGRADE ? "applied" : "reverted");
  }
}
