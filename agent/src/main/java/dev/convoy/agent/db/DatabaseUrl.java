package dev.convoy.agent.db;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import io.vertx.pgclient.PgConnectOptions;

/**
 * A PostgreSQL URL ({@code postgresql://user:pass@host:port/db}); never printed with its password.
 */
public record DatabaseUrl(String url) {
  public DatabaseUrl {
    if (url == null || url.isBlank()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "no database URL: pass --url postgresql://user:pass@host:port/db or set"
              + " CONVOY_DATABASE_URL");
    }
    url = url.startsWith("jdbc:") ? url.substring(5) : url;
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "database URL '"
              + redact(url)
              + "' must start with postgresql:// (for example"
              + " postgresql://postgres@127.0.0.1:5432/app)");
    }
    try {
      PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "database URL '"
              + redact(url)
              + "' is not valid: "
              + redact(String.valueOf(e.getMessage()))
              + "; write it as postgresql://user:password@host:port/database",
          e);
    }
  }

  public PgConnectOptions options() {
    return PgConnectOptions.fromUri(url);
  }

  public String database() {
    return options().getDatabase();
  }

  /** The same URL pointing at another database on the same server. */
  public DatabaseUrl withDatabase(String database) {
    int q = url.indexOf('?');
    String base = q < 0 ? url : url.substring(0, q);
    String query = q < 0 ? "" : url.substring(q);
    int slash = base.indexOf('/', base.indexOf("://") + 3);
    String server = slash < 0 ? base : base.substring(0, slash);
    return new DatabaseUrl(server + "/" + database + query);
  }

  public String redacted() {
    return redact(url);
  }

  @Override
  public String toString() {
    return redacted();
  }

  static String redact(String url) {
    return url.replaceAll("(://[^:/@]+):[^@/]*@", "$1:***@");
  }
}
