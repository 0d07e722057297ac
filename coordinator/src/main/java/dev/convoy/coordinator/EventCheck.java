package dev.convoy.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether an entry of the events stream is an event to act on: well-formed JSON of an {@link
 * Event}, with the fields its type needs, of a known type from a configured environment, signed
 * with the shared key, and recent (sent within the window; a heartbeat newer than the last one
 * heard from its agent). Anything else gets a reason ({@code malformed}, {@code missing_field},
 * {@code unknown}, {@code unsigned}, {@code bad_signature}, {@code out_of_date}) for the caller to
 * count and skip: a bad entry is the sender's problem, never a reason to stop reading.
 */
final class EventCheck {
  static final List<String> REASONS =
      List.of(
          "malformed",
          "missing_field",
          "unknown",
          "unsigned",
          "bad_signature",
          "out_of_date",
          "unprocessable");

  /** An entry's verdict: the event, or why it is refused (with what was wrong, for the log). */
  record Verdict(Event event, String reason, String detail) {
    boolean ok() {
      return reason == null;
    }

    static Verdict refused(String reason, String detail) {
      return new Verdict(null, reason, detail);
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false);

  private final Signer signer;
  private final List<String> environments;
  private final long windowMs;
  private final Map<String, Long> lastHeartbeat = new ConcurrentHashMap<>();

  EventCheck(Signer signer, List<String> environments, Duration window) {
    this.signer = signer;
    this.environments = List.copyOf(environments);
    this.windowMs = window.toMillis();
  }

  /**
   * The verdict on one entry's text ({@code null}: the entry had no event field), at {@code now}.
   */
  Verdict check(String raw, long now) {
    if (raw == null) {
      return Verdict.refused("missing_field", "the entry has no 'e' field");
    }
    Event e;
    try {
      e = JSON.readValue(raw, Event.class);
    } catch (Exception x) {
      return Verdict.refused("malformed", "not an event: " + firstLine(x.getMessage()));
    }
    if (e == null) {
      return Verdict.refused("malformed", "not an event: null");
    }
    String missing = missing(e);
    if (missing != null) {
      return Verdict.refused("missing_field", "no '" + missing + "'");
    }
    String unfit = unfit(e);
    if (unfit != null) {
      return Verdict.refused("malformed", unfit);
    }
    if (!Event.TYPES.contains(e.type())) {
      return Verdict.refused(
          "unknown", "type '" + clip(e.type()) + "' is not one of " + Event.TYPES);
    }
    if (!environments.contains(e.env())) {
      return Verdict.refused(
          "unknown", "environment '" + clip(e.env()) + "' is not one of " + environments);
    }
    if (e.signature() == null || e.signature().isEmpty()) {
      return Verdict.refused(
          "unsigned", e.type() + " from " + clip(e.agent()) + " has no signature");
    }
    if (!signer.verify(e)) {
      return Verdict.refused(
          "bad_signature",
          e.type()
              + " from "
              + clip(e.agent())
              + " is not signed with this coordinator's key (CONVOY_SIGNING_KEY)");
    }
    if (Math.abs(now - e.sentAt()) > windowMs) {
      return Verdict.refused(
          "out_of_date",
          e.type()
              + " from "
              + clip(e.agent())
              + " was sent "
              + (now - e.sentAt())
              + " ms ago; the window is "
              + windowMs
              + " ms");
    }
    if (e.type().equals(Event.HEARTBEAT)) {
      String agent = e.env() + "/" + e.agent();
      Long last = lastHeartbeat.get(agent);
      if (last != null && e.sentAt() < last) {
        return Verdict.refused(
            "out_of_date",
            "heartbeat from " + clip(e.agent()) + " is older than the last one heard from it");
      }
      lastHeartbeat.put(agent, e.sentAt());
    }
    return new Verdict(e, null, null);
  }

  /** The first field the event's type needs and lacks, or null. */
  private static String missing(Event e) {
    if (e.type() == null || e.type().isBlank()) {
      return "type";
    }
    if (e.agent() == null || e.agent().isBlank()) {
      return "agent";
    }
    if (e.env() == null || e.env().isBlank()) {
      return "env";
    }
    if (e.sentAt() <= 0) {
      return "sentAt";
    }
    if (!e.type().equals(Event.HEARTBEAT) && Event.TYPES.contains(e.type())) {
      if (e.plan() == null || e.plan().isBlank()) {
        return "plan";
      }
      if (e.step() == null) {
        return "step";
      }
      if (e.epoch() == null) {
        return "epoch";
      }
    }
    return null;
  }

  /**
   * Why a field cannot be stored, or null: a NUL character (PostgreSQL refuses it in text, so the
   * entry could never be recorded) or a value longer than any agent sends.
   */
  private static String unfit(Event e) {
    String[][] fields = {
      {"type", e.type()},
      {"agent", e.agent()},
      {"env", e.env()},
      {"plan", e.plan()},
      {"digest", e.digest()},
      {"code", e.code()},
      {"message", e.message()}
    };
    for (String[] f : fields) {
      String v = f[1];
      if (v == null) {
        continue;
      }
      if (v.indexOf('\u0000') >= 0) {
        return "'" + f[0] + "' contains a NUL character";
      }
      int max = f[0].equals("message") ? 65_536 : 256;
      if (v.length() > max) {
        return "'" + f[0] + "' is " + v.length() + " characters long; at most " + max;
      }
    }
    if (e.heads().size() > 1000) {
      return "'heads' lists " + e.heads().size() + " revisions";
    }
    for (String h : e.heads()) {
      if (h == null || h.indexOf('\u0000') >= 0 || h.length() > 256) {
        return "'heads' holds a value that is not a revision id";
      }
    }
    return e.versions() == null ? null : unfitVersions(e.versions());
  }

  /** Why a heartbeat's versions cannot be kept, or null: bounded like its heads. */
  private static String unfitVersions(Map<String, dev.convoy.rollout.VersionSessions> versions) {
    if (versions.size() > 1000) {
      return "'versions' lists " + versions.size() + " versions";
    }
    for (var v : versions.entrySet()) {
      String rev = v.getKey();
      String name = v.getValue().name();
      if (rev.indexOf('\u0000') >= 0
          || rev.length() > 256
          || name.indexOf('\u0000') >= 0
          || name.length() > 256) {
        return "'versions' holds a value that is not a revision id or a version name";
      }
    }
    return null;
  }

  private static String clip(String s) {
    return s == null ? "null" : s.length() > 64 ? s.substring(0, 64) + "..." : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return clip(nl < 0 ? s : s.substring(0, nl));
  }
}
