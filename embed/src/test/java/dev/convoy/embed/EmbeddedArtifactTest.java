package dev.convoy.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.Convoy;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * convoy-embed is what an application adds to migrate at startup: it migrates with what it brings,
 * and brings no Redis client, web server or Prometheus registry (the coordinator's and the agent
 * daemon's).
 */
class EmbeddedArtifactTest {
  @Test
  void its_classpath_holds_no_redis_client_web_server_or_prometheus_registry() {
    for (String absent :
        List.of(
            "io.vertx.redis.client.Redis",
            "io.vertx.ext.web.Router",
            "io.micrometer.prometheusmetrics.PrometheusMeterRegistry",
            "io.micrometer.core.instrument.MeterRegistry",
            "org.slf4j.simple.SimpleLogger")) {
      assertThrows(
          ClassNotFoundException.class, () -> Class.forName(absent), absent + " is on the path");
    }
  }

  @Test
  void an_application_migrates_the_example_app_to_head_with_only_this_artifact() {
    try (TestDatabase db = TestPostgres.createDatabase("embedded");
        Convoy convoy =
            Convoy.configure().url(db.url()).migrations(Path.of("..", "migrations")).load()) {
      MigrationResult r = convoy.upgrade("head");
      assertEquals(convoy.graph().heads(), r.to());
      assertEquals(convoy.graph().all().size(), r.applied().size());
      assertEquals(r.to(), convoy.current());
      assertTrue(convoy.upgrade("head").applied().isEmpty(), "a second start applies nothing");
    }
  }
}
