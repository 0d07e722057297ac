package dev.convoy.agent.daemon;

import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.StateStore;
import dev.convoy.ops.Sql;
import dev.convoy.rollout.Command;
import dev.convoy.rollout.Keys;
import dev.convoy.rollout.Plans;
import dev.convoy.rollout.Signer;

/**
 * What an agent checks before it runs a command: the coordinator's signature, the environment, that
 * its own migrations directory holds the plan's revisions with the same checksums, and that the
 * command's epoch is not older than the newest one announced in Redis or recorded in the database's
 * fence (which it raises to the command's epoch).
 */
final class CommandGate {
  private final AgentDaemon.Config config;
  private final Signer signer;
  private final DirectoryCache directory;
  private final RedisBus bus;
  private final Keys keys;
  private final SessionHolder stateDb;

  CommandGate(
      AgentDaemon.Config config,
      Signer signer,
      DirectoryCache directory,
      RedisBus bus,
      Keys keys,
      SessionHolder stateDb) {
    this.config = config;
    this.signer = signer;
    this.directory = directory;
    this.bus = bus;
    this.keys = keys;
    this.stateDb = stateDb;
  }

  /** Why {@code c} must not run here, or null. */
  String refusal(Command c) {
    if (!signer.verify(c)) {
      return "the signature does not verify: the coordinator and this agent must share"
          + " CONVOY_SIGNING_KEY";
    }
    if (!c.env().equals(config.env())) {
      return "the command is for environment " + c.env() + ", this agent serves " + config.env();
    }
    String mismatch;
    try {
      mismatch = Plans.mismatch(directory.graph(), c.revisions());
    } catch (RuntimeException e) {
      return "this agent's migrations directory cannot be read: " + e.getMessage();
    }
    if (mismatch != null) {
      return mismatch;
    }
    long announced = announcedEpoch();
    if (announced > c.epoch()) {
      return "stale coordinator: the command carries epoch "
          + c.epoch()
          + " but coordinator epoch "
          + announced
          + " has taken over";
    }
    long fence = fence(c.epoch());
    if (fence > c.epoch()) {
      return "stale coordinator: the command carries epoch "
          + c.epoch()
          + " but this database has already seen epoch "
          + fence;
    }
    return null;
  }

  /** The newest coordinator term announced in Redis (0 when none). */
  private long announcedEpoch() {
    var r = bus.send(io.vertx.redis.client.Command.GET, keys.epoch());
    return r == null ? 0 : Long.parseLong(r.toString());
  }

  /** Raises the database's fence to {@code epoch} if lower; returns the fence now. */
  private long fence(long epoch) {
    StateStore state = new StateStore(config.schema());
    synchronized (stateDb) {
      TextSession db = stateDb.get();
      try {
        state.ensure(db);
      } catch (RuntimeException e) {
        stateDb.reset();
        throw e;
      }
      String q = Sql.ident(config.schema());
      return Long.parseLong(
          db.value(
              "INSERT INTO "
                  + q
                  + ".fence (id, epoch) VALUES (1, "
                  + epoch
                  + ") ON CONFLICT (id) DO UPDATE SET epoch = GREATEST("
                  + q
                  + ".fence.epoch, EXCLUDED.epoch), updated_at = now() RETURNING epoch::text"));
    }
  }
}
