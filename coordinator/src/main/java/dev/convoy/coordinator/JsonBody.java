package dev.convoy.coordinator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * Reading a request's JSON body strictly: the right content type, valid JSON, an object, only the
 * fields the call knows, each of the type it needs. Every refusal is an {@link ApiError} naming the
 * field and the rule, so a typo ({@code stratgy}) or a number where a revision belongs is told, not
 * silently defaulted.
 */
final class JsonBody {
  /** The largest body the API reads; bigger ones are answered 413 before they are parsed. */
  static final long LIMIT = 1024 * 1024;

  private JsonBody() {}

  /** The body as an object (empty when there is no body), holding only {@code known} fields. */
  static JsonObject object(RoutingContext ctx, List<String> known) {
    Buffer b = ctx.body().buffer();
    if (b == null || b.length() == 0) {
      return new JsonObject();
    }
    String type = ctx.request().getHeader("content-type");
    if (type != null && !mediaType(type).equals("application/json")) {
      throw new ApiError(
          415,
          "content-type",
          "application/json",
          "the body is sent as '"
              + oneLine(type)
              + "'; send JSON with 'Content-Type: application/json'"
              + " (curl: -H 'content-type: application/json')");
    }
    return object(b, known);
  }

  /** {@code b} parsed as a JSON object holding only {@code known} fields. */
  static JsonObject object(Buffer b, List<String> known) {
    Object v;
    try {
      v = Json.decodeValue(b);
    } catch (DecodeException | IllegalStateException e) {
      throw ApiError.invalid(
          "body",
          "valid JSON",
          "the body is not valid JSON ("
              + oneLine(e.getMessage())
              + "); send an object such as {\"target\": \"head\"}");
    }
    if (!(v instanceof JsonObject o)) {
      throw ApiError.invalid(
          "body", "a JSON object", "the body is " + kind(v) + "; send a JSON object");
    }
    for (String k : o.fieldNames()) {
      if (!known.contains(k)) {
        throw ApiError.invalid(
            k,
            "a known field",
            "unknown field '"
                + oneLine(k)
                + "'; known fields: "
                + String.join(", ", known)
                + (known.isEmpty() ? "(none: send no body)" : ""));
      }
    }
    return o;
  }

  /** A string field, or null when absent or null. */
  static String string(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw ApiError.invalid(
        field, "a string", field + " must be a string, not " + kind(v) + " (" + shown(v) + ")");
  }

  /** An object field, or null when absent or null. */
  static JsonObject object(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (v == null || v instanceof JsonObject) {
      return (JsonObject) v;
    }
    throw ApiError.invalid(
        field, "an object", field + " must be an object, not " + kind(v) + " (" + shown(v) + ")");
  }

  static String kind(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof JsonObject) {
      return "an object";
    }
    if (v instanceof JsonArray) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    return v instanceof Number ? "a number" : "a " + v.getClass().getSimpleName();
  }

  /** A value as a short line for a message. */
  static String shown(Object v) {
    String s =
        v instanceof JsonObject || v instanceof JsonArray ? Json.encode(v) : String.valueOf(v);
    return oneLine(s);
  }

  /** First line, at most 160 characters: messages never carry a whole body back. */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.strip().lines().findFirst().orElse("");
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }

  private static String mediaType(String header) {
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
  }
}
