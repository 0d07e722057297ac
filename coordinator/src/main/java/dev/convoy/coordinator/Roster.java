package dev.convoy.coordinator;

import dev.convoy.rollout.Event;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents this coordinator has heard from, by environment: each one's last heartbeat and when it
 * arrived. An agent silent for five seconds counts as down. Kept in memory (every coordinator,
 * leader or standby, reads all heartbeats), so a new leader knows the agents within a second. Times
 * are read from the coordinator's {@link Clock}. The application versions the heartbeats report are
 * kept apart, in {@link VersionsSeen}.
 */
final class Roster {
  static final long ALIVE_MS = 5000;

  /** The last heartbeat of one agent, with when it arrived. */
  private record Heartbeat(Event event, long receivedAt) {}

  private final List<String> environments;
  private final Map<String, Map<String, Heartbeat>> agents = new ConcurrentHashMap<>();
  private final Clock clock;
  private final long started;
  private final VersionsSeen versions = new VersionsSeen();

  Roster(List<String> environments, Clock clock) {
    this.environments = List.copyOf(environments);
    this.clock = clock;
    this.started = clock.millis();
  }

  /** A heartbeat arrived now. */
  void heard(Event heartbeat) {
    long now = clock.millis();
    agents
        .computeIfAbsent(heartbeat.env(), k -> new ConcurrentHashMap<>())
        .put(heartbeat.agent(), new Heartbeat(heartbeat, now));
    versions.heard(heartbeat, now);
  }

  /** The application versions the environments' agents report. */
  VersionsSeen versions() {
    return versions;
  }

  /** Milliseconds on the coordinator's clock, as heartbeats are stamped with on arrival. */
  long now() {
    return clock.millis();
  }

  int alive(String env) {
    long now = clock.millis();
    return (int)
        agents.getOrDefault(env, Map.of()).values().stream()
            .filter(h -> now - h.receivedAt() < ALIVE_MS)
            .count();
  }

  /**
   * Milliseconds since any agent of {@code env} was last heard; since this roster began when none
   * has been, so an environment whose agent never came up looks silent from the start.
   */
  long silentMillis(String env) {
    long now = clock.millis();
    long last =
        agents.getOrDefault(env, Map.of()).values().stream()
            .mapToLong(Heartbeat::receivedAt)
            .max()
            .orElse(started);
    return Math.max(0, now - last);
  }

  /**
   * Null while an agent of {@code env} is alive; else how long the environment's agents have been
   * silent: {@code silent_seconds} and {@code last_heard} (ISO-8601 UTC) of the one heard last, or
   * {@code never_heard} when none ever was (by this coordinator, since it started).
   */
  JsonObject silence(String env) {
    long now = clock.millis();
    long last = -1;
    for (Heartbeat h : agents.getOrDefault(env, Map.of()).values()) {
      last = Math.max(last, h.receivedAt());
    }
    if (last >= 0 && now - last < ALIVE_MS) {
      return null;
    }
    if (last < 0) {
      return new JsonObject().put("never_heard", true);
    }
    return new JsonObject()
        .put("silent_seconds", (now - last) / 1000)
        .put("last_heard", java.time.Instant.ofEpochMilli(last).toString());
  }

  /** Each environment's heads, from agents heard from recently. */
  Map<String, List<String>> liveHeads() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    long now = clock.millis();
    for (String env : environments) {
      for (Heartbeat h : agents.getOrDefault(env, Map.of()).values()) {
        if (now - h.receivedAt() < ALIVE_MS) {
          out.put(env, h.event().heads());
        }
      }
    }
    return out;
  }

  /** Each environment's agents as the API shows them. */
  JsonArray view() {
    JsonArray out = new JsonArray();
    long now = clock.millis();
    for (String env : environments) {
      JsonArray list = new JsonArray();
      for (var e : agents.getOrDefault(env, Map.of()).entrySet()) {
        Event h = e.getValue().event();
        list.add(
            new JsonObject()
                .put("id", e.getKey())
                .put("heads", new JsonArray(h.heads()))
                .put("digest", h.digest())
                .put("alive", now - e.getValue().receivedAt() < ALIVE_MS)
                .put("last_seen_ms_ago", now - e.getValue().receivedAt())
                // How long its last heartbeat took to arrive (agent's clock to this one's).
                .put("lag_ms", Math.max(0, e.getValue().receivedAt() - h.sentAt())));
      }
      out.add(versions.into(new JsonObject().put("env", env).put("agents", list), env));
    }
    return out;
  }
}
