package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.VersionSessions;
import dev.convoy.rollout.Wire;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCheckTest {
  private static final Signer KEY = new Signer("a-signing-key-of-the-test");
  private final EventCheck check =
      new EventCheck(KEY, List.of("dev", "prod"), Duration.ofMinutes(10));
  private final long now = System.currentTimeMillis();

  private static Event failed(long sentAt) {
    return new Event(
        "failed",
        "agent-dev",
        "dev",
        "plan1",
        1,
        3L,
        List.of(),
        null,
        "boom",
        null,
        null,
        1.0,
        sentAt,
        null,
        null,
        null);
  }

  private String reason(String raw) {
    EventCheck.Verdict v = check.check(raw, now);
    return v.ok() ? "ok" : v.reason();
  }

  @Test
  void a_signed_recent_event_of_a_known_type_and_environment_passes() {
    EventCheck.Verdict v = check.check(Wire.write(failed(now).signed(KEY)), now);
    assertTrue(v.ok(), String.valueOf(v));
    assertEquals("plan1", v.event().plan());
  }

  @Test
  void text_that_is_not_an_event_is_malformed() {
    assertEquals("malformed", reason("not json at all"));
    assertEquals("malformed", reason("[1, 2, 3]"));
    assertEquals("malformed", reason("{\"type\": \"failed\", \"step\": \"one\"}"));
    assertEquals("malformed", reason("{\"type\": \"heartbeat\", \"sentAt\": \"yesterday\"}"));
    assertEquals("malformed", reason("null"));
  }

  @Test
  void an_event_without_what_its_type_needs_is_missing_a_field() {
    assertEquals("missing_field", reason(null));
    assertEquals("missing_field", reason("{}"));
    JsonObject e = new JsonObject(Wire.write(failed(now).signed(KEY)));
    assertEquals("missing_field", reason(e.copy().putNull("plan").encode()));
    assertEquals("missing_field", reason(e.copy().putNull("epoch").encode()));
    assertEquals("missing_field", reason(e.copy().put("sentAt", 0).encode()));
    assertEquals("missing_field", reason(e.copy().put("agent", " ").encode()));
  }

  @Test
  void an_unknown_type_or_environment_is_unknown() {
    JsonObject e = new JsonObject(Wire.write(failed(now).signed(KEY)));
    assertEquals("unknown", reason(e.copy().put("type", "exploded").encode()));
    assertEquals("unknown", reason(e.copy().put("env", "qa").encode()));
  }

  @Test
  void a_forged_failed_event_is_unsigned_or_badly_signed() {
    assertEquals("unsigned", reason(Wire.write(failed(now))));
    assertEquals(
        "bad_signature",
        reason(Wire.write(failed(now).signed(new Signer("another-key-entirely-16")))));
    JsonObject e = new JsonObject(Wire.write(failed(now).signed(KEY)));
    assertEquals("bad_signature", reason(e.put("step", 2).encode()), "a signed event, altered");
  }

  @Test
  void an_event_outside_the_window_is_out_of_date() {
    assertEquals(
        "out_of_date",
        reason(Wire.write(failed(now - Duration.ofMinutes(11).toMillis()).signed(KEY))));
    assertEquals(
        "out_of_date",
        reason(Wire.write(failed(now + Duration.ofMinutes(11).toMillis()).signed(KEY))));
  }

  @Test
  void a_heartbeat_older_than_the_last_heard_from_its_agent_is_out_of_date() {
    Event newer = Event.heartbeat("a1", "dev", List.of("r2"), "d", null);
    Event older =
        new Event(
            "heartbeat",
            "a1",
            "dev",
            null,
            null,
            null,
            List.of("r1"),
            "d",
            null,
            null,
            null,
            null,
            newer.sentAt() - 1000,
            null,
            null,
            null);
    assertEquals("ok", reason(Wire.write(newer.signed(KEY))));
    assertEquals("out_of_date", reason(Wire.write(older.signed(KEY))), "a replayed heartbeat");
    assertEquals("ok", reason(Wire.write(newer.signed(KEY))), "the same one again is harmless");
  }

  private static Event heartbeatWithVersions() {
    return Event.heartbeat(
        "a1",
        "prod",
        List.of("r2"),
        "d",
        null,
        Map.of("r1r1", new VersionSessions("convoy_v_r1r1", 3, 1_700_000_000_000L)));
  }

  @Test
  void a_heartbeats_live_versions_are_signed_so_a_changed_or_stripped_count_is_refused() {
    String signed = Wire.write(heartbeatWithVersions().signed(KEY));
    EventCheck.Verdict v = check.check(signed, now);
    assertTrue(v.ok(), String.valueOf(v));
    assertEquals(3, v.event().versions().get("r1r1").sessions());
    JsonObject e = new JsonObject(signed);
    JsonObject none = e.copy();
    none.getJsonObject("versions").getJsonObject("r1r1").put("sessions", 0);
    assertEquals("bad_signature", reason(none.encode()), "the old version made to look drained");
    JsonObject stripped = e.copy();
    stripped.remove("versions");
    assertEquals("bad_signature", reason(stripped.encode()), "its report taken away");
    JsonObject tooLong = e.copy();
    tooLong.getJsonObject("versions").getJsonObject("r1r1").put("name", "x".repeat(300));
    assertEquals("malformed", reason(tooLong.encode()));
    JsonObject negative = e.copy();
    negative.getJsonObject("versions").getJsonObject("r1r1").put("sessions", -1);
    assertEquals("malformed", reason(negative.encode()));
  }

  @Test
  void an_older_agents_heartbeat_without_versions_signs_and_verifies_as_it_always_did() {
    Event old =
        new Event(
            "heartbeat",
            "a1",
            "dev",
            null,
            null,
            null,
            List.of("r1"),
            "d",
            null,
            null,
            null,
            null,
            1000,
            null,
            null,
            null);
    // The bytes agents signed before heartbeats carried versions, pinned.
    assertEquals(
        "event|9:heartbeat|2:a1|3:dev|1:\u0000|1:\u0000|1:\u0000|1:d|1:\u0000|1:\u0000|1:\u0000"
            + "|1:\u0000|4:1000|1:\u0000|1|2:r1",
        old.signedPayload());
    JsonObject json =
        new JsonObject(Wire.write(Event.heartbeat("a1", "dev", List.of(), "d", null).signed(KEY)));
    json.remove("versions"); // an older agent never wrote the field
    EventCheck.Verdict v = check.check(json.encode(), now);
    assertTrue(v.ok(), String.valueOf(v));
    assertEquals(null, v.event().versions(), "unknown, not none");
  }
}
