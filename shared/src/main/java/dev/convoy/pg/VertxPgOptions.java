package dev.convoy.pg;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/**
 * The Vert.x PostgreSQL client's options for a {@link PgUrl}: server, login, startup parameters and
 * TLS as libpq would use them, so a Vert.x connection is as encrypted and as checked as the
 * blocking one opened from the same URL.
 */
public final class VertxPgOptions {
  private VertxPgOptions() {}

  public static PgConnectOptions of(PgUrl url, String applicationName) {
    PgConnectOptions o = url.server();
    if (url.param("options") != null) {
      o.addProperty("options", url.param("options"));
    }
    o.addProperty("application_name", applicationName);
    return tls(o, url);
  }

  /** Sets {@code o}'s sslmode and the certificates it checks and presents. */
  static PgConnectOptions tls(PgConnectOptions o, PgUrl url) {
    String mode = url.sslMode();
    o.setSslMode(SslMode.of(mode));
    if (mode.equals("disable")) {
      return o;
    }
    ClientSSLOptions ssl = new ClientSSLOptions();
    if (url.verifies()) {
      ssl.setTrustOptions(new PemTrustOptions().addCertPath(url.rootCert()));
      // verify-ca checks the chain only; verify-full also that the certificate names the host.
      ssl.setHostnameVerificationAlgorithm(mode.equals("verify-full") ? "HTTPS" : "");
    } else {
      // allow, prefer and require without a root certificate: encrypted, unchecked (as libpq).
      ssl.setTrustAll(true).setHostnameVerificationAlgorithm("");
    }
    if (url.param("sslcert") != null) {
      ssl.setKeyCertOptions(
          new PemKeyCertOptions()
              .setCertPath(url.param("sslcert"))
              .setKeyPath(url.param("sslkey")));
    }
    return o.setSslOptions(ssl);
  }
}
