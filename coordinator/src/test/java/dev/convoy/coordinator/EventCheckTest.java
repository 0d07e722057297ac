package dev.convoy.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.Signer;
import dev.convoy.rollout.Wire;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
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
}
