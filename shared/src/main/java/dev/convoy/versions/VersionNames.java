package dev.convoy.versions;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names that carry an application version: for revision {@code R} and Convoy's state schema
 * {@code S} (default {@code convoy}), the version schema, the per-version role and the
 * application_name are all {@code S_v_R}. One name for all three keeps them readable in {@code
 * pg_stat_activity} and lets the agent tell which version a session runs from either its
 * application_name or its user.
 */
public final class VersionNames {
  private VersionNames() {}

  /** The comment put on every version schema: {@code convoy:version <revision>}. */
  public static final String SCHEMA_MARK = "convoy:version";

  /** The name of revision {@code revision}'s version (schema, role and application_name). */
  public static String of(String stateSchema, String revision) {
    return stateSchema + "_v_" + revision;
  }

  /** The revision a version name stands for, when {@code name} is one under {@code stateSchema}. */
  public static Optional<String> revisionOf(String stateSchema, String name) {
    if (name == null) {
      return Optional.empty();
    }
    Matcher m = Pattern.compile(Pattern.quote(stateSchema) + "_v_([a-z0-9_]{4,32})").matcher(name);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
