package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.testkit.PrivatePostgres;
import io.vertx.core.Vertx;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The coordinator's control database honours the URL's sslmode like every other connection. */
class ControlStoreTlsTest {
  @Test
  void the_control_database_with_sslmode_verify_full_is_encrypted_and_checked() throws Exception {
    assumeTrue(PrivatePostgres.binaries().isPresent(), "PostgreSQL server binaries not installed");
    Vertx vertx = Vertx.vertx();
    try (PrivatePostgres pg =
        PrivatePostgres.startWithTls(List.of("hostssl all all 127.0.0.1/32 trust"))) {
      String url =
          "postgresql://postgres@localhost:"
              + pg.port()
              + "/postgres?sslmode=verify-full&sslrootcert="
              + pg.certificates().caCert();
      try (ControlStore store = new ControlStore(vertx, url)) {
        store.ensure();
        assertEquals(
            "true",
            store
                .rows("SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .get(0)
                .getString(0));
      }
      assertTrue(
          Integer.parseInt(pg.scalar("postgres", "SELECT count(*) FROM convoy_control.term")) == 1,
          "the schema was made over TLS");
      ConvoyException bad =
          assertThrows(
              ConvoyException.class,
              () -> new ControlStore(vertx, url.replace("verify-full", "verify-everything")));
      assertEquals(ErrorCode.BAD_INPUT, bad.code());
      assertTrue(bad.getMessage().contains("--control-url"), bad.getMessage());
    } finally {
      vertx.close().await();
    }
  }
}
