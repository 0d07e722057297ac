package dev.convoy.agent.daemon;

import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a command before and after the engine runs it: the checks of {@link CommandGate},
 * then the database's fence and command ledger in one transaction ({@link CommandLedger#claim}),
 * and at the end the outcome written to the ledger. Kept apart from {@link AgentDaemon#handle} so
 * that method stays a few hooks around the engine.
 */
final class CommandIntake {
  private static final Logger log = LoggerFactory.getLogger(CommandIntake.class);

  private final String agent;
  private final CommandGate gate;
  private final CommandLedger ledger;

  CommandIntake(String agent, CommandGate gate, CommandLedger ledger) {
    this.agent = agent;
    this.gate = gate;
    this.ledger = ledger;
  }

  /**
   * The event that answers {@code c} instead of running it (refused, or already in the ledger), or
   * null when it is to run: claimed now, or resumed (redelivered after its agent died mid-way).
   */
  Event answer(Command c) {
    CommandGate.Refusal refusal = gate.refusal(c);
    CommandLedger.Claim claim = refusal == null ? ledger.claim(c, agent) : null;
    refusal = claim == null ? refusal : claim.refusal();
    if (refusal != null) {
      log.warn("{} - rejected {}: {}", agent, c.key(), refusal.message());
      return Event.about(
          Event.REJECTED, agent, c, List.of(), refusal.message(), null, refusal.code());
    }
    if (claim.recorded() != null) {
      log.warn("{} - {} {}", agent, c.key(), claim.recorded().replayed());
      return claim.recorded().event(agent, c);
    }
    if (claim.resumed()) {
      log.info("{} - {} was running here and did not finish: resuming it", agent, c.key());
    }
    return null;
  }

  /**
   * Records how {@code c} ended ({@link Event#SUCCEEDED} or {@link Event#FAILED}, with the
   * failure's code, or null). If that fails the row stays running, and a resend resumes it and
   * finds the work done.
   */
  void finish(Command c, String outcome, List<String> heads, String message, String code) {
    try {
      ledger.finish(c, outcome, heads, message, code);
    } catch (RuntimeException e) {
      log.warn(
          "{} - could not record {} of {} in the command ledger: {}",
          agent,
          outcome,
          c.key(),
          e.getMessage());
    }
  }
}
