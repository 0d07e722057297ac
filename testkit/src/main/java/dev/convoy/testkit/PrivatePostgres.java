package dev.convoy.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own (initdb in a temporary directory, a free port), for tests
 * that need what the shared server cannot give them, such as password authentication: the shared
 * one trusts every local connection and is never reconfigured by tests. Stopped and deleted on
 * close.
 */
public final class PrivatePostgres implements AutoCloseable {
  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgresUser;
  private TestCertificates certificates;

  private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgresUser) {
    this.bin = bin;
    this.dir = dir;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
  }

  /** The server binaries (initdb, pg_ctl), newest version first; empty when not installed. */
  public static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString())));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Starts a server whose TCP connections authenticate by {@code hba} lines (pg_hba.conf syntax,
   * for example {@code host all alice 127.0.0.1/32 scram-sha-256}); the Unix socket trusts the
   * superuser {@code postgres}, for {@link #psql}.
   */
  public static PrivatePostgres start(List<String> hba) throws IOException, InterruptedException {
    return start(hba, false);
  }

  /**
   * As {@link #start(List)}, with TLS on ({@code ssl = on}): the server presents a certificate for
   * {@code localhost} signed by a CA of the test's own (see {@link #certificates()}), its key owned
   * by the server's user, mode 0600. Plaintext connections are still accepted where {@code hba}
   * says {@code host}; {@code hostssl} lines accept TLS only.
   */
  public static PrivatePostgres startWithTls(List<String> hba)
      throws IOException, InterruptedException {
    return start(hba, true);
  }

  private static PrivatePostgres start(List<String> hba, boolean tls)
      throws IOException, InterruptedException {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries"));
    Path dir = Files.createTempDirectory("convoy-pg-");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      // initdb and postgres refuse to run as root: the server belongs to the postgres user.
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    PrivatePostgres pg = new PrivatePostgres(bin, dir, port, root);
    pg.run(
        bin.resolve("initdb").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=reject",
        "-E",
        "UTF8",
        "--no-sync");
    List<String> lines = new ArrayList<>(List.of("local all postgres trust"));
    lines.addAll(hba);
    pg.run(
        "sh",
        "-c",
        "cat > "
            + dir.resolve("data/pg_hba.conf")
            + " <<'EOF'\n"
            + String.join("\n", lines)
            + "\nEOF");
    String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off";
    if (tls) {
      TestCertificates certs = new TestCertificates(dir.resolve("tls"));
      pg.run("mkdir", "-m", "700", certs.dir().toString());
      pg.run("sh", "-c", certs.script());
      pg.certificates = certs;
      options +=
          " -c ssl=on -c ssl_cert_file="
              + certs.serverCert()
              + " -c ssl_key_file="
              + certs.serverKey();
    }
    pg.run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("log").toString(),
        "-w",
        "-o",
        options,
        "start");
    return pg;
  }

  public int port() {
    return port;
  }

  /**
   * A streaming replica of this server, started on a free port of its own from {@code pg_basebackup
   * -R} (this server's {@code hba} must trust {@code host replication postgres 127.0.0.1/32}); the
   * primary sees it in {@code pg_stat_replication} as {@code name} (its cluster_name). Stopped and
   * deleted on close, before or after the primary.
   */
  public PrivatePostgres startReplica(String name) throws IOException, InterruptedException {
    Path replicaDir = Files.createTempDirectory("convoy-pg-replica-");
    if (asPostgresUser) {
      UserPrincipalLookupService users = replicaDir.getFileSystem().getUserPrincipalLookupService();
      Files.setOwner(replicaDir, users.lookupPrincipalByName("postgres"));
    }
    int replicaPort;
    try (ServerSocket s = new ServerSocket(0)) {
      replicaPort = s.getLocalPort();
    }
    PrivatePostgres replica = new PrivatePostgres(bin, replicaDir, replicaPort, asPostgresUser);
    run(
        bin.resolve("pg_basebackup").toString(),
        "-h",
        "127.0.0.1",
        "-p",
        Integer.toString(port),
        "-U",
        "postgres",
        "-D",
        replicaDir.resolve("data").toString(),
        "-R",
        "-X",
        "stream",
        // A checkpoint at once, not spread over minutes of checkpoint_completion_target.
        "--checkpoint=fast",
        "--no-sync");
    replica.run(
        bin.resolve("pg_ctl").toString(),
        "-D",
        replicaDir.resolve("data").toString(),
        "-l",
        replicaDir.resolve("log").toString(),
        "-w",
        "-o",
        "-p "
            + replicaPort
            + " -k "
            + replicaDir
            + " -c listen_addresses=127.0.0.1 -c fsync=off -c cluster_name="
            + name,
        "start");
    return replica;
  }

  /** The certificates of a server started {@link #startWithTls with TLS}; null otherwise. */
  public TestCertificates certificates() {
    return certificates;
  }

  /**
   * The first column of the first row of {@code sql}, run as the superuser in {@code database} over
   * the Unix socket (null: no row).
   */
  public String scalar(String database, String sql) throws IOException, InterruptedException {
    String out = output(psqlCommand(database, "-A", "-t", "-c", sql)).strip();
    return out.isEmpty() ? null : out.lines().findFirst().orElse(null);
  }

  /** Runs SQL as the superuser over the Unix socket. */
  public void psql(String sql) throws IOException, InterruptedException {
    output(psqlCommand("postgres", "-c", sql));
  }

  private String[] psqlCommand(String database, String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                bin.resolve("psql").toString(),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                dir.toString(),
                "-p",
                Integer.toString(port),
                "-U",
                "postgres",
                "-d",
                database));
    cmd.addAll(List.of(args));
    return cmd.toArray(String[]::new);
  }

  private void run(String... command) throws IOException, InterruptedException {
    output(command);
  }

  private String output(String... command) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
    return output;
  }

  @Override
  public void close() throws Exception {
    try {
      run(
          bin.resolve("pg_ctl").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-m",
          "immediate",
          "stop");
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
