package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import dev.convoy.ops.Sql;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * {@code GET /api/rollouts/{id}/stream}: one rollout, pushed to the console as server-sent events
 * so the page never polls. On connect and whenever it changes: {@code rollout} (the rollout as
 * {@code GET /api/rollouts/{id}} answers it, with the revisions it brings); for each environment
 * whose backfill moved: {@code progress} ({@code env, seq, rows_done, rows_total, rows_per_second,
 * eta_seconds, backfill_seconds, state}); every entry of its event log, oldest first, then each new
 * one: {@code log} ({@code id, at, env, type, message}). The coordinator looks at the control
 * database twice a second on the client's behalf; a closed connection stops it.
 */
final class RolloutStream {
  static final long EVERY_MS = 500;

  private final Coordinator coordinator;
  private final ExecutorService workers;
  private final ApiErrors errors;

  RolloutStream(Coordinator coordinator, ExecutorService workers, ApiErrors errors) {
    this.coordinator = coordinator;
    this.workers = workers;
    this.errors = errors;
  }

  void serve(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    workers.execute(
        () -> {
          try {
            JsonObject first = Api.found(coordinator, id);
            JsonArray revisions = revisions(first);
            HttpServerResponse res = open(ctx);
            State state = new State(id, revisions);
            state.send(res, first);
            long timer = coordinator.vertx().setPeriodic(EVERY_MS, EVERY_MS, t -> tick(res, state));
            res.closeHandler(v -> coordinator.vertx().cancelTimer(timer));
          } catch (Throwable e) {
            errors.answer(ctx, e);
          }
        });
  }

  /** A text/event-stream response, opened with a comment. */
  static HttpServerResponse open(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache");
    res.write(": convoy\n\n");
    return res;
  }

  /** One server-sent event. */
  static String event(String name, Long id, JsonObject data) {
    return (id == null ? "" : "id: " + id + "\n")
        + "event: "
        + name
        + "\ndata: "
        + data.encode()
        + "\n\n";
  }

  private JsonArray revisions(JsonObject rollout) {
    try {
      return RolloutRevisions.of(coordinator.graph(), rollout);
    } catch (RuntimeException e) {
      return new JsonArray(); // an unreadable directory names no messages; the rollout still shows
    }
  }

  private void tick(HttpServerResponse res, State state) {
    if (state.busy) {
      return;
    }
    state.busy = true;
    workers.execute(
        () -> {
          try {
            JsonObject r = coordinator.rollouts().describe(state.id);
            if (r != null && !res.closed()) {
              state.send(res, r);
            }
          } catch (RuntimeException e) {
            // The control database is away: the next tick tries again; the client stays.
          } finally {
            state.busy = false;
          }
        });
  }

  /** What this client has been sent. */
  private final class State {
    final String id;
    final JsonArray revisions;
    volatile boolean busy;
    long lastLog;
    String lastRollout;
    final Map<String, String> lastProgress = new HashMap<>();

    State(String id, JsonArray revisions) {
      this.id = id;
      this.revisions = revisions;
    }

    void send(HttpServerResponse res, JsonObject rollout) {
      StringBuilder out = new StringBuilder();
      for (var row :
          coordinator
              .store()
              .rows(
                  "SELECT id, at::text, env, type, message FROM "
                      + SCHEMA
                      + ".events WHERE rollout_id = "
                      + Sql.literal(id)
                      + " AND id > "
                      + lastLog
                      + " ORDER BY id LIMIT 500")) {
        lastLog = row.getLong(0);
        out.append(
            event(
                "log",
                null,
                new JsonObject()
                    .put("id", lastLog)
                    .put("at", row.getString(1))
                    .put("env", row.getString(2))
                    .put("type", row.getString(3))
                    .put("message", row.getString(4))));
      }
      rollout.put("revisions", revisions);
      // An active rollout's duration grows every tick: not a change worth sending on its own.
      String encoded = rollout.copy().put("duration_seconds", null).encode();
      if (!encoded.equals(lastRollout)) {
        lastRollout = encoded;
        out.append(event("rollout", null, rollout));
      }
      for (Object o : rollout.getJsonArray("stages")) {
        JsonObject p = progress((JsonObject) o);
        if (p != null && !p.encode().equals(lastProgress.put(p.getString("env"), p.encode()))) {
          out.append(event("progress", null, p.put("rollout", id)));
        }
      }
      if (out.length() > 0) {
        res.write(out.toString());
      }
    }
  }

  /** A stage's backfill figures, or null before it reported any. */
  static JsonObject progress(JsonObject stage) {
    if (stage.getValue("rows_done") == null) {
      return null;
    }
    JsonObject p = new JsonObject().put("env", stage.getString("env"));
    for (String k :
        new String[] {
          "backfill_seq",
          "rows_done",
          "rows_total",
          "rows_per_second",
          "eta_seconds",
          "backfill_seconds",
          "state"
        }) {
      p.put(k.equals("backfill_seq") ? "seq" : k, stage.getValue(k));
    }
    return p;
  }
}
