package dev.convoy.cli;

import dev.convoy.testkit.TestDatabase;

/**
 * A gate a migration's SQL waits at until the test opens it, one per database: instead of a {@code
 * pg_sleep} that gives the test a window it has to hit in time, the step stays running exactly as
 * long as the test needs. The waiting statement polls a table every 50 ms inside the database (it
 * takes no lock, so no lock_timeout ends it).
 */
final class SqlGate {
  /** The statement that waits, in its database, until the gate is open. */
  static final String WAIT =
      "DO $$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM test_gate WHERE open) LOOP"
          + " PERFORM pg_sleep(0.05); END LOOP; END $$";

  private SqlGate() {}

  /** Creates the gate in {@code db}, open or closed. */
  static void create(TestDatabase db, boolean open) {
    db.execute(
        "CREATE TABLE test_gate (open boolean NOT NULL); INSERT INTO test_gate VALUES ("
            + open
            + ")");
  }

  static void open(TestDatabase db) {
    db.execute("UPDATE test_gate SET open = true");
  }

  /** True while a session of {@code db} waits at the gate. */
  static boolean waiting(TestDatabase db) {
    return db.count(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%test_gate%'")
        > 0;
  }
}
