package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;

/** {@code GET /api/events}: the control database's event log as server-sent events. */
final class EventStream {
  private final Coordinator coordinator;
  private final ExecutorService workers;

  EventStream(Coordinator coordinator, ExecutorService workers) {
    this.coordinator = coordinator;
    this.workers = workers;
  }

  /**
   * Server-sent events: every entry of the control database's event log from now on (or after
   * {@code ?after=ID}, or the Last-Event-ID header of a reconnecting client), as JSON.
   */
  void serve(RoutingContext ctx) {
    String field = "Last-Event-ID";
    String from = ctx.request().getHeader(field);
    if (from == null && !ctx.queryParam("after").isEmpty()) {
      field = "after";
      from = ctx.queryParam("after").get(0);
    }
    long[] last = {-1};
    try {
      last[0] = from == null ? -1 : Long.parseLong(from.strip());
    } catch (NumberFormatException e) {
      throw ApiError.invalid(
          field,
          "an event id (a whole number)",
          field
              + " '"
              + JsonBody.oneLine(from)
              + "' is not an event id; give the id of the last event seen, or 0 for all");
    }
    var res = ctx.response();
    res.setChunked(true)
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache");
    res.write(": convoy events\n\n");
    boolean[] busy = {false};
    long timer =
        coordinator
            .vertx()
            .setPeriodic(
                0,
                500,
                t -> {
                  if (busy[0]) {
                    return;
                  }
                  busy[0] = true;
                  workers.execute(
                      () -> {
                        try {
                          ControlStore store = coordinator.store();
                          if (last[0] < 0) {
                            last[0] =
                                store
                                    .one("SELECT coalesce(max(id), 0) FROM " + SCHEMA + ".events")
                                    .getLong(0);
                          }
                          StringBuilder out = new StringBuilder();
                          for (var r :
                              store.rows(
                                  "SELECT id, at::text, rollout_id, env, type, message FROM "
                                      + SCHEMA
                                      + ".events WHERE id > "
                                      + last[0]
                                      + " ORDER BY id LIMIT 500")) {
                            last[0] = r.getLong(0);
                            out.append("id: ")
                                .append(last[0])
                                .append("\nevent: ")
                                .append(r.getString(4))
                                .append("\ndata: ")
                                .append(
                                    new JsonObject()
                                        .put("id", last[0])
                                        .put("at", r.getString(1))
                                        .put("rollout", r.getString(2))
                                        .put("env", r.getString(3))
                                        .put("type", r.getString(4))
                                        .put("message", r.getString(5))
                                        .encode())
                                .append("\n\n");
                          }
                          if (out.length() > 0) {
                            res.write(out.toString());
                          }
                        } catch (RuntimeException e) {
                          // The next tick tries again; the client keeps its connection.
                        } finally {
                          busy[0] = false;
                        }
                      });
                });
    res.closeHandler(v -> coordinator.vertx().cancelTimer(timer));
  }
}
