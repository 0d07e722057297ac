package dev.convoy.agent.schema;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.db.JdbcSession;
import dev.convoy.agent.db.SqlError;
import dev.convoy.agent.db.TextSession;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.ops.Sql;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A database Convoy creates to build a schema in (the migrations at a revision, the declared
 * schema) and drops when done: {@code convoy_scratch_<epoch seconds>_<hex>}, made from {@code
 * template0} on the server of the URL given, commented with what it is for. A run that was killed
 * leaves its scratch database behind; the next run on that server drops those older than an hour
 * (younger ones may belong to a run still going). A run stopped by a signal (SIGTERM, Ctrl-C) drops
 * its own: a shutdown hook is held while the scratch exists.
 */
public final class ScratchDatabase implements AutoCloseable {
  static final String PREFIX = "convoy_scratch_";
  private static final Pattern NAME = Pattern.compile("convoy_scratch_([0-9]+)_[0-9a-f]+");
  private static final Duration LEFTOVER_AGE = Duration.ofHours(1);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DatabaseUrl server;
  private final String name;
  private final Thread onShutdown;
  private boolean dropped;

  private ScratchDatabase(DatabaseUrl server, String name) {
    this.server = server;
    this.name = name;
    this.onShutdown = new Thread(this::drop, "convoy scratch drop " + name);
  }

  /**
   * Creates a scratch database on the server of {@code serverUrl} (any database there the role may
   * connect to); {@code purpose} goes into its comment ("declared schema for app").
   */
  public static ScratchDatabase create(DatabaseUrl serverUrl, String purpose) {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    String name = PREFIX + Instant.now().getEpochSecond() + "_" + HexFormat.of().formatHex(b);
    try (TextSession admin = JdbcSession.open(serverUrl, "convoy scratch")) {
      dropLeftovers(admin);
      try {
        admin.execute("CREATE DATABASE " + Sql.ident(name) + " TEMPLATE template0");
      } catch (SqlError e) {
        throw refused(serverUrl, e);
      }
      ScratchDatabase db = new ScratchDatabase(serverUrl, name);
      try {
        Runtime.getRuntime().addShutdownHook(db.onShutdown);
        admin.execute(
            "COMMENT ON DATABASE "
                + Sql.ident(name)
                + " IS "
                + Sql.literal(
                    "Convoy scratch database: "
                        + purpose
                        + "; dropped when the command ends (or by the next run after an hour)"));
      } catch (RuntimeException e) {
        db.close();
        throw e;
      }
      return db;
    }
  }

  /** The URL of the scratch database (the server URL's login and TLS settings). */
  public DatabaseUrl url() {
    return server.withDatabase(name);
  }

  public String name() {
    return name;
  }

  /** Drops the database and every connection to it; a failure is reported by the next run. */
  @Override
  public void close() {
    drop();
    try {
      Runtime.getRuntime().removeShutdownHook(onShutdown);
    } catch (IllegalStateException e) {
      // Shutting down: the hook drops it (already dropped, it does nothing).
    }
  }

  /** Once, from close or from the shutdown hook, whichever comes first. */
  private synchronized void drop() {
    if (dropped) {
      return;
    }
    dropped = true;
    try (TextSession admin = JdbcSession.open(server, "convoy scratch")) {
      admin.execute("DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE)");
    } catch (RuntimeException e) {
      // Left for the next run's cleanup: the command's own result matters more.
    }
  }

  /** Drops scratch databases a killed run left behind, an hour old or more. */
  private static void dropLeftovers(TextSession admin) {
    long cutoff = Instant.now().minus(LEFTOVER_AGE).getEpochSecond();
    for (String[] r :
        admin.rows("SELECT datname FROM pg_database WHERE datname LIKE 'convoy\\_scratch\\_%'")) {
      Matcher m = NAME.matcher(r[0]);
      if (m.matches() && Long.parseLong(m.group(1)) < cutoff) {
        try {
          admin.execute("DROP DATABASE IF EXISTS " + Sql.ident(r[0]) + " WITH (FORCE)");
        } catch (RuntimeException e) {
          // Someone else's (another role's) or being dropped already: not ours to insist on.
        }
      }
    }
  }

  private static ConvoyException refused(DatabaseUrl server, SqlError e) {
    String why =
        "42501".equals(e.sqlState())
            ? "the role '" + server.parsed().server().getUser() + "' may not create databases there"
            : e.errorMessage();
    return new ConvoyException(
        ErrorCode.BAD_INPUT,
        "cannot create a scratch database on "
            + server.redacted()
            + ": "
            + why
            + "; use --dev-url postgresql://user@host:5432/postgres to build scratch databases"
            + " elsewhere (a server where the role has CREATEDB)",
        e);
  }
}
