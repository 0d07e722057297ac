package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failed API call becomes one JSON answer {@code {"error", "field", "rule"}}: {@link
 * ApiError} as it says, {@link Conflict} 409, a bad-input {@link ConvoyException} 400, a
 * control-database unique violation 409 (another decision won), the router's own refusals (413 body
 * too large, 404 no such path, 405 wrong method) in the same shape. Anything else is a bug: a
 * one-line 500 for the client and the whole trace in the coordinator's log.
 */
final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  private final String who;

  ApiErrors(String who) {
    this.who = who;
  }

  /** Answers {@code ctx} with the error {@code e} stands for. */
  void answer(RoutingContext ctx, Throwable e) {
    ApiError a = of(ctx, e);
    send(ctx, a.status(), a.json());
  }

  /** The router's failure handler: a handler threw, or a body handler refused (413). */
  void failure(RoutingContext ctx) {
    if (ctx.failure() != null) {
      answer(ctx, ctx.failure());
      return;
    }
    int status = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
    send(ctx, status, routerError(ctx, status).json());
  }

  /** The router's answer for a path no route has (404) or a method it does not take (405). */
  void unrouted(RoutingContext ctx, int status) {
    send(ctx, status, routerError(ctx, status).json());
  }

  private ApiError routerError(RoutingContext ctx, int status) {
    String path = JsonBody.oneLine(ctx.request().path());
    return switch (status) {
      case 413 ->
          new ApiError(
              413,
              "body",
              "at most " + JsonBody.LIMIT + " bytes",
              "the body is over 1 MB (" + JsonBody.LIMIT + " bytes); rollout requests are small");
      case 404 ->
          ApiError.notFound(
              "path",
              "an API path",
              "no such path "
                  + path
                  + "; the API has /api/rollouts[/ID[/ACTION]], /api/environments,"
                  + " /api/events, /health, /metrics and /");
      case 405 ->
          new ApiError(
              405,
              "method",
              "a method the path takes",
              ctx.request().method() + " is not allowed on " + path);
      default -> new ApiError(status, null, null, "the request was refused (HTTP " + status + ")");
    };
  }

  private ApiError of(RoutingContext ctx, Throwable e) {
    if (e instanceof ApiError a) {
      return a;
    }
    if (e instanceof HttpException h && h.getStatusCode() >= 400 && h.getStatusCode() < 500) {
      return routerError(ctx, h.getStatusCode());
    }
    if (e instanceof Conflict c) {
      return new ApiError(409, c.field(), c.rule(), c.getMessage());
    }
    if (e instanceof ConvoyException ce && ce.code().exitCode() == 2) {
      return ApiError.invalid(null, "valid input", ce.getMessage());
    }
    if (e instanceof ConvoyException ce
        && ce.code() == dev.convoy.error.ErrorCode.CONNECTION_FAILED
        && !ControlStore.refusedStatement(ce)) {
      // An outage, not a fault in the request: the client may try again.
      log.warn("{} - {} {}: {}", who, ctx.request().method(), ctx.request().path(), e.getMessage());
      return new ApiError(
          503,
          null,
          null,
          "the control database is unavailable ("
              + JsonBody.oneLine(e.getMessage())
              + "); try again shortly");
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return new ApiError(
            409,
            "state",
            "one decision per rollout",
            "another call changed this rollout first ("
                + JsonBody.oneLine(pg.getErrorMessage())
                + "); read it again and retry if it still applies");
      }
    }
    log.error(
        "{} - {} {} failed unexpectedly; answered 500",
        who,
        ctx.request().method(),
        ctx.request().path(),
        e);
    return new ApiError(
        500,
        null,
        null,
        "internal error: "
            + JsonBody.oneLine(String.valueOf(e))
            + " (the coordinator's log has the trace)");
  }

  static void send(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body.encodePrettily());
  }
}
