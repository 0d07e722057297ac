package dev.convoy.coordinator;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The operator console's static files, served from the coordinator's jar ({@code
 * /console/index.html} at {@code /}, the script and style sheet beside it): no CDN, nothing fetched
 * at run time, so the console works on a closed network. Only the files named in {@link #TYPES} are
 * served, each with its content type, and a content security policy that lets the page load nothing
 * but its own files and talk to nothing but this coordinator, so text that slipped through
 * unescaped still could not run a script. The files hold no data; the page reads the API.
 */
final class ConsoleAssets {
  /** Every file of the console, with its content type. */
  static final Map<String, String> TYPES =
      Map.of(
          "index.html", "text/html; charset=utf-8",
          "console.js", "text/javascript; charset=utf-8",
          "console.css", "text/css; charset=utf-8");

  static final String POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
          + " img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Map<String, Buffer> cache = new ConcurrentHashMap<>();

  /** {@code GET /}: the page. */
  void index(RoutingContext ctx) {
    send(ctx, "index.html");
  }

  /** {@code GET /console/:file}: one of the console's files, else 404. */
  void file(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    if (!TYPES.containsKey(name)) {
      throw ApiError.notFound(
          "file",
          "one of " + String.join(", ", TYPES.keySet()),
          "no console file " + JsonBody.oneLine(name));
    }
    send(ctx, name);
  }

  private void send(RoutingContext ctx, String name) {
    ctx.response()
        .putHeader("content-type", TYPES.get(name))
        .putHeader("content-security-policy", POLICY)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer")
        .putHeader("cache-control", "no-cache")
        .end(cache.computeIfAbsent(name, ConsoleAssets::read));
  }

  private static Buffer read(String name) {
    try (InputStream in = ConsoleAssets.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console file " + name + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
