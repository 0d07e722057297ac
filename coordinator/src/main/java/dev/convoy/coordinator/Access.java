package dev.convoy.coordinator;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may call what. Mutations need the API token; reads (rollouts, environments, events) need the
 * API token or the read-only token (for dashboards and scrapers), unless the operator chose {@code
 * --public-read}. /health and /metrics stay open for probes and scrapers. Tokens come as {@code
 * Authorization: Bearer …}; the event stream alone also takes {@code ?access_token=}, because a
 * browser's EventSource cannot send headers. Tokens are compared in constant time.
 */
final class Access {
  private final byte[] write;
  private final byte[] read;
  private final boolean publicRead;

  Access(String apiToken, String readToken, boolean publicRead) {
    this.write = bytes(apiToken);
    this.read = bytes(readToken);
    this.publicRead = publicRead;
  }

  /** Route handler for reads: lets the call through or answers 401. */
  void read(RoutingContext ctx) {
    requireRead(ctx, false);
  }

  /** Route handler for the event stream: a read that may carry its token in the query. */
  void readEvents(RoutingContext ctx) {
    requireRead(ctx, true);
  }

  private void requireRead(RoutingContext ctx, boolean queryAllowed) {
    if (!publicRead) {
      byte[] given = given(ctx, queryAllowed);
      if (!matches(write, given) && !matches(read, given)) {
        throw unauthorized(given, "read");
      }
    }
    ctx.next();
  }

  /** Route handler for mutations: the API token, else 403 for the read token and 401 otherwise. */
  void write(RoutingContext ctx) {
    byte[] given = given(ctx, false);
    if (!matches(write, given)) {
      if (matches(read, given)) {
        throw new ApiError(
            403,
            "Authorization",
            "the API token (CONVOY_API_TOKEN)",
            "the read-only token (CONVOY_READ_TOKEN) cannot change rollouts; use the API token");
      }
      throw unauthorized(given, "change");
    }
    ctx.next();
  }

  private static ApiError unauthorized(byte[] given, String what) {
    return new ApiError(
        401,
        "Authorization",
        "a bearer token",
        (given == null ? "a bearer token is needed" : "the bearer token is not valid")
            + " to "
            + what
            + " rollouts: send 'Authorization: Bearer $CONVOY_API_TOKEN'"
            + (what.equals("read") ? " (or the read-only CONVOY_READ_TOKEN)" : ""));
  }

  private static byte[] given(RoutingContext ctx, boolean queryAllowed) {
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return bytes(header.substring(7).strip());
    }
    if (queryAllowed && !ctx.queryParam("access_token").isEmpty()) {
      return bytes(ctx.queryParam("access_token").get(0));
    }
    return null;
  }

  private static boolean matches(byte[] token, byte[] given) {
    return token != null && given != null && MessageDigest.isEqual(token, given);
  }

  private static byte[] bytes(String s) {
    return s == null || s.isEmpty() ? null : s.getBytes(StandardCharsets.UTF_8);
  }
}
