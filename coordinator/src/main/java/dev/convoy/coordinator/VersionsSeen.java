package dev.convoy.coordinator;

import dev.convoy.rollout.Event;
import dev.convoy.rollout.VersionSessions;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The application versions each environment's agents report in their heartbeats: the latest report
 * (sessions by revision), when each revision was last seen with sessions, and since when the
 * reports have come without a gap. A report arrives at the coordinator's clock; a heartbeat without
 * versions (an older agent, or one that could not read {@code pg_stat_activity}) says nothing and
 * is not a report. Two reports further apart than the roster's liveness window leave a gap in which
 * sessions may have come and gone unseen, so "quiet since" never reaches back over one. Kept in
 * memory like the {@link Roster}; a coordinator that starts (or takes over) knows nothing before
 * its first report, which is the safe side for a gate that waits for quiet.
 */
final class VersionsSeen {
  /** One environment's latest report: when it arrived and the sessions by revision. */
  record Report(long at, Map<String, VersionSessions> versions) {}

  private final Map<String, Report> latest = new HashMap<>();
  private final Map<String, Long> coveredSince = new HashMap<>();
  private final Map<String, Map<String, Long>> lastSeen = new HashMap<>();

  /** A heartbeat arrived at {@code now} (coordinator's clock, epoch milliseconds). */
  synchronized void heard(Event heartbeat, long now) {
    if (heartbeat.versions() == null) {
      return;
    }
    String env = heartbeat.env();
    Report before = latest.get(env);
    if (before == null || now - before.at() >= Roster.ALIVE_MS) {
      coveredSince.put(env, now);
    }
    latest.put(env, new Report(now, heartbeat.versions()));
    Map<String, Long> seen = lastSeen.computeIfAbsent(env, k -> new HashMap<>());
    heartbeat
        .versions()
        .forEach(
            (rev, v) -> {
              if (v.sessions() > 0) {
                seen.put(rev, now);
              }
            });
  }

  /** The environment's latest report, or null when none ever came. */
  synchronized Report latest(String env) {
    return latest.get(env);
  }

  /** The sessions of the environment's latest report when it is recent; null when none is. */
  synchronized Map<String, VersionSessions> fresh(String env, long now) {
    Report r = latest.get(env);
    return r == null || now - r.at() >= Roster.ALIVE_MS ? null : r.versions();
  }

  /** Since when the environment's reports have come without a gap; null when none came. */
  synchronized Long coveredSince(String env) {
    return coveredSince.get(env);
  }

  /** When each revision was last reported with sessions in {@code env}. */
  synchronized Map<String, Long> lastSeen(String env) {
    return Map.copyOf(lastSeen.getOrDefault(env, Map.of()));
  }

  /**
   * The environment's live versions as the API shows them: {@code versions} (by revision: {@code
   * sessions}, {@code name}, {@code oldest_session_at}) and {@code versions_seen_at}, both null
   * when no agent of it has reported any.
   */
  JsonObject into(JsonObject envJson, String env) {
    Report r = latest(env);
    if (r == null) {
      return envJson.putNull("versions").putNull("versions_seen_at");
    }
    JsonObject versions = new JsonObject();
    new TreeMap<>(r.versions())
        .forEach(
            (rev, v) ->
                versions.put(
                    rev,
                    new JsonObject()
                        .put("sessions", v.sessions())
                        .put("name", v.name())
                        .put(
                            "oldest_session_at",
                            v.oldestStartedAt() == null
                                ? null
                                : Instant.ofEpochMilli(v.oldestStartedAt()).toString())));
    return envJson
        .put("versions", versions)
        .put("versions_seen_at", Instant.ofEpochMilli(r.at()).toString());
  }
}
