package dev.convoy.coordinator;

/** A call that does not fit the rollout's state right now (HTTP 409); the message says why. */
final class Conflict extends RuntimeException {
  Conflict(String message) {
    super(message);
  }
}
