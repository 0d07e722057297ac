package dev.convoy.agent.db;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.pg.PgUrl;
import dev.convoy.pg.VertxPgOptions;
import io.vertx.pgclient.PgConnectOptions;

/**
 * A PostgreSQL URL ({@code postgresql://user:pass@host:port/db?sslmode=...}); never printed with
 * its password. Its parameters are read once (see {@link PgUrl}) and mean the same to every client.
 */
public record DatabaseUrl(String url) {
  public DatabaseUrl {
    if (url == null || url.isBlank()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "no database URL: pass --url postgresql://user:pass@host:port/db or set"
              + " CONVOY_DATABASE_URL");
    }
    url = PgUrl.parse(url, "database URL").url();
  }

  /** The URL's parameters, read the way libpq reads them. */
  public PgUrl parsed() {
    return PgUrl.parse(url, "database URL");
  }

  /** Vert.x client options: server, login and TLS from the URL. */
  public PgConnectOptions options(String applicationName) {
    return VertxPgOptions.of(parsed(), applicationName);
  }

  public String database() {
    return parsed().server().getDatabase();
  }

  /** The same URL pointing at another database on the same server. */
  public DatabaseUrl withDatabase(String database) {
    return new DatabaseUrl(parsed().withDatabase(database));
  }

  public String redacted() {
    return PgUrl.redact(url);
  }

  @Override
  public String toString() {
    return redacted();
  }
}
