package dev.convoy.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The harness's command-line options (see {@code -h}); PostgreSQL and Redis default to the
 * environment.
 */
final class Options {
  int repeats = 5;
  int warmups = 3;
  int agents = 50;
  int seconds = 20;
  int pollMs = 10;
  int tickMs = 100;
  int heartbeatMs = 1000;
  String parts = "AB";
  int busyLimit = 10;
  int busyRetries = 2;
  String pgHost = env("PGHOST", "127.0.0.1");
  int pgPort = Integer.parseInt(env("PGPORT", "5432"));
  String pgUser = env("PGUSER", "postgres");
  String redisUrl = env("CONVOY_REDIS_URL", "redis://127.0.0.1:6379");
  String namespacePrefix = "bench-coord-" + ProcessHandle.current().pid();
  String commandLine = "bash bench/coordination.sh";
  String convoyBuild;
  Path results;
  boolean noDbVariant = true;

  private static String env(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? def : v;
  }

  void parse(String[] args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.println(
            "java -jar coordination.jar [--repeats 5] [--warmups 3] [--agents 50] [--seconds 20]"
                + " [--poll-ms 10] [--tick-ms 100] [--heartbeat-ms 1000] [--parts AB]"
                + " [--busy-limit 10] [--busy-retries 2] [--no-db-variant true]"
                + " [--redis redis://127.0.0.1:6379] [--namespace-prefix P] [--results FILE]"
                + " [--command TEXT]\nPostgreSQL from PGHOST/PGPORT/PGUSER (trust auth).");
        System.exit(0);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + a + " needs a value");
      }
      String v = args[++i];
      switch (a) {
        case "--repeats" -> repeats = positive(a, v);
        case "--warmups" -> warmups = Integer.parseInt(v);
        case "--agents" -> agents = positive(a, v);
        case "--seconds" -> seconds = positive(a, v);
        case "--poll-ms" -> pollMs = positive(a, v);
        case "--tick-ms" -> tickMs = positive(a, v);
        case "--heartbeat-ms" -> heartbeatMs = positive(a, v);
        case "--parts" -> parts = v.toUpperCase(Locale.ROOT);
        case "--busy-limit" -> busyLimit = Integer.parseInt(v);
        case "--busy-retries" -> busyRetries = Integer.parseInt(v);
        case "--no-db-variant" -> noDbVariant = Boolean.parseBoolean(v);
        case "--redis" -> redisUrl = v;
        case "--namespace-prefix" -> namespacePrefix = v;
        case "--results" -> results = Path.of(v);
        case "--command" -> commandLine = v;
        case "--convoy-build" -> convoyBuild = v;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (agents > 99) {
      throw new IllegalArgumentException("--agents must be at most 99 (environments e01..e99)");
    }
  }

  private static int positive(String name, String v) {
    int n = Integer.parseInt(v);
    if (n <= 0) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return n;
  }
}
