package dev.convoy.bench;

import org.flywaydb.core.Flyway;

/**
 * One Flyway process, run as its users run it: {@code FlywayRun JDBC_URL DIR} migrates the
 * database at JDBC_URL with the {@code V<n>__*.sql} files in DIR. Exit 0 on success, 1 on any
 * error (its message on stderr).
 */
public final class FlywayRun {
  private FlywayRun() {}

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: FlywayRun JDBC_URL DIR");
      System.exit(2);
    }
    try {
      Flyway.configure()
          .dataSource(args[0], "postgres", "")
          .locations("filesystem:" + args[1])
          .load()
          .migrate();
      System.exit(0);
    } catch (Throwable e) {
      System.err.println("flyway: " + e.getClass().getName() + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
