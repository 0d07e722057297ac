package dev.convoy.bench;

import static dev.convoy.bench.CoordinationBench.log;

import dev.convoy.rollout.Keys;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the parts share and {@link #close} releases: the admin Vert.x and its pool on the
 * {@code postgres} database, the databases created on it, the migrations folder; and how to reach
 * PostgreSQL and Redis (pools, URLs, Redis clients, deleting a namespace's keys).
 */
final class Resources {
  final Options opt;
  final List<String> createdDbs = new ArrayList<>();
  final Vertx admin;
  final Pool adminPool;
  Path dir;

  Resources(Options opt) {
    this.opt = opt;
    admin = Vertx.vertx();
    adminPool = pool("postgres", 2);
  }

  Pool pool(String database, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size))
        .connectingTo(
            new PgConnectOptions()
                .setHost(opt.pgHost)
                .setPort(opt.pgPort)
                .setUser(opt.pgUser)
                .setDatabase(database)
                .addProperty("application_name", "convoy coordination bench"))
        .using(admin)
        .build();
  }

  String url(String database) {
    return "postgresql://" + opt.pgUser + "@" + opt.pgHost + ":" + opt.pgPort + "/" + database;
  }

  void recreate(String database) {
    adminPool.query("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)").execute().await();
    adminPool.query("CREATE DATABASE " + database).execute().await();
    if (!createdDbs.contains(database)) {
      createdDbs.add(database);
    }
  }

  /**
   * Creates the migrations folder: a chain of trivial revisions coord0000 -> coord0001 -> ...,
   * each creating one table.
   */
  void writeMigrations(int count) throws IOException {
    dir = Files.createTempDirectory("convoy-coord-bench");
    Path versions = Files.createDirectories(dir.resolve("versions"));
    for (int i = 0; i < count; i++) {
      String rev = String.format("coord%04d", i);
      String down = i == 0 ? "null" : String.format("coord%04d", i - 1);
      Files.writeString(
          versions.resolve(rev + "_trivial.yaml"),
          "revision: "
              + rev
              + "\ndown_revision: "
              + down
              + "\nmessage: trivial "
              + i
              + "\noperations:\n  - op: create_table\n    table: bench_t"
              + i
              + "\n    columns:\n      - {name: id, type: int, primary_key: true}\n");
    }
  }

  String serverVersion() {
    try {
      return adminPool.query("SHOW server_version").execute().await().iterator().next().getString(0);
    } catch (RuntimeException e) {
      return "?";
    }
  }

  String redisVersion() {
    Redis r = redis(admin);
    try {
      String info = r.send(Request.cmd(Command.INFO).arg("server")).await().toString();
      Matcher m = Pattern.compile("redis_version:(\\S+)").matcher(info);
      return m.find() ? m.group(1) : "?";
    } catch (RuntimeException e) {
      return "?";
    } finally {
      r.close();
    }
  }

  Redis redis(Vertx vertx) {
    return Redis.createClient(
        vertx,
        new RedisOptions()
            .setConnectionString(opt.redisUrl)
            .setPreferredProtocolVersion(ProtocolVersion.RESP2)
            .setMaxPoolSize(2)
            .setMaxPoolWaiting(64));
  }

  /** Deletes every key of one namespace ({@code convoy:<namespace>:*}). */
  void deleteKeys(String namespace, List<String> envs) {
    Redis r = redis(admin);
    try {
      // The keys Convoy names today, then whatever else the namespace holds (SCAN), so that a
      // key added by a later Convoy version does not stay behind.
      Keys keys = new Keys(namespace);
      Request del = Request.cmd(Command.DEL).arg(keys.leader()).arg(keys.events());
      envs.forEach(e -> del.arg(keys.commands(e)));
      r.send(del).await();
      String cursor = "0";
      do {
        Response page =
            r.send(
                    Request.cmd(Command.SCAN)
                        .arg(cursor)
                        .arg("MATCH")
                        .arg("convoy:" + namespace + ":*")
                        .arg("COUNT")
                        .arg(1000))
                .await();
        cursor = page.get(0).toString();
        if (page.get(1).size() > 0) {
          Request more = Request.cmd(Command.DEL);
          page.get(1).forEach(k -> more.arg(k.toString()));
          r.send(more).await();
        }
      } while (!cursor.equals("0"));
    } catch (RuntimeException e) {
      log("could not delete the Redis keys of namespace " + namespace + ": " + e.getMessage());
    } finally {
      r.close();
    }
  }

  /**
   * Drops the databases created, deletes the migrations folder, closes the admin pool and Vert.x.
   */
  void close() {
    for (String db : createdDbs) {
      try {
        adminPool.query("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)").execute().await();
      } catch (RuntimeException e) {
        log("could not drop " + db + ": " + e.getMessage());
      }
    }
    try {
      if (dir != null) {
        try (var s = Files.walk(dir)) {
          s.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    } catch (IOException e) {
      // A temp folder left behind.
    }
    adminPool.close().await();
    admin.close().await();
  }
}
