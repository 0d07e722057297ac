package dev.convoy.agent.daemon;

import dev.convoy.config.Durations;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Plans;
import dev.convoy.rollout.Signer;
import java.time.Clock;
import java.time.Duration;

/**
 * What an agent checks before it runs a command, without touching its database: the coordinator's
 * signature, the environment, that the command was issued within this agent's command window (an
 * old entry of the stream replayed later is not run), that its own migrations directory holds the
 * plan's revisions with the same checksums, and that the command's epoch is not older than the
 * newest one announced in Redis. The database's fence and command ledger are checked next, in one
 * transaction (see {@link CommandLedger}). The window is judged on the agent's {@link Clock}.
 */
final class CommandGate {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CommandGate.class);

  /** Why a command is refused: a machine-readable {@code code} and a sentence for people. */
  record Refusal(String code, String message) {}

  private final AgentDaemon.Config config;
  private final Signer signer;
  private final DirectoryCache directory;
  private final RedisBus bus;
  private final Keys keys;
  private final Clock clock;

  CommandGate(
      AgentDaemon.Config config, Signer signer, DirectoryCache directory, RedisBus bus, Keys keys) {
    this(config, signer, directory, bus, keys, Clock.systemUTC());
  }

  CommandGate(
      AgentDaemon.Config config,
      Signer signer,
      DirectoryCache directory,
      RedisBus bus,
      Keys keys,
      Clock clock) {
    this.clock = clock;
    this.config = config;
    this.signer = signer;
    this.directory = directory;
    this.bus = bus;
    this.keys = keys;
  }

  /** Why {@code c} must not run here, or null. */
  Refusal refusal(Command c) {
    if (!signer.verify(c)) {
      return new Refusal(
          "bad_signature",
          "the signature does not verify: the coordinator and this agent must share"
              + " CONVOY_SIGNING_KEY");
    }
    if (!c.env().equals(config.env())) {
      return new Refusal(
          "wrong_env",
          "the command is for environment " + c.env() + ", this agent serves " + config.env());
    }
    Refusal outOfWindow = window(c, clock.millis());
    if (outOfWindow != null) {
      return outOfWindow;
    }
    String mismatch;
    try {
      mismatch = Plans.mismatch(directory.graph(), c.revisions());
    } catch (RuntimeException e) {
      return new Refusal(
          "directory_unreadable",
          "this agent's migrations directory cannot be read: " + e.getMessage());
    }
    if (mismatch != null) {
      return new Refusal("revision_mismatch", mismatch);
    }
    long announced = announcedEpoch();
    if (announced > c.epoch()) {
      return new Refusal(
          "stale_epoch",
          "stale coordinator: the command carries epoch "
              + c.epoch()
              + " but coordinator epoch "
              + announced
              + " has taken over");
    }
    return null;
  }

  /** Refuses a command issued more than the command window before (or after) {@code now}. */
  Refusal window(Command c, long now) {
    Duration window = config.commandWindow();
    long age = now - c.issuedAt();
    String limit =
        " this agent's command window of " + Durations.human(window) + " (--command-window)";
    if (age > window.toMillis()) {
      return new Refusal(
          "expired",
          "the command was issued "
              + Durations.human(Duration.ofMillis(age))
              + " ago, longer than"
              + limit
              + ": an old command is not run. The coordinator sends a step it has not heard back"
              + " about again, with a new issue time; if this repeats, check that the"
              + " coordinator's and this agent's clocks agree.");
    }
    if (-age > window.toMillis()) {
      return new Refusal(
          "future",
          "the command's issue time is "
              + Durations.human(Duration.ofMillis(-age))
              + " in the future, more than"
              + limit
              + ": check that the coordinator's and this agent's clocks agree (NTP).");
    }
    return null;
  }

  /** The newest coordinator term announced in Redis (0 when none). */
  private long announcedEpoch() {
    var r = bus.send(io.vertx.redis.client.Command.GET, keys.epoch());
    if (r == null) {
      return 0;
    }
    try {
      return Long.parseLong(r.toString());
    } catch (NumberFormatException e) {
      // Not written by a coordinator: ignore it. The database's fence still orders the terms.
      log.warn("the announced epoch in {} is not a number; ignoring it", keys.epoch());
      return 0;
    }
  }
}
