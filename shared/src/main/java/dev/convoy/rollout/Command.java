package dev.convoy.rollout;

import java.util.List;
import java.util.Objects;

/**
 * What the coordinator asks one environment's agent to do: bring its database to {@code target}
 * ({@code upgrade}, optionally one phase of it) or back to it ({@code downgrade}). It names
 * revisions and their checksums, never SQL: the agent runs its own copy of the migrations and
 * refuses a command whose revisions it does not have byte for byte. {@code epoch} is the sending
 * coordinator's term; agents refuse commands from an older one. {@code signature} is an HMAC of
 * everything else (see {@link Signer}).
 */
public record Command(
    String plan,
    int step,
    String env,
    long epoch,
    String action,
    String target,
    String phase,
    List<Revision> revisions,
    String signature) {
  public static final String UPGRADE = "upgrade";
  public static final String DOWNGRADE = "downgrade";

  /** A revision the command depends on, with the checksum of its file. */
  public record Revision(String id, String checksum) {}

  public Command {
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
    if (!action.equals(UPGRADE) && !action.equals(DOWNGRADE)) {
      throw new IllegalArgumentException("command action must be upgrade or downgrade: " + action);
    }
    phase = phase == null ? "all" : phase;
    revisions = revisions == null ? List.of() : List.copyOf(revisions);
  }

  /** The same command with its signature. */
  public Command signed(Signer signer) {
    return new Command(plan, step, env, epoch, action, target, phase, revisions, signer.sign(this));
  }

  /** The bytes the signature covers: every field but the signature, in a fixed order. */
  public String signedPayload() {
    StringBuilder sb =
        new StringBuilder()
            .append(plan)
            .append('|')
            .append(step)
            .append('|')
            .append(env)
            .append('|')
            .append(epoch)
            .append('|')
            .append(action)
            .append('|')
            .append(target)
            .append('|')
            .append(phase);
    for (Revision r : revisions) {
      sb.append('|').append(r.id()).append('=').append(r.checksum());
    }
    return sb.toString();
  }

  /** The idempotency key: one plan's step is applied once, however often it is delivered. */
  public String key() {
    return plan + "#" + step;
  }
}
