package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.ops.Sql;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The coordinator's HTTP API (DESIGN.md "Interfaces"): rollouts (start, approve, deployed, pause,
 * resume, rollback), environments, events (and the console's streams: {@link RolloutsStream},
 * {@link RolloutStream}, {@link EnvironmentsStream}), health, metrics and the console ({@link
 * ConsoleAssets}). Who may call what is {@link Access}'s (mutations need the API token, reads a
 * token unless reads are public, /health and /metrics are open); request bodies are read strictly
 * by {@link JsonBody} (at most 1 MB, JSON only); every refusal is answered by {@link ApiErrors} as
 * {@code {"error", "field", "rule"}}. Handlers that touch the control database run on the API's own
 * threads, never on the event loop.
 */
final class Api {
  static final List<String> ACTIONS = List.of("approve", "deployed", "pause", "resume", "rollback");

  /** A start's body: the request and, optionally, who starts it ({@code by}). */
  static final List<String> START_FIELDS =
      java.util.stream.Stream.concat(
              RolloutRequest.FIELDS.stream(), java.util.stream.Stream.of("by"))
          .toList();

  private final Coordinator coordinator;
  private final ApiErrors errors;
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
    this.errors = new ApiErrors(coordinator.config().id());
  }

  HttpServer listen(String host, int port) {
    Coordinator.Config config = coordinator.config();
    Access access = new Access(config.apiToken(), config.readToken(), config.publicRead());
    Router router = Router.router(coordinator.vertx());
    router.route().failureHandler(errors::failure);
    router.errorHandler(404, ctx -> errors.unrouted(ctx, 404));
    router.errorHandler(405, ctx -> errors.unrouted(ctx, 405));
    // Vert.x runs body handlers before any other; the limit bounds what any client can send.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(JsonBody.LIMIT);
    router
        .get("/api/events")
        .handler(access::readEvents)
        .handler(new EventStream(coordinator, workers)::serve);
    router
        .get("/api/rollouts/stream")
        .handler(access::readEvents)
        .handler(new RolloutsStream(coordinator, workers)::serve);
    router
        .get("/api/rollouts/:id/stream")
        .handler(access::readEvents)
        .handler(new RolloutStream(coordinator, workers, errors)::serve);
    router
        .get("/api/environments/stream")
        .handler(access::readEvents)
        .handler(new EnvironmentsStream(coordinator)::serve);
    router
        .get("/health")
        .handler(
            ctx -> {
              List<String> problems = coordinator.problems();
              json(
                  ctx,
                  problems.isEmpty() ? 200 : 503,
                  new JsonObject()
                      .put("status", problems.isEmpty() ? "up" : "down")
                      .put("leader", coordinator.leader())
                      .put("epoch", coordinator.epoch())
                      .put("problems", new io.vertx.core.json.JsonArray(problems)));
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("content-type", "text/plain; version=0.0.4")
                    .end(coordinator.metrics().scrape()));
    router
        .get("/api/environments")
        .handler(access::read)
        .handler(ctx -> blocking(ctx, 200, coordinator::environmentsJson));
    router
        .get("/api/rollouts")
        .handler(access::read)
        .handler(
            ctx ->
                blocking(
                    ctx,
                    200,
                    () -> new JsonObject().put("rollouts", coordinator.rollouts().list())));
    router
        .get("/api/rollouts/:id")
        .handler(access::read)
        .handler(
            ctx ->
                blocking(
                    ctx,
                    200,
                    () -> {
                      JsonObject r = found(ctx.pathParam("id"));
                      try {
                        return r.put("revisions", RolloutRevisions.of(coordinator.graph(), r));
                      } catch (RuntimeException e) {
                        return r; // an unreadable directory: the rollout without its messages
                      }
                    }));
    router
        .post("/api/rollouts")
        .handler(body)
        .handler(access::write)
        .handler(
            ctx ->
                blocking(
                    ctx,
                    201,
                    () -> {
                      JsonObject json = JsonBody.object(ctx, START_FIELDS);
                      RolloutRequest request = RolloutRequest.of(json);
                      noQuery(ctx, List.of());
                      String id =
                          coordinator
                              .rollouts()
                              .create(
                                  request,
                                  coordinator.graph(),
                                  coordinator.liveHeads(),
                                  by(ctx, json));
                      coordinator.wake();
                      return new JsonObject().put("id", id);
                    }));
    router
        .post("/api/rollouts/:id/:action")
        .handler(body)
        .handler(access::write)
        .handler(ctx -> blocking(ctx, 200, () -> act(ctx)));
    ConsoleAssets console = new ConsoleAssets();
    router.get("/").handler(console::index);
    router.get("/console/:file").handler(console::file);
    try {
      return coordinator
          .vertx()
          .createHttpServer()
          .requestHandler(router)
          .listen(port, host)
          .await();
    } catch (RuntimeException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "the coordinator cannot listen on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "); choose an address of this host with --bind (CONVOY_BIND) and a free port"
              + " with --http-port",
          e);
    }
  }

  private JsonObject act(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String action = ctx.pathParam("action");
    if (!ACTIONS.contains(action)) {
      throw ApiError.notFound(
          "action",
          "one of " + String.join(", ", ACTIONS),
          "unknown action '" + JsonBody.oneLine(action) + "': " + String.join(", ", ACTIONS));
    }
    JsonObject body = JsonBody.object(ctx, List.of("by", "allow_data_loss"));
    noQuery(
        ctx,
        switch (action) {
          case "approve" -> List.of("env", "by", "allow_data_loss");
          case "rollback" -> List.of("by", "allow_data_loss");
          default -> List.of("by");
        });
    JsonObject r = found(id);
    String state = r.getString("state");
    ControlStore store = coordinator.store();
    String where = " WHERE id = " + Sql.literal(id);
    switch (ctx.pathParam("action")) {
      case "approve" ->
          new GateRelease(store, coordinator.config().environments())
              .approve(
                  r,
                  ctx.queryParam("env").isEmpty() ? null : ctx.queryParam("env").get(0),
                  by(ctx, body),
                  allowDataLoss(ctx, body));
      case "deployed" ->
          new GateRelease(store, coordinator.config().environments()).deployed(r, by(ctx, body));
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
        // The driver lets a step in flight finish, then brings every touched environment back.
        new Transitions(store).rollback(r, allowDataLoss(ctx, body), by(ctx, body));
      }
      default -> throw new IllegalStateException("action " + action + " has no case");
    }
    coordinator.wake();
    return coordinator.rollouts().describe(id);
  }

  /**
   * Who released a gate, for the event log: {@code by} from the JSON body or the query (the CLI
   * sends the user and host), else the client's address.
   */
  private static String by(RoutingContext ctx, JsonObject body) {
    String by = ctx.queryParam("by").isEmpty() ? null : ctx.queryParam("by").get(0);
    if (by == null) {
      by = JsonBody.string(body, "by");
    }
    if (by != null && by.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
      throw ApiError.invalid(
          "by", "printable text", "'by' must be printable text: it names who acted, in the log");
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
  private static boolean allowDataLoss(RoutingContext ctx, JsonObject body) {
    Object v =
        ctx.queryParam("allow_data_loss").isEmpty()
            ? null
            : ctx.queryParam("allow_data_loss").get(0);
    if (v == null) {
      v = body.getValue("allow_data_loss");
    }
    if (v == null) {
      return false;
    }
    String s = String.valueOf(v);
    if (!s.equals("true") && !s.equals("false")) {
      throw ApiError.invalid(
          "allow_data_loss",
          "true or false",
          "allow_data_loss must be true or false, not '" + JsonBody.oneLine(s) + "'");
    }
    return s.equals("true");
  }

  /** Refuses query parameters the call does not take: a typo must not change what it does. */
  private static void noQuery(RoutingContext ctx, List<String> known) {
    for (String name : ctx.queryParams().names()) {
      if (!known.contains(name)) {
        throw ApiError.invalid(
            name,
            "a known query parameter",
            "unknown query parameter '"
                + JsonBody.oneLine(name)
                + "'; this call takes "
                + (known.isEmpty() ? "none" : String.join(", ", known)));
      }
    }
  }

  private static void requireIn(String id, String state, String... allowed) {
    if (!java.util.List.of(allowed).contains(state)) {
      throw new Conflict(
          "rollout " + id + " is " + state + "; this needs it " + String.join(" or ", allowed),
          "state",
          "one of " + String.join(", ", allowed));
    }
  }

  /** The rollout {@code id} names, or a 404 (ids are short words: others are not looked up). */
  private JsonObject found(String id) {
    return found(coordinator, id);
  }

  /** The rollout {@code id} names, or a 404. */
  static JsonObject found(Coordinator coordinator, String id) {
    JsonObject r = id.matches("[A-Za-z0-9_-]{1,64}") ? coordinator.rollouts().describe(id) : null;
    if (r == null) {
      throw ApiError.notFound(
          "id",
          "an existing rollout id",
          "no rollout "
              + JsonBody.oneLine(id)
              + "; GET /api/rollouts (or 'convoy rollout status') lists them");
    }
    return r;
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
          } catch (Throwable e) {
            errors.answer(ctx, e);
          }
        });
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ApiErrors.send(ctx, status, body);
  }
}
