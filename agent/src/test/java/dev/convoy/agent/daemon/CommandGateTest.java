package dev.convoy.agent.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Signer;
import dev.convoy.testkit.MovingClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's command window, on a clock the test moves: a command is run while its issue time is
 * within the window of the agent's clock, and refused the moment it is not.
 */
class CommandGateTest {
  private static final String KEY = "command-gate-test-key";
  private static final Instant ISSUED = Instant.parse("2030-01-01T12:00:00Z");

  @TempDir Path dir;

  private final MovingClock clock = MovingClock.at(ISSUED);

  private CommandGate gate(Duration window) {
    AgentDaemon.Config config =
        new AgentDaemon.Config(
            "dev",
            new DatabaseUrl("postgresql://postgres@127.0.0.1:5432/unused"),
            "redis://127.0.0.1:6379",
            "gate",
            dir,
            KEY,
            "agent-dev",
            0,
            "convoy",
            Duration.ofSeconds(1),
            Duration.ofSeconds(3),
            null,
            window,
            null);
    // No Redis: every command here is refused before the announced epoch is asked for.
    return new CommandGate(
        config, new Signer(KEY), new DirectoryCache(dir), null, new Keys("gate"), clock);
  }

  /** Issued at {@link #ISSUED} for a revision this agent's (empty) directory does not hold. */
  private static Command command() {
    return new Command(
            "p1",
            1,
            "dev",
            1,
            Command.UPGRADE,
            "gone0001",
            "all",
            List.of(new Command.Revision("gone0001", "abcd")),
            ISSUED.toEpochMilli(),
            false,
            null)
        .signed(new Signer(KEY));
  }

  private String refusedAs(CommandGate gate) {
    return gate.refusal(command()).code();
  }

  @Test
  void a_command_is_judged_on_its_merits_until_the_window_has_passed_and_expired_one_ms_later() {
    CommandGate gate = gate(Duration.ofMinutes(10));
    assertEquals("revision_mismatch", refusedAs(gate), "at once: in the window");
    clock.advance(Duration.ofMinutes(10));
    assertEquals("revision_mismatch", refusedAs(gate), "exactly 10 minutes old: still in it");
    clock.advance(Duration.ofMillis(1));
    CommandGate.Refusal r = gate.refusal(command());
    assertEquals("expired", r.code());
    assertTrue(r.message().contains("issued 10 min 0 s ago"), r.message());
    assertTrue(
        r.message().contains("command window of 10 min 0 s (--command-window)"), r.message());
  }

  @Test
  void a_command_from_further_in_the_future_than_the_window_is_refused_saying_to_check_clocks() {
    clock.advance(Duration.ofHours(1));
    CommandGate gate = gate(Duration.ofSeconds(30));
    Command future =
        new Command(
                "p1",
                1,
                "dev",
                1,
                Command.UPGRADE,
                "gone0001",
                "all",
                List.of(),
                clock.millis() + 30_001,
                false,
                null)
            .signed(new Signer(KEY));
    CommandGate.Refusal r = gate.refusal(future);
    assertEquals("future", r.code(), r.message());
    assertTrue(r.message().contains("check that the coordinator's and this agent's clocks"));
  }

  @Test
  void a_longer_window_keeps_an_older_command_acceptable() {
    CommandGate gate = gate(Duration.ofHours(2));
    clock.advance(Duration.ofMinutes(119));
    assertEquals("revision_mismatch", refusedAs(gate));
    clock.advance(Duration.ofMinutes(1).plusMillis(1));
    assertEquals("expired", refusedAs(gate));
  }
}
