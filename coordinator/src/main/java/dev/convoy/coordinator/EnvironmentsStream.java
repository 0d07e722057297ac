package dev.convoy.coordinator;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/environments/stream}: the environments and their agents (as {@code GET
 * /api/environments} answers them) pushed once a second as {@code environments} events, so the
 * console shows heads, digest mismatches, last heard and lag as they are without polling. Read from
 * the coordinator's memory (the heartbeats it hears), never the database.
 */
final class EnvironmentsStream {
  static final long EVERY_MS = 1000;

  private final Coordinator coordinator;

  EnvironmentsStream(Coordinator coordinator) {
    this.coordinator = coordinator;
  }

  void serve(RoutingContext ctx) {
    HttpServerResponse res = RolloutStream.open(ctx);
    long timer =
        coordinator
            .vertx()
            .setPeriodic(
                0,
                EVERY_MS,
                t -> {
                  // The digest is re-read from the directory at most every five seconds: off the
                  // event loop.
                  coordinator
                      .vertx()
                      .executeBlocking(() -> coordinator.environmentsJson())
                      .onSuccess(
                          env -> {
                            if (!res.closed()) {
                              res.write(RolloutStream.event("environments", null, env));
                            }
                          });
                });
    res.closeHandler(v -> coordinator.vertx().cancelTimer(timer));
  }
}
