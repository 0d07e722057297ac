package dev.convoy.agent.daemon;

import dev.convoy.agent.state.StateStore;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the agent tells the coordinator: signs and appends events to the events stream (capped), and
 * reads its environment's applied heads from the agent's own connection for them. A failed publish
 * is logged and dropped (the coordinator sends again what it does not hear back about); heads that
 * cannot be read are reported as none, never guessed. Apart from {@link AgentDaemon} because the
 * command handling, the engine's progress and the {@link Heartbeat} all speak through it.
 */
final class AgentEvents {
  private static final Logger log = LoggerFactory.getLogger(AgentEvents.class);
  private static final int EVENTS_MAX_LEN = 100_000;

  private final String agentId;
  private final String schema;
  private final RedisBus bus;
  private final Keys keys;
  private final Signer signer;
  private final SessionHolder stateDb;
  private final BooleanSupplier running;

  AgentEvents(
      String agentId,
      String schema,
      RedisBus bus,
      Keys keys,
      Signer signer,
      SessionHolder stateDb,
      BooleanSupplier running) {
    this.agentId = agentId;
    this.schema = schema;
    this.bus = bus;
    this.keys = keys;
    this.signer = signer;
    this.stateDb = stateDb;
    this.running = running;
  }

  /**
   * The {@code accepted} event, with the heads the database has before the command runs: the
   * coordinator takes an environment's starting heads for a rollback from it. When they cannot be
   * read the event says why in its message and carries none, so no guess is taken for base.
   */
  Event accepted(Command c) {
    List<String> before;
    try {
      synchronized (stateDb) {
        before = new StateStore(schema).heads(stateDb.get());
      }
    } catch (RuntimeException e) {
      stateDb.reset();
      return Event.about(
          Event.ACCEPTED,
          agentId,
          c,
          List.of(),
          "could not read the database's heads: " + e.getMessage(),
          null);
    }
    return Event.about(Event.ACCEPTED, agentId, c, before, null, null);
  }

  /** The environment's applied heads, or an empty list when the database cannot be read. */
  List<String> heads() {
    try {
      synchronized (stateDb) {
        return new StateStore(schema).heads(stateDb.get());
      }
    } catch (RuntimeException e) {
      stateDb.reset();
      return List.of();
    }
  }

  void publish(Event e) {
    try {
      bus.add(keys.events(), Wire.write(e.signed(signer)), EVENTS_MAX_LEN);
    } catch (RuntimeException ex) {
      if (!running.getAsBoolean()) {
        return; // shutting down: the bus is closing under us
      }
      log.warn("{} - could not publish {} event: {}", agentId, e.type(), ex.getMessage());
    }
  }
}
