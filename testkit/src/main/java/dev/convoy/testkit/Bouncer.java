package dev.convoy.testkit;

import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PgBouncer of the test's own (Debian's {@code pgbouncer}) in front of the test server: a
 * temporary directory with its pgbouncer.ini and userlist, a free port of 127.0.0.1, the given
 * {@code pool_mode}, and every database of the server reachable through it. Runs in the foreground
 * as a child process (as the {@code postgres} user when the test runs as root: PgBouncer refuses
 * root); stopped and deleted on close.
 */
public final class Bouncer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

  private final Path dir;
  private final int port;
  private final String user;
  private final Process process;

  private Bouncer(Path dir, int port, String user, Process process) {
    this.dir = dir;
    this.port = port;
    this.user = user;
    this.process = process;
  }

  /** Whether PgBouncer is installed (the Debian package {@code pgbouncer}). */
  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Starts PgBouncer with {@code pool_mode} session, transaction or statement. */
  public static Bouncer start(String poolMode) throws IOException, InterruptedException {
    return start(poolMode, List.of());
  }

  /**
   * As {@link #start(String)}, with {@code extra} lines (such as {@code server_round_robin = 1})
   * added to the {@code [pgbouncer]} section.
   */
  public static Bouncer start(String poolMode, List<String> extra)
      throws IOException, InterruptedException {
    if (!installed()) {
      throw new IllegalStateException(
          BINARY + " not found: install the Debian package pgbouncer (apt-get install pgbouncer)");
    }
    PgConnectOptions server = PgConnectOptions.fromUri(TestPostgres.serverUrl());
    String user = server.getUser();
    Path dir = Files.createTempDirectory("convoy-pgbouncer-");
    // PgBouncer runs as another user when the test is root: it must read the directory.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    int port = freePort();
    String password = server.getPassword();
    List<String> ini = new ArrayList<>();
    ini.add("[databases]");
    ini.add(
        "* = host="
            + server.getHost()
            + " port="
            + server.getPort()
            + (password == null || password.isEmpty()
                ? ""
                : " user=" + user + " password=" + password));
    ini.add("[pgbouncer]");
    ini.add("listen_addr = 127.0.0.1");
    ini.add("listen_port = " + port);
    ini.add("unix_socket_dir =");
    ini.add("auth_type = trust");
    ini.add("auth_file = " + dir.resolve("userlist.txt"));
    ini.add("pool_mode = " + poolMode);
    ini.add("default_pool_size = 40");
    ini.add("max_client_conn = 200");
    ini.add("ignore_startup_parameters = extra_float_digits,options");
    ini.add("pidfile =");
    ini.add("logfile =");
    ini.addAll(extra);
    Path config = dir.resolve("pgbouncer.ini");
    Files.write(config, ini);
    Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"\"\n");
    for (Path f : List.of(config, dir.resolve("userlist.txt"))) {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    }
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      // setpriv execs PgBouncer itself, so the child process is PgBouncer and closing kills it.
      cmd.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"));
    }
    cmd.addAll(List.of(BINARY.toString(), config.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("pgbouncer.log").toFile())
            .start();
    Bouncer b = new Bouncer(dir, port, user, p);
    try {
      b.awaitListening();
    } catch (RuntimeException | IOException | InterruptedException e) {
      b.close();
      throw e;
    }
    return b;
  }

  public int port() {
    return port;
  }

  /** The postgresql:// URL of {@code database} through this PgBouncer. */
  public String url(String database) {
    return "postgresql://" + user + "@127.0.0.1:" + port + "/" + database;
  }

  /** What PgBouncer logged so far, for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private void awaitListening() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "pgbouncer exited with " + process.exitValue() + " at start:\n" + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("pgbouncer did not listen on " + port + " within 60 s:\n" + log());
        }
        Thread.sleep(50);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
