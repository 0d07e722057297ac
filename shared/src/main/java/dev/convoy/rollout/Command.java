package dev.convoy.rollout;

import java.util.List;
import java.util.Objects;

/**
 * What the coordinator asks one environment's agent to do: bring its database to {@code target}
 * ({@code upgrade}, optionally one phase of it) or back to it ({@code downgrade}). {@code target}
 * is one revision, {@code base}, or several heads joined by commas (a rollback to a branched
 * starting point). It names revisions and their checksums, never SQL: the agent runs its own copy
 * of the migrations and refuses a command whose revisions it does not have byte for byte.
 *
 * <p>{@code epoch} is the sending coordinator's term; agents refuse commands from an older one.
 * {@code issuedAt} is when it was signed (epoch milliseconds); agents refuse one older than their
 * command window. {@code allowDataLoss} lets a downgrade drop tables and columns that hold rows (an
 * operator approved it). {@code signature} is an HMAC of everything else (see {@link Signer}). Each
 * (plan, step, epoch) takes effect at most once per database: agents record it in the database's
 * command ledger.
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
    long issuedAt,
    boolean allowDataLoss,
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
    return new Command(
        plan,
        step,
        env,
        epoch,
        action,
        target,
        phase,
        revisions,
        issuedAt,
        allowDataLoss,
        signer.sign(this));
  }

  /** The bytes the signature covers: every field but the signature, in a fixed order. */
  public String signedPayload() {
    StringBuilder sb =
        new StringBuilder("command")
            .append('|')
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
            .append(phase)
            .append('|')
            .append(issuedAt)
            .append('|')
            .append(allowDataLoss);
    for (Revision r : revisions) {
      sb.append('|').append(r.id()).append('=').append(r.checksum());
    }
    return sb.toString();
  }

  /** The plan's step, whatever the epoch it was sent with: {@code plan#step}. */
  public String key() {
    return plan + "#" + step;
  }

  /**
   * What a step does, as the {@code op} label of step durations, lock waits and lock retries: one
   * of {@link #OPS} whatever the migrations hold, so the label's values stay few: {@code expand}
   * (the expand phase of an expand-first rollout), {@code upgrade} (every phase still to run, which
   * after an expand is the contract), {@code downgrade} (a rollback or a downgrade).
   */
  public static String op(String action, String phase) {
    if (DOWNGRADE.equals(action)) {
      return "downgrade";
    }
    return "expand".equals(phase) ? "expand" : "upgrade";
  }

  /** The values {@link #op(String, String)} answers. */
  public static final List<String> OPS = List.of("expand", "upgrade", "downgrade");

  /** This command's {@link #op(String, String)}. */
  public String op() {
    return op(action, phase);
  }

  /** The heads {@code target} names (empty for {@code base}). */
  public List<String> targetHeads() {
    return target.equals("base") ? List.of() : List.of(target.split(","));
  }
}
