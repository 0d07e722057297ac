package dev.convoy.coordinator;

import static dev.convoy.coordinator.ControlStore.SCHEMA;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ExecutorService;

/**
 * {@code GET /api/rollouts/stream}: the rollouts list (as {@code GET /api/rollouts} answers it)
 * pushed as a {@code rollouts} event on connect and whenever it changes: a new event logged, a
 * rollout's row updated, or backfill progress recorded. Once a second the coordinator reads one
 * cheap fingerprint of those; the list itself only when it moved.
 */
final class RolloutsStream {
  static final long EVERY_MS = 1000;
  private static final String FINGERPRINT =
      "SELECT concat_ws('|', (SELECT max(id) FROM "
          + SCHEMA
          + ".events), (SELECT max(updated_at) FROM "
          + SCHEMA
          + ".rollouts), (SELECT max(progress_at) FROM "
          + SCHEMA
          + ".steps))";

  private final Coordinator coordinator;
  private final ExecutorService workers;

  RolloutsStream(Coordinator coordinator, ExecutorService workers) {
    this.coordinator = coordinator;
    this.workers = workers;
  }

  void serve(RoutingContext ctx) {
    HttpServerResponse res = RolloutStream.open(ctx);
    String[] last = {null};
    boolean[] busy = {false};
    long timer =
        coordinator
            .vertx()
            .setPeriodic(
                0,
                EVERY_MS,
                t -> {
                  if (busy[0]) {
                    return;
                  }
                  busy[0] = true;
                  workers.execute(
                      () -> {
                        try {
                          String now = coordinator.store().one(FINGERPRINT).getString(0);
                          if (!now.equals(last[0]) && !res.closed()) {
                            JsonObject list =
                                new JsonObject().put("rollouts", coordinator.rollouts().list());
                            res.write(RolloutStream.event("rollouts", null, list));
                            last[0] = now;
                          }
                        } catch (RuntimeException e) {
                          // The control database is away: the next tick tries again.
                        } finally {
                          busy[0] = false;
                        }
                      });
                });
    res.closeHandler(v -> coordinator.vertx().cancelTimer(timer));
  }
}
