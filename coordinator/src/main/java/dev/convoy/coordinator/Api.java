package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import dev.convoy.ops.Sql;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The coordinator's HTTP API (DESIGN.md "Interfaces"): rollouts (start, approve, deployed, pause,
 * resume, rollback), environments, health, metrics and the dashboard. Mutating calls need {@code
 * Authorization: Bearer <CONVOY_API_TOKEN>}. Handlers that touch the control database run on a
 * worker, never on the event loop.
 */
final class Api {
  private final Coordinator coordinator;
  private final java.util.concurrent.ExecutorService workers =
      java.util.concurrent.Executors.newFixedThreadPool(
          4,
          r -> {
            Thread t = new Thread(r, "convoy-api");
            t.setDaemon(true);
            return t;
          });

  Api(Coordinator coordinator) {
    this.coordinator = coordinator;
  }

  HttpServer listen(int port) {
    Router router = Router.router(coordinator.vertx());
    router.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.get("/api/events").handler(new EventStream(coordinator, workers)::serve);
    router
        .get("/health")
        .handler(
            ctx ->
                json(
                    ctx,
                    200,
                    new JsonObject()
                        .put("status", "up")
                        .put("leader", coordinator.leader())
                        .put("epoch", coordinator.epoch())));
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4")
                    .end(coordinator.metrics().scrape()));
    router
        .get("/api/environments")
        .handler(
            ctx ->
                json(ctx, 200, new JsonObject().put("environments", coordinator.environments())));
    router
        .get("/api/rollouts")
        .handler(
            ctx ->
                blocking(
                    ctx,
                    200,
                    () -> new JsonObject().put("rollouts", coordinator.rollouts().list())));
    router
        .get("/api/rollouts/:id")
        .handler(
            ctx ->
                blocking(
                    ctx,
                    200,
                    () ->
                        found(
                            coordinator.rollouts().describe(ctx.pathParam("id")),
                            ctx.pathParam("id"))));
    router
        .post("/api/rollouts")
        .handler(this::authorized)
        .handler(
            ctx ->
                blocking(
                    ctx,
                    201,
                    () -> {
                      JsonObject body =
                          ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
                      String id =
                          coordinator
                              .rollouts()
                              .create(
                                  Rollouts.Request.of(body),
                                  coordinator.graph(),
                                  coordinator.liveHeads());
                      coordinator.wake();
                      return new JsonObject().put("id", id);
                    }));
    router
        .post("/api/rollouts/:id/:action")
        .handler(this::authorized)
        .handler(ctx -> blocking(ctx, 200, () -> act(ctx)));
    router
        .get("/")
        .handler(ctx -> ctx.response().putHeader("content-type", "text/html").end(Dashboard.HTML));
    return coordinator.vertx().createHttpServer().requestHandler(router).listen(port).await();
  }

  private JsonObject act(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject r = found(coordinator.rollouts().describe(id), id);
    String state = r.getString("state");
    ControlStore store = coordinator.store();
    String where = " WHERE id = " + Sql.literal(id);
    switch (ctx.pathParam("action")) {
      case "approve" ->
          new GateRelease(store)
              .approve(
                  r,
                  ctx.queryParam("env").isEmpty() ? null : ctx.queryParam("env").get(0),
                  by(ctx),
                  allowDataLoss(ctx));
      case "deployed" -> new GateRelease(store).deployed(r, by(ctx));
      case "pause" -> new Transitions(store).pause(r);
      case "resume" -> new Transitions(store).resume(r);
      case "rollback" -> {
        requireIn(id, state, "running", "waiting", "paused", "succeeded", "failed");
        List<String> refusals =
            coordinator
                .rollbackGuard()
                .refusals(
                    RollbackGuard.reached(
                        r.getJsonArray("steps").stream().map(o -> (JsonObject) o).toList()),
                    RollbackGuard.start(r.getJsonObject("start_heads")));
        if (!refusals.isEmpty()) {
          store.log(id, null, "rollback_refused", RollbackGuard.message(refusals));
          throw new Conflict(RollbackGuard.message(refusals));
        }
        if (allowDataLoss(ctx)) {
          new DataLossGate(store).allowUpFront(id, by(ctx));
        }
        // The driver lets a step in flight finish, then brings every touched environment back.
        new Transitions(store).rollback(r);
      }
      default ->
          throw Rollouts.bad(
              "unknown action '"
                  + ctx.pathParam("action")
                  + "': approve, deployed, pause, resume or rollback");
    }
    coordinator.wake();
    return coordinator.rollouts().describe(id);
  }

  /**
   * Who released a gate, for the event log: {@code by} from the JSON body or the query (the CLI
   * sends the user and host), else the client's address.
   */
  private static String by(RoutingContext ctx) {
    String by = ctx.queryParam("by").isEmpty() ? null : ctx.queryParam("by").get(0);
    if (by == null && ctx.body().length() > 0) {
      try {
        by = ctx.body().asJsonObject().getString("by");
      } catch (RuntimeException e) {
        by = null;
      }
    }
    if (by == null || by.isBlank()) {
      by = "an API client at " + ctx.request().remoteAddress();
    }
    return by.length() > 200 ? by.substring(0, 200) : by;
  }

  /**
   * {@code allow_data_loss} from the query or the JSON body: whether an approve or rollback may
   * drop rows; anything but true or false is refused.
   */
  private static boolean allowDataLoss(RoutingContext ctx) {
    Object v =
        ctx.queryParam("allow_data_loss").isEmpty()
            ? null
            : ctx.queryParam("allow_data_loss").get(0);
    if (v == null && ctx.body().length() > 0) {
      try {
        v = ctx.body().asJsonObject().getValue("allow_data_loss");
      } catch (RuntimeException e) {
        v = null;
      }
    }
    if (v == null) {
      return false;
    }
    String s = String.valueOf(v);
    if (!s.equals("true") && !s.equals("false")) {
      throw Rollouts.bad("allow_data_loss must be true or false, not '" + s + "'");
    }
    return s.equals("true");
  }

  private static void requireIn(String id, String state, String... allowed) {
    if (!java.util.List.of(allowed).contains(state)) {
      throw Rollouts.bad(
          "rollout " + id + " is " + state + "; this needs it " + String.join(" or ", allowed));
    }
  }

  private static JsonObject found(JsonObject r, String id) {
    if (r == null) {
      throw new NotFound("no rollout " + id);
    }
    return r;
  }

  private void authorized(RoutingContext ctx) {
    String token = coordinator.config().apiToken();
    String header = ctx.request().getHeader("Authorization");
    String given = header != null && header.startsWith("Bearer ") ? header.substring(7) : "";
    if (token == null
        || token.isEmpty()
        || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
      json(
          ctx,
          401,
          new JsonObject()
              .put("error", "a bearer token is needed: Authorization: Bearer $CONVOY_API_TOKEN"));
      return;
    }
    ctx.next();
  }

  /**
   * Runs {@code work} on the API's own threads: the control store blocks on its futures, which
   * Vert.x allows only outside its event loops and workers.
   */
  private void blocking(RoutingContext ctx, int status, Callable<JsonObject> work) {
    workers.execute(
        () -> {
          try {
            json(ctx, status, work.call());
          } catch (Exception e) {
            int code =
                e instanceof NotFound
                    ? 404
                    : e instanceof Conflict
                        ? 409
                        : e instanceof ConvoyException ce && ce.code().exitCode() == 2 ? 400 : 500;
            json(ctx, code, new JsonObject().put("error", e.getMessage()));
          }
        });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(body.encodePrettily());
  }

  /** A rollout id that names nothing. */
  private static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }
}
