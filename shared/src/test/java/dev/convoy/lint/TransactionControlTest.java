package dev.convoy.lint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.error.InvalidMigrationsException;
import dev.convoy.migration.MigrationDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A COMMIT inside a revision Convoy runs in its own transaction would record the revision as
 * applied even when a later statement fails: such files are refused before anything runs, while
 * savepoints, strings, comments and BEGIN ATOMIC bodies are left alone.
 */
class TransactionControlTest {
  @TempDir Path dir;

  @Test
  void statements_that_end_or_start_a_transaction_are_found_and_look_alikes_are_not() {
    assertEquals(
        Optional.of("COMMIT"), TransactionControl.find("CREATE TABLE a (id int); COMMIT;"));
    assertEquals(Optional.of("end"), TransactionControl.find("insert into a values (1);\nend"));
    assertEquals(Optional.of("ROLLBACK"), TransactionControl.find("SELECT 1; ROLLBACK"));
    assertEquals(
        Optional.of("START TRANSACTION"), TransactionControl.find("START TRANSACTION; SELECT 1"));
    assertEquals(
        Optional.empty(),
        TransactionControl.find(
            "SAVEPOINT s; INSERT INTO a VALUES (1); ROLLBACK TO SAVEPOINT s; RELEASE s;"
                + " SELECT 'COMMIT; BEGIN'; -- COMMIT\n"
                + " DO $$ BEGIN PERFORM 1; END $$;"
                + " CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"
                + " SELECT f()"));
  }

  @Test
  void a_transactional_revision_with_its_own_commit_is_refused_and_a_non_transactional_one_is_not()
      throws Exception {
    Files.createDirectories(dir.resolve("versions"));
    Files.writeString(
        dir.resolve("versions/tc0001.sql"),
        "-- revision: tc0001\n-- down_revision:\n-- +upgrade\n"
            + "CREATE TABLE p (id int);\nCOMMIT;\nCREATE TABLE q (id int);\n"
            + "-- +downgrade\nDROP TABLE q; DROP TABLE p;\n");
    InvalidMigrationsException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            InvalidMigrationsException.class, () -> MigrationDirectory.load(dir));
    assertTrue(e.getMessage().contains("tc0001.sql"), e.getMessage());
    assertTrue(e.getMessage().contains("'COMMIT' ends or starts a transaction"), e.getMessage());
    assertTrue(e.getMessage().contains("transactional: false"), e.getMessage());
    Files.writeString(
        dir.resolve("versions/tc0001.sql"),
        "-- revision: tc0001\n-- down_revision:\n-- transactional: false\n-- +upgrade\n"
            + "CREATE TABLE p (id int);\nCOMMIT;\nCREATE TABLE q (id int);\n"
            + "-- +downgrade\nDROP TABLE q; DROP TABLE p;\n");
    assertEquals(1, MigrationDirectory.load(dir).all().size());
  }
}
