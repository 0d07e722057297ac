package dev.convoy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.testkit.MigrationFiles;
import dev.convoy.testkit.TestDatabase;
import dev.convoy.testkit.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new operator's wrong settings, through the real {@code convoy} launcher (the shell script and
 * the packaged jar, so it runs after {@code package}, as an integration test): every one is a
 * single line on stderr starting {@code error:} that names the option, variable or file and the
 * value and says what to do, with exit code 2 for bad input and 1 where a server that could be
 * there is not, within seconds, without a stack trace, and the database is left as it was.
 */
class LauncherErrorsIT {
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final String KEY = "launcher-errors-signing-key-0123456789";
  private static final String REDIS = "redis://127.0.0.1:6379";

  private static Path work;
  private static Path dir;
  private static TestDatabase db;
  private static ServerSocket silent;
  private static ServerSocket taken;
  private static int closed;

  /** One wrong start: what is run, what it must say, and how it must exit. */
  private record Case(
      String what, int code, List<String> says, List<String> args, Map<String, String> env) {}

  private final List<Case> cases = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    work = Files.createTempDirectory("convoy-launcher-");
    dir = work.resolve("migrations");
    new MigrationFiles(dir).sql("lerr0001", null, "CREATE TABLE t (id int);", "DROP TABLE t;");
    db = TestPostgres.createDatabase("launcher_errors");
    // A port that accepts connections and never says a word, one that is taken, one that is closed.
    silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    Thread holder =
        new Thread(
            () -> {
              List<Socket> held = new ArrayList<>();
              while (!silent.isClosed()) {
                try {
                  held.add(silent.accept());
                } catch (IOException e) {
                  return;
                }
              }
            });
    holder.setDaemon(true);
    holder.start();
    taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    silent.close();
    taken.close();
    db.close();
  }

  private void wrong(String what, int code, List<String> says, String... args) {
    cases.add(new Case(what, code, says, List.of(args), Map.of()));
  }

  private void wrongWith(
      String what, int code, List<String> says, Map<String, String> env, String... args) {
    cases.add(new Case(what, code, says, List.of(args), env));
  }

  @Test
  void every_wrong_start_is_one_line_naming_what_and_how_to_fix_it_with_exit_2_or_1()
      throws Exception {
    String url = db.url();
    String d = dir.toString();
    String agent = "agent";

    // The database URL and the server behind it.
    wrong(
        "upgrade without a URL",
        2,
        List.of("no database URL", "--url"),
        "upgrade",
        "head",
        "--dir",
        d);
    wrong(
        "a URL of another database kind",
        2,
        List.of("mysql://x", "must start with postgresql://"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        "mysql://x");
    wrong(
        "a malformed URL, its password hidden",
        2,
        List.of("postgresql://u:***@h:notaport/db", "is not valid"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        "postgresql://u:secret@h:notaport/db");
    wrong(
        "a server that is down",
        1,
        List.of(
            "cannot connect to PostgreSQL at postgresql://postgres@127.0.0.1:" + closed, "--url"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        "postgresql://postgres@127.0.0.1:" + closed + "/x");
    wrong(
        "a port that accepts and never answers",
        1,
        List.of("127.0.0.1:" + silent.getLocalPort(), "PostgreSQL"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        "postgresql://postgres@127.0.0.1:" + silent.getLocalPort() + "/x");
    wrong(
        "a URL pointing at Redis instead of PostgreSQL",
        1,
        List.of("127.0.0.1:6379", "PostgreSQL"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        "postgresql://postgres@127.0.0.1:6379/x");

    // Numbers, durations and revisions.
    wrong(
        "a lock timeout that is not a duration",
        2,
        List.of("--lock-timeout 'soon' is not a duration", "2s"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        url,
        "--lock-timeout",
        "soon");
    wrong(
        "lock retries out of range",
        2,
        List.of("--lock-retries -3 must be between 0 and 1000"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        url,
        "--lock-retries",
        "-3");
    wrong(
        "backfill workers that are not a number",
        2,
        List.of("--backfill-workers", "'abc'", "convoy upgrade --help"),
        "upgrade",
        "head",
        "--dir",
        d,
        "--url",
        url,
        "--backfill-workers",
        "abc");
    wrong(
        "a relative revision beyond any graph",
        2,
        List.of("'+99999999999' moves 99999999999 revisions"),
        "upgrade",
        "+99999999999",
        "--dir",
        d,
        "--url",
        url);
    wrong(
        "a revision that does not exist",
        2,
        List.of("no revision 'nope'", "convoy history"),
        "upgrade",
        "nope",
        "--dir",
        d,
        "--url",
        url);

    // Files: convoy.yaml, migrations, the directory itself.
    Path misspelled = directoryWith("convoy.yaml", "lock-timout: 5s\n");
    wrong(
        "a misspelled key in convoy.yaml",
        2,
        List.of("convoy.yaml: unknown key 'lock-timout'", "did you mean 'lock-timeout'?"),
        "upgrade",
        "head",
        "--dir",
        misspelled.toString(),
        "--url",
        url);
    Path twice = directoryWith("convoy.yaml", "lock-timeout: 5s\nlock-timeout: 9s\n");
    wrong(
        "a key given twice in convoy.yaml",
        2,
        List.of("convoy.yaml", "duplicate key lock-timeout"),
        "upgrade",
        "head",
        "--dir",
        twice.toString(),
        "--url",
        url);
    Path dupRevision = work.resolve("dup-revision");
    Files.createDirectories(dupRevision.resolve("versions"));
    Files.writeString(
        dupRevision.resolve("versions/dup0001.yaml"),
        "revision: dup0001\nrevision: dup0002\ndown_revision: null\noperations:\n"
            + "  - op: sql\n    up: CREATE TABLE d (id int)\n    down: DROP TABLE d\n");
    wrong(
        "a key given twice in a migration",
        2,
        List.of("versions/dup0001.yaml:2", "'revision' appears twice"),
        "upgrade",
        "head",
        "--dir",
        dupRevision.toString(),
        "--url",
        url);
    Path badRule = work.resolve("bad-rule");
    new MigrationFiles(badRule)
        .yaml(
            "rule0001",
            null,
            "lint:\n  ignore: [no-such-rule]\n",
            "  - op: sql\n    up: CREATE TABLE r (id int)\n    down: DROP TABLE r\n");
    wrong(
        "an unknown lint rule in a migration",
        2,
        List.of("rule0001.yaml", "no-such-rule", "not a lint rule"),
        "upgrade",
        "head",
        "--dir",
        badRule.toString(),
        "--url",
        url);
    wrong(
        "a migrations directory that does not exist",
        2,
        List.of("/nonexistent/migrations does not exist", "--dir"),
        "history",
        "--dir",
        "/nonexistent/migrations");

    // Secrets.
    wrongWith(
        "a short signing key",
        2,
        List.of("CONVOY_SIGNING_KEY is 5 characters long", "openssl rand -hex 32"),
        Map.of("CONVOY_SIGNING_KEY", "short"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d);
    wrongWith(
        "an empty signing key",
        2,
        List.of("CONVOY_SIGNING_KEY is empty"),
        Map.of("CONVOY_SIGNING_KEY", ""),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d);
    wrongWith(
        "an empty API token",
        2,
        List.of("CONVOY_API_TOKEN is empty"),
        Map.of("CONVOY_API_TOKEN", ""),
        "coordinator",
        "--control-url",
        url,
        "--redis",
        REDIS,
        "--http-port",
        "0",
        "--dir",
        d);

    // Ports, Redis, the environment list, services that are down.
    wrong(
        "a metrics port out of range",
        2,
        List.of("--metrics-port 70000 is not a port"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d,
        "--metrics-port",
        "70000");
    String port = Integer.toString(taken.getLocalPort());
    wrong(
        "a metrics port that is taken",
        2,
        List.of("--metrics-port " + port, "--metrics-port 0 to pick a free one"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d,
        "--metrics-port",
        port);
    wrong(
        "an HTTP port that is taken",
        2,
        List.of("--http-port " + port),
        "coordinator",
        "--control-url",
        url,
        "--redis",
        REDIS,
        "--http-port",
        port,
        "--dir",
        d);
    wrong(
        "an empty environment list",
        2,
        List.of("--environments", "dev,staging,prod"),
        "coordinator",
        "--control-url",
        url,
        "--environments",
        ",",
        "--redis",
        REDIS,
        "--http-port",
        "0",
        "--dir",
        d);
    wrong(
        "a lease that is too short",
        2,
        List.of("--lease-ttl '0s' must be between 1s and 10m"),
        "coordinator",
        "--control-url",
        url,
        "--redis",
        REDIS,
        "--http-port",
        "0",
        "--dir",
        d,
        "--lease-ttl",
        "0s");
    wrong(
        "a malformed Redis URL",
        2,
        List.of("--redis (CONVOY_REDIS_URL) 'http://127.0.0.1:6379' is not a Redis URL"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        "http://127.0.0.1:6379",
        "--dir",
        d);
    wrong(
        "an agent without its environment",
        2,
        List.of("--env", "convoy agent --help"),
        agent,
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d);
    wrong(
        "a wait that is not a duration",
        2,
        List.of("--wait-for-services 'forever' is not a duration"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        REDIS,
        "--dir",
        d,
        "--wait-for-services",
        "forever");
    wrong(
        "Redis down at an agent's start",
        1,
        List.of("Redis at redis://127.0.0.1:" + closed, "does not answer", "--wait-for-services"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        "redis://127.0.0.1:" + closed,
        "--dir",
        d);
    wrong(
        "Redis down past the wait",
        1,
        List.of("Redis at redis://127.0.0.1:" + closed, "waited 2 s"),
        agent,
        "--env",
        "dev",
        "--url",
        url,
        "--redis",
        "redis://127.0.0.1:" + closed,
        "--dir",
        d,
        "--wait-for-services",
        "2s");
    wrong(
        "the control database down at a coordinator's start",
        1,
        List.of("the control database (--control-url / CONVOY_CONTROL_URL) does not answer"),
        "coordinator",
        "--control-url",
        "postgresql://postgres@127.0.0.1:" + closed + "/x",
        "--redis",
        REDIS,
        "--http-port",
        "0",
        "--dir",
        d);
    wrong(
        "a malformed control database URL, its password hidden",
        2,
        List.of("--control-url", "postgresql://u:***@h:notaport/db"),
        "coordinator",
        "--control-url",
        "postgresql://u:secret@h:notaport/db",
        "--redis",
        REDIS,
        "--http-port",
        "0",
        "--dir",
        d);
    wrong(
        "a rollout command with no coordinator to reach",
        1,
        List.of("cannot reach the coordinator at http://127.0.0.1:" + closed, "connection refused"),
        "rollout",
        "status",
        "--api",
        "http://127.0.0.1:" + closed);

    assertTrue(cases.size() >= 20, "at least 20 cases");
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      String failure = check(c);
      if (failure != null) {
        failures.add(failure);
      }
    }
    failures.addAll(unreadableDirectory());
    assertEquals(List.of(), failures, failures.size() + " of " + (cases.size() + 1) + " cases");
    assertEquals(
        "true",
        db.scalar("SELECT to_regnamespace('convoy') IS NULL AND to_regclass('t') IS NULL"),
        "no wrong start touched the database");
  }

  /** Runs one case; what is wrong with what it did, or null. */
  private static String check(Case c) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("CONVOY_SIGNING_KEY", KEY);
    env.put("CONVOY_API_TOKEN", "launcher-errors-api-token");
    env.putAll(c.env());
    Run r = launch(List.of(), work, c.args(), env);
    List<String> problems = new ArrayList<>();
    if (r.code != c.code()) {
      problems.add("exit code " + r.code + ", expected " + c.code());
    }
    List<String> lines = r.err.lines().filter(l -> !l.isBlank()).toList();
    if (lines.size() != 1 || !lines.get(0).startsWith("error: ")) {
      problems.add("not one 'error:' line on stderr");
    }
    for (String s : c.says()) {
      if (!r.err.contains(s)) {
        problems.add("does not say [" + s + "]");
      }
    }
    if (r.err.contains("\tat ") || r.err.contains("Exception") || r.out.contains("\tat ")) {
      problems.add("shows a Java exception");
    }
    if (r.err.contains("secret")) {
      problems.add("shows the password");
    }
    return problems.isEmpty()
        ? null
        : c.what()
            + ": "
            + String.join(", ", problems)
            + "\n    stderr: "
            + r.err.strip()
            + "\n    stdout: "
            + r.out.strip();
  }

  /**
   * A migrations directory this user may not read is named as such (not as one with no revisions).
   * The suite runs as root here, and root reads everything: the launcher then runs as nobody.
   */
  private static List<String> unreadableDirectory() throws Exception {
    Path open = Files.createTempDirectory("convoy-unreadable-");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx--x--x"));
    Path locked = open.resolve("migrations");
    new MigrationFiles(locked).sql("lock0001", null, "CREATE TABLE u (id int);", "DROP TABLE u;");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    List<String> asOther =
        "root".equals(System.getProperty("user.name"))
            ? List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
            : List.of();
    Run r = launch(asOther, open, List.of("history", "--dir", locked.toString()), Map.of());
    if (r.code == 2
        && r.err.strip().lines().count() == 1
        && r.err.contains("migrations directory " + locked + " cannot be read by user")
        && r.err.contains("chmod -R a+rX")) {
      return List.of();
    }
    return List.of("an unreadable directory: exit " + r.code + "\n    stderr: " + r.err.strip());
  }

  private record Run(int code, String out, String err) {}

  private static Run launch(
      List<String> prefix, Path cwd, List<String> args, Map<String, String> env) throws Exception {
    List<String> cmd = new ArrayList<>(prefix);
    cmd.add(REPO.resolve("convoy").toString());
    cmd.addAll(args);
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("CONVOY_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(
          -1, Files.readString(out), "did not exit within 90 s: " + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static Path directoryWith(String file, String text) throws IOException {
    Path d = Files.createTempDirectory(work, "conf");
    new MigrationFiles(d).sql("conf0001", null, "CREATE TABLE c (id int);", "DROP TABLE c;");
    Files.writeString(d.resolve(file), text);
    return d;
  }
}
