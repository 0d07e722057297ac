package dev.convoy.rollout;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an agent tells the coordinator: {@code heartbeat} (who it is, its environment's heads, the
 * digest of its migrations directory), and for a command: {@code accepted} (with the heads its
 * database had before the command ran), {@code progress} (backfill rows), {@code succeeded}, {@code
 * failed} or {@code rejected} (with the reason), each with the epoch of the command it answers, so
 * a coordinator ignores answers to superseded sends. {@code sentAt} is the agent's clock in epoch
 * milliseconds, for lag measurements and to refuse old events. {@code code} is a machine-readable
 * reason for a failure or refusal ({@code data_loss}, {@code expired}, {@code stale_epoch}, ...),
 * or null. A heartbeat's {@code versions} are the sessions of each version in the environment's
 * database, by revision ({@link VersionSessions}); null when the agent could not read them or is
 * older than the field. {@code signature} is an HMAC of every other field with the shared signing
 * key (see {@link Signer}): the coordinator ignores an event that does not carry one. An event
 * without versions signs the same bytes as before the field existed, so older agents stay
 * verifiable.
 */
public record Event(
    String type,
    String agent,
    String env,
    String plan,
    Integer step,
    Long epoch,
    List<String> heads,
    String digest,
    String message,
    Long rows,
    Long total,
    Double seconds,
    long sentAt,
    String code,
    Map<String, VersionSessions> versions,
    String signature) {
  public static final String HEARTBEAT = "heartbeat";
  public static final String ACCEPTED = "accepted";
  public static final String PROGRESS = "progress";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String REJECTED = "rejected";

  /** Every type an agent sends. */
  public static final List<String> TYPES =
      List.of(HEARTBEAT, ACCEPTED, PROGRESS, SUCCEEDED, FAILED, REJECTED);

  public Event {
    heads = heads == null ? List.of() : List.copyOf(heads);
    versions = versions == null ? null : Map.copyOf(versions);
  }

  /**
   * A heartbeat; {@code working} is the command in progress ({@link Command#key()}), or null. It
   * tells the coordinator the step is alive even when it sends no progress (a long index build).
   */
  public static Event heartbeat(
      String agent, String env, List<String> heads, String digest, String working) {
    return heartbeat(agent, env, heads, digest, working, null);
  }

  /** A heartbeat with the sessions of each version (null: not known). */
  public static Event heartbeat(
      String agent,
      String env,
      List<String> heads,
      String digest,
      String working,
      Map<String, VersionSessions> versions) {
    return new Event(
        HEARTBEAT, agent, env, null, null, null, heads, digest, working, null, null, null, now(),
        null, versions, null);
  }

  public static Event about(
      String type, String agent, Command c, List<String> heads, String message, Double seconds) {
    return about(type, agent, c, heads, message, seconds, null);
  }

  public static Event about(
      String type,
      String agent,
      Command c,
      List<String> heads,
      String message,
      Double seconds,
      String code) {
    return new Event(
        type, agent, c.env(), c.plan(), c.step(), c.epoch(), heads, null, message, null, null,
        seconds, now(), code, null, null);
  }

  public static Event progress(String agent, Command c, long rows, long total) {
    return new Event(
        PROGRESS, agent, c.env(), c.plan(), c.step(), c.epoch(), null, null, null, rows, total,
        null, now(), null, null, null);
  }

  /** The same event with its signature. */
  public Event signed(Signer signer) {
    return new Event(
        type,
        agent,
        env,
        plan,
        step,
        epoch,
        heads,
        digest,
        message,
        rows,
        total,
        seconds,
        sentAt,
        code,
        versions,
        signer.sign(this));
  }

  /** The bytes the signature covers: every field but the signature, in a fixed order. */
  public String signedPayload() {
    StringBuilder sb = new StringBuilder("event");
    for (Object o :
        new Object[] {
          type, agent, env, plan, step, epoch, digest, message, rows, total, seconds, sentAt, code
        }) {
      // Length-prefixed, so no field's text can shift another's boundary.
      String s = Objects.toString(o, "\u0000");
      sb.append('|').append(s.length()).append(':').append(s);
    }
    sb.append('|').append(heads.size());
    for (String h : heads) {
      sb.append('|').append(h.length()).append(':').append(h);
    }
    if (versions != null) {
      // Only when present: an older agent's event signs what it always signed.
      sb.append("|versions|").append(versions.size());
      for (var v : new TreeMap<>(versions).entrySet()) {
        for (Object o :
            new Object[] {
              v.getKey(),
              v.getValue().name(),
              v.getValue().sessions(),
              v.getValue().oldestStartedAt()
            }) {
          String s = Objects.toString(o, "\u0000");
          sb.append('|').append(s.length()).append(':').append(s);
        }
      }
    }
    return sb.toString();
  }

  public boolean finishes() {
    return type.equals(SUCCEEDED) || type.equals(FAILED) || type.equals(REJECTED);
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
