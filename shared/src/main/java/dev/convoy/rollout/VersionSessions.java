package dev.convoy.rollout;

/**
 * What an agent's heartbeat says about one version (see {@code dev.convoy.versions.VersionNames}):
 * its name (schema, role and application_name, {@code convoy_v_<revision>}), how many sessions of
 * the environment's database run it, and when the oldest of them started (epoch milliseconds; null
 * when the agent's role may not read other sessions' start, which needs {@code pg_read_all_stats}).
 */
public record VersionSessions(String name, int sessions, Long oldestStartedAt) {
  public VersionSessions {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a version's name is missing");
    }
    if (sessions < 0) {
      throw new IllegalArgumentException(
          "version " + name + " has " + sessions + " sessions; a count is never negative");
    }
  }
}
