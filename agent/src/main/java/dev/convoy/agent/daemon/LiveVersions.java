package dev.convoy.agent.daemon;

import dev.convoy.ops.Sql;
import dev.convoy.rollout.VersionSessions;
import dev.convoy.versions.VersionNames;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which application versions the environment's database serves now: its sessions (other than the
 * agent's own) whose application_name, or else whose login role, is a version name under the
 * agent's state schema ({@link VersionNames}), counted by revision with the start of the oldest.
 * Read from {@code pg_stat_activity} of the agent's database only, on the agent's own connection,
 * once per heartbeat. Any role sees other sessions' application_name and role; their {@code
 * backend_start} needs {@code pg_read_all_stats}, so the oldest start may be unknown. Null when the
 * view cannot be read: the coordinator then takes the versions as unknown, never as none.
 */
final class LiveVersions {
  private final String schema;
  private final SessionHolder db;

  LiveVersions(String schema, SessionHolder db) {
    this.schema = schema;
    this.db = db;
  }

  /** Each version's sessions, by revision (empty: none); null when they cannot be read. */
  Map<String, VersionSessions> read() {
    List<String[]> rows;
    try {
      synchronized (db) {
        rows = db.get().rows(query());
      }
    } catch (RuntimeException e) {
      db.reset();
      return null;
    }
    Map<String, int[]> counts = new HashMap<>();
    Map<String, Long> oldest = new HashMap<>();
    for (String[] r : rows) {
      Optional<String> rev = VersionNames.revisionOf(schema, r[0]);
      if (rev.isEmpty()) {
        // An application_name that names no version leaves the role to say which one it runs.
        rev = VersionNames.revisionOf(schema, r[1]);
      }
      if (rev.isEmpty()) {
        continue;
      }
      counts.computeIfAbsent(rev.get(), k -> new int[1])[0]++;
      if (r[2] != null) {
        oldest.merge(rev.get(), Long.parseLong(r[2]), Math::min);
      }
    }
    Map<String, VersionSessions> out = new HashMap<>();
    counts.forEach(
        (rev, n) ->
            out.put(rev, new VersionSessions(VersionNames.of(schema, rev), n[0], oldest.get(rev))));
    return out;
  }

  /** The candidate sessions: those whose application_name or role starts like a version name. */
  private String query() {
    String like =
        Sql.literal(
            VersionNames.of(schema, "")
                    .replace("\\", "\\\\")
                    .replace("_", "\\_")
                    .replace("%", "\\%")
                + "%");
    return "SELECT application_name, usename::text,"
        + " (extract(epoch FROM backend_start) * 1000)::bigint::text"
        + " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        + " AND (application_name LIKE "
        + like
        + " OR usename::text LIKE "
        + like
        + ")";
  }
}
