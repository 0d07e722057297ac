package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.MigrationDirectory;
import dev.convoy.rollout.Keys;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What a coordinator's pieces need in a test: a control database of its own on the test PostgreSQL,
 * a Redis namespace of its own on the test Redis (CONVOY_TEST_REDIS_URL), and the migrations in
 * {@code dir}. Closing drops the database and the namespace's keys.
 */
final class ControlFixture implements AutoCloseable {
  static final List<String> ENVS = List.of("dev", "staging", "prod");

  final Vertx vertx = Vertx.vertx();
  final TestDatabase control = TestPostgres.createDatabase("coord_control");
  final ControlStore store = new ControlStore(vertx, control.url());
  final Keys keys = new Keys("t" + UUID.randomUUID().toString().substring(0, 8));
  final Redis redis =
      Redis.createClient(
          vertx, System.getenv().getOrDefault("CONVOY_TEST_REDIS_URL", "redis://127.0.0.1:6379"));
  final Path dir;

  ControlFixture(Path dir) {
    this.dir = dir;
    store.ensure();
  }

  RevisionGraph graph() {
    return MigrationDirectory.load(dir);
  }

  /** The entries of {@code env}'s command stream. */
  int commands(String env) {
    Response r = redis.send(Request.cmd(Command.XLEN).arg(keys.commands(env))).await();
    return r == null ? 0 : r.toInteger();
  }

  /** The state of step {@code seq} of {@code rollout}. */
  String step(String rollout, int seq) {
    return control.scalar(
        "SELECT state FROM convoy_control.steps WHERE rollout_id = '"
            + rollout
            + "' AND seq = "
            + seq);
  }

  @Override
  public void close() {
    try {
      Request del = Request.cmd(Command.DEL).arg(keys.leader()).arg(keys.epoch());
      ENVS.forEach(env -> del.arg(keys.commands(env)));
      redis.send(del).await();
    } finally {
      redis.close();
      store.close();
      vertx.close().await();
      control.close();
    }
  }
}
