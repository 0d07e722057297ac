package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The console's files as the coordinator's router serves them, asked for again and again. */
class ConsoleAssetsTest {
  @Test
  void each_file_is_served_whole_every_time_it_is_asked_for_over_http1_and_http2()
      throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ConsoleAssets console = new ConsoleAssets();
      Router router = Router.router(vertx);
      router.get("/").handler(console::index);
      router.get("/console/:file").handler(console::file);
      HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0).await();
      String base = "http://127.0.0.1:" + server.actualPort();
      for (HttpClient.Version version : HttpClient.Version.values()) {
        for (int i = 0; i < 3; i++) {
          for (String path : new String[] {"/", "/console/console.js", "/console/console.css"}) {
            HttpResponse<String> r =
                HttpClient.newBuilder()
                    .version(version)
                    .build()
                    .send(
                        HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.body().length() > 500, path + " whole, time " + i + " over " + version);
          }
        }
      }
    } finally {
      vertx.close().await();
    }
  }
}
