package dev.convoy.agent.db;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.pg.PgUrl;
import java.sql.SQLException;
import java.util.Locale;

/**
 * Why a connection could not be opened, in a user's words, whichever client tried: a server that is
 * not PostgreSQL, a TLS certificate that does not check out, a server without TLS when the URL
 * requires it, or PostgreSQL's own refusal (with its SQLSTATE reachable as the cause).
 */
final class ConnectErrors {
  private ConnectErrors() {}

  /** The error for a connection that could not be opened. */
  static ConvoyException failed(DatabaseUrl url, Throwable e) {
    RuntimeException why = explain(url.parsed(), e);
    return new ConvoyException(
        ErrorCode.CONNECTION_FAILED,
        "cannot connect to PostgreSQL at "
            + url.redacted()
            + ": "
            + why.getMessage()
            + (serverMayBeDown(why)
                ? ". Check --url (or CONVOY_DATABASE_URL) and that the server is running."
                : ". Check --url (or CONVOY_DATABASE_URL)."),
        why);
  }

  /** Whether "is the server running?" is worth asking: not after a TLS or login refusal. */
  private static boolean serverMayBeDown(RuntimeException why) {
    String m = String.valueOf(why.getMessage()).toLowerCase(Locale.ROOT);
    return !(m.contains("certificate")
        || m.contains("tls")
        || m.contains("password")
        || m.contains("authentication")
        || m.contains("not a postgresql server")
        || m.contains("does not exist"));
  }

  static RuntimeException explain(PgUrl url, Throwable e) {
    String mode = url.sslMode();
    String all = messages(e);
    if (has(e, java.net.SocketTimeoutException.class) && !all.contains("connect timed out")) {
      return new IllegalStateException(
          "the server accepted the connection but did not answer PostgreSQL's startup (waited "
              + JdbcSession.STARTUP_TIMEOUT_S
              + " s per attempt; sslmode=prefer tries TLS first): the port in the URL may not be a PostgreSQL server (another service, or a"
              + " stuck proxy)",
          e);
    }
    String lower = all.toLowerCase(Locale.ROOT);
    if (lower.contains("does not support ssl") || lower.contains("does not handle ssl")) {
      return new IllegalStateException(
          "the server does not accept TLS connections and the URL asks for sslmode="
              + mode
              + ": turn ssl on in the server, or use sslmode=prefer to allow plaintext",
          e);
    }
    if (lower.contains("could not be verified by hostnameverifier")
        || lower.contains("no subject alternative")
        || lower.contains("no name matching")) {
      return new IllegalStateException(
          "the server's TLS certificate does not name the host "
              + url.server().getHost()
              + " (sslmode=verify-full): connect with a host name the certificate names, or use"
              + " sslmode=verify-ca to check the certificate's CA only",
          e);
    }
    if (lower.contains("pkix path") || lower.contains("unable to find valid certification")) {
      return new IllegalStateException(
          "the server's TLS certificate is not signed by the CA in sslrootcert="
              + url.rootCert()
              + " (sslmode="
              + mode
              + "): give the certificate of the CA that signed the server's",
          e);
    }
    if (e instanceof SQLException s
        && "08P01".equals(s.getSQLState())
        && s.getMessage() != null
        && s.getMessage().contains("setting up the SSL")) {
      return new IllegalStateException(
          "the server did not answer in PostgreSQL's protocol: the port in the URL is not a"
              + " PostgreSQL server",
          e);
    }
    if (e instanceof SQLException s) {
      return SqlError.of(s, false);
    }
    return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      sb.append(t.getMessage()).append('\n');
    }
    return sb.toString();
  }
}
