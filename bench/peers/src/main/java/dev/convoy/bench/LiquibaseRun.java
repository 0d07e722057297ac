package dev.convoy.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import liquibase.Scope;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.DirectoryResourceAccessor;

/**
 * One Liquibase process, run as its users run it: {@code LiquibaseRun JDBC_URL CHANGELOG} runs
 * {@code update} with the changelog file CHANGELOG. Exit 0 on success, 1 on any error (its message
 * on stderr).
 */
public final class LiquibaseRun {
  /** Held so the logger (and its level) is not garbage-collected. */
  private static final Logger LIQUIBASE_LOG = Logger.getLogger("liquibase");

  private LiquibaseRun() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: LiquibaseRun JDBC_URL CHANGELOG");
      System.exit(2);
    }
    // Liquibase 4.30+ phones home with usage analytics by default; this machine has no internet,
    // and a benchmark should not time DNS failures. Users in a closed network switch it off too.
    System.setProperty("liquibase.analytics.enabled", "false");
    System.setProperty("liquibase.showBanner", "false");
    // The embedded API logs every step at INFO through java.util.logging; the Liquibase CLI is
    // quiet by default. Keep warnings and errors only.
    LIQUIBASE_LOG.setLevel(Level.WARNING);
    Path changelog = Path.of(args[1]).toAbsolutePath();
    try (Connection conn = DriverManager.getConnection(args[0], "postgres", "")) {
      Database database =
          DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(conn));
      Scope.child(
          Map.of(
              Scope.Attr.resourceAccessor.name(),
              new DirectoryResourceAccessor(changelog.getParent())),
          () ->
              new CommandScope(UpdateCommandStep.COMMAND_NAME)
                  .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database)
                  .addArgumentValue(
                      UpdateCommandStep.CHANGELOG_FILE_ARG, changelog.getFileName().toString())
                  .execute());
      System.exit(0);
    } catch (Throwable e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      System.err.println("liquibase: " + e.getClass().getName() + ": " + e.getMessage()
          + (root != e ? " [cause: " + root.getMessage() + "]" : ""));
      System.exit(1);
    }
  }
}
