package dev.convoy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A rollout as text: its state (and wave, when there are several), what it waits for (which gate,
 * which environment) and what releases it, soaks with the time left, old application versions still
 * draining, then one line per environment with a progress bar, its live versions and a silent agent
 * marked, and a failed step's error in full. {@link #line} says the same on one line, with times of
 * day instead of countdowns, so that a log of {@code --watch} without a terminal gets a line only
 * when something changed.
 */
final class RolloutView {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private RolloutView() {}

  static boolean ended(String state) {
    return state.equals("succeeded") || state.equals("failed") || state.equals("rolled_back");
  }

  static String render(JsonObject r) {
    StringBuilder sb =
        new StringBuilder("Rollout ")
            .append(r.getString("id"))
            .append(" to ")
            .append(r.getString("target"))
            .append(" (")
            .append(r.getString("strategy"))
            .append("): ")
            .append(r.getString("state"));
    Integer waves = r.getInteger("waves");
    if (waves != null && waves > 1) {
      sb.append(" (wave ").append(r.getInteger("wave")).append(" of ").append(waves).append(')');
      for (Object cut : r.getJsonArray("wave_cuts", new JsonArray())) {
        sb.append("\n  ").append(capitalized(String.valueOf(cut)));
      }
    }
    JsonObject w = r.getJsonObject("waiting_for");
    if (w != null) {
      sb.append("\n  ").append(capitalized(w.getString("message")));
      if (w.getString("gate") != null) {
        sb.append("deploy".equals(w.getString("kind")) ? "; contract gate " : "; gate ")
            .append(w.getString("gate"));
      }
      // A drain's message already says how long it has been quiet.
      if (w.getValue("soak_remaining_seconds") != null) {
        sb.append(String.format(", %.1f s of soak left", w.getDouble("soak_remaining_seconds")));
      }
      sb.append(".\n  Released by ").append(w.getString("released_by")).append('.');
    }
    if (w == null && "waiting".equals(r.getString("state"))) {
      // Its gate was just released (approve, deployed): the driver has not moved it on yet.
      sb.append("\n  Released; the coordinator sends the next step at once.");
    }
    JsonObject failure = r.getJsonObject("failure");
    if (r.getString("error") != null && failure == null) {
      sb.append("\n  ").append(r.getString("error"));
    }
    for (Object o : r.getJsonArray("stages", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      sb.append(
          String.format(
              "%n  %-10s %-13s %-14s", s.getString("env"), s.getString("state"), revision(s)));
      Long done = s.getLong("rows_done");
      Long total = s.getLong("rows_total");
      if (done != null && total != null && total > 0) {
        int width = 24;
        int filled = (int) Math.min(width, width * done / total);
        sb.append(" [")
            .append("#".repeat(filled))
            .append(" ".repeat(width - filled))
            .append("] ")
            .append(String.format("%,d/%,d rows", done, total));
      }
      String versions = versions(s);
      if (versions != null) {
        sb.append(" versions: ").append(versions);
      }
      JsonObject silence = s.getJsonObject("agent_silence");
      if (silence != null) {
        sb.append(" ")
            .append(
                silence.getBoolean("never_heard", false)
                    ? "no agent heard"
                    : "agent silent for " + silence.getLong("silent_seconds") + " s");
      }
    }
    if (failure != null) {
      sb.append('\n').append(failure(failure));
    }
    return sb.toString();
  }

  /**
   * The rollout on one line, for a log: state, what it waits for, each stage, a failed step. Times
   * are times of day (a soak's end, when a silent agent was last heard), so the line changes only
   * when the rollout does.
   */
  static String line(JsonObject r) {
    List<String> parts = new ArrayList<>();
    parts.add("rollout " + r.getString("id") + " " + r.getString("state"));
    JsonObject w = r.getJsonObject("waiting_for");
    if (w != null) {
      String soakEnd = w.getString("soak_ends_at");
      String message = w.getString("message");
      if ("versions".equals(w.getString("kind")) && message.contains("; quiet for ")) {
        // The quiet time counts up every second: a log gets a line when the sessions change.
        message = message.substring(0, message.indexOf("; quiet for "));
      }
      parts.add(
          message
              + (w.getString("gate") != null ? " (gate " + w.getString("gate") + ")" : "")
              + (soakEnd != null ? ", soak ends " + time(soakEnd) : "")
              + "; released by "
              + w.getString("released_by"));
    }
    List<String> stages = new ArrayList<>();
    for (Object o : r.getJsonArray("stages", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      StringBuilder st =
          new StringBuilder(s.getString("env")).append(' ').append(s.getString("state"));
      Long done = s.getLong("rows_done");
      Long total = s.getLong("rows_total");
      if (done != null && total != null && total > 0 && !s.getString("state").equals("done")) {
        st.append(String.format(" %,d/%,d rows", done, total));
      }
      JsonObject silence = s.getJsonObject("agent_silence");
      if (silence != null) {
        st.append(
            silence.getBoolean("never_heard", false)
                ? " (no agent heard)"
                : " (agent silent since " + time(silence.getString("last_heard")) + ")");
      }
      stages.add(st.toString());
    }
    if (!stages.isEmpty()) {
      parts.add(String.join(", ", stages));
    }
    JsonObject failure = r.getJsonObject("failure");
    if (failure != null) {
      parts.add(failureLine(failure));
    } else if (r.getString("error") != null) {
      parts.add(r.getString("error"));
    }
    return String.join("; ", parts);
  }

  /**
   * A failed step's error in full: where (environment, step, action), then the revision and its
   * file, the operation, the statement, SQLSTATE and PostgreSQL's message with its detail and hint.
   */
  static String failure(JsonObject f) {
    StringBuilder sb = new StringBuilder("  ").append(where(f)).append(':');
    for (String[] field : fields(f)) {
      String label = String.format("%n    %-10s ", field[0] + ":");
      sb.append(label).append(field[1].strip().replace("\n", "\n" + " ".repeat(15)));
    }
    return sb.toString();
  }

  /** The same on one line, for a log: each field as {@code name: value}, spaces collapsed. */
  static String failureLine(JsonObject f) {
    String where = where(f);
    StringBuilder sb =
        new StringBuilder()
            .append(Character.toLowerCase(where.charAt(0)))
            .append(where, 1, where.length());
    for (String[] field : fields(f)) {
      sb.append("; ")
          .append(field[0])
          .append(": ")
          .append(field[1].strip().replaceAll("\\s+", " "));
    }
    return sb.toString();
  }

  private static String where(JsonObject f) {
    return (f.getBoolean("rollback", false) ? "Rollback step " : "Step ")
        + f.getInteger("step")
        + " in "
        + f.getString("env")
        + ' '
        + f.getString("state")
        + " ("
        + f.getString("action")
        + ' '
        + f.getString("target")
        + (f.getString("phase") == null ? "" : ", " + f.getString("phase"))
        + ")";
  }

  /** The failure's fields that have a value, in the order people read them. */
  private static List<String[]> fields(JsonObject f) {
    List<String> names = new ArrayList<>();
    if (f.getString("revision") != null) {
      names.addAll(List.of("revision", "file", "operation", "statement"));
    }
    names.addAll(List.of("SQLSTATE", "message", "detail", "hint"));
    if (f.getString("code") != null && f.getString("revision") == null) {
      names.add("code");
    }
    List<String[]> out = new ArrayList<>();
    for (String name : names) {
      String value = f.getString(name.equals("SQLSTATE") ? "sqlstate" : name);
      if (value != null) {
        out.add(new String[] {name, value});
      }
    }
    return out;
  }

  /**
   * A stage's live versions with sessions ({@code convoy_v_ab12 3 sessions, ...}); null when there
   * are none, or its agents report none (older agents, or a rollout that ended).
   */
  static String versions(JsonObject stage) {
    JsonObject v = stage.getJsonObject("versions");
    if (v == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String rev : new java.util.TreeSet<>(v.fieldNames())) {
      JsonObject one = v.getJsonObject(rev);
      int n = one.getInteger("sessions", 0);
      out.add(one.getString("name", rev) + " " + n + (n == 1 ? " session" : " sessions"));
    }
    return out.isEmpty() ? null : String.join(", ", out);
  }

  private static String revision(JsonObject stage) {
    Object rev = stage.getValue("revision");
    return rev instanceof JsonArray a
        ? (a.isEmpty() ? "base" : String.join(",", a.getList()))
        : "?";
  }

  private static String time(String iso) {
    try {
      return CLOCK.format(Instant.parse(iso));
    } catch (RuntimeException e) {
      return iso;
    }
  }

  private static String capitalized(String s) {
    return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
