package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * A refused API call: the HTTP status, the field it is about ({@code target}, {@code gates.prod},
 * {@code env}, {@code body}, {@code Authorization}…), the rule the value broke, and a sentence for
 * a person saying what was given and what to do. The API answers it as {@code {"error", "field",
 * "rule"}}; the coordinator's own code throws it where it validates, so the mapping lives in one
 * place ({@link ApiErrors}). It is bad input to whoever made the call, so a {@link ConvoyException}
 * with {@link ErrorCode#BAD_INPUT}.
 */
final class ApiError extends ConvoyException {
  private final int status;
  private final String field;
  private final String rule;

  ApiError(int status, String field, String rule, String message) {
    super(ErrorCode.BAD_INPUT, message);
    this.status = status;
    this.field = field;
    this.rule = rule;
  }

  /** 400: {@code field} holds a value {@code rule} does not allow. */
  static ApiError invalid(String field, String rule, String message) {
    return new ApiError(400, field, rule, message);
  }

  /** 404: nothing is called {@code value}. */
  static ApiError notFound(String field, String rule, String message) {
    return new ApiError(404, field, rule, message);
  }

  int status() {
    return status;
  }

  String field() {
    return field;
  }

  String rule() {
    return rule;
  }

  JsonObject json() {
    return new JsonObject().put("error", getMessage()).put("field", field).put("rule", rule);
  }
}
