package dev.convoy.agent.daemon;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * The agent's metrics listener: {@code GET /metrics} answers the Prometheus scrape of {@link
 * AgentMetrics}, {@code GET /health} the {@link AgentHealth} (200 up, 503 down with the problems),
 * any other path a 404. It listens on the configured bind address (loopback unless the operator
 * says otherwise) and is not started at all for a negative port. Apart from {@link AgentDaemon}
 * because it is the agent's only HTTP surface and has nothing to do with commands.
 */
final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Listens on {@code bind}:{@code port} (0 for any free port) until closed. */
  static MetricsEndpoint listen(
      Vertx vertx, AgentMetrics metrics, Supplier<JsonObject> health, String bind, int port) {
    return new MetricsEndpoint(
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  if (req.path().equals("/metrics")) {
                    req.response()
                        .putHeader("content-type", "text/plain; version=0.0.4")
                        .end(metrics.scrape());
                  } else if (req.path().equals("/health")) {
                    JsonObject h = health.get();
                    req.response()
                        .setStatusCode("up".equals(h.getString("status")) ? 200 : 503)
                        .putHeader("content-type", "application/json")
                        .end(h.encode());
                  } else {
                    req.response().setStatusCode(404).end();
                  }
                })
            .listen(port, bind)
            .await());
  }

  int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
