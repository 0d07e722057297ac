package dev.convoy.coordinator;

/**
 * A call that does not fit the rollout's state right now (HTTP 409); the message says why. The
 * field is {@code state} unless a caller names another, the rule what the call needs.
 */
final class Conflict extends RuntimeException {
  private final String field;
  private final String rule;

  Conflict(String message) {
    this(message, "state", "the rollout's state allows the call");
  }

  Conflict(String message, String field, String rule) {
    super(message);
    this.field = field;
    this.rule = rule;
  }

  String field() {
    return field;
  }

  String rule() {
    return rule;
  }
}
