package dev.convoy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A rollout as text: its state (and wave, when there are several), what it waits for and what
 * releases it, then one line per environment with a progress bar.
 */
final class RolloutView {
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
      for (Object cut : r.getJsonArray("wave_cuts", new io.vertx.core.json.JsonArray())) {
        sb.append("\n  ").append(capitalized(String.valueOf(cut)));
      }
    }
    JsonObject w = r.getJsonObject("waiting_for");
    if (w != null) {
      sb.append("\n  ").append(capitalized(w.getString("message")));
      if (w.getString("gate") != null) {
        sb.append("; contract gate ").append(w.getString("gate"));
      }
      if (w.getValue("soak_remaining_seconds") != null) {
        sb.append(String.format(", %.1f s of soak left", w.getDouble("soak_remaining_seconds")));
      }
      sb.append(".\n  Released by ").append(w.getString("released_by")).append('.');
    }
    if (r.getString("error") != null) {
      sb.append("\n  ").append(r.getString("error"));
    }
    for (Object o : r.getJsonArray("stages", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      Object rev = s.getValue("revision");
      String revision =
          rev instanceof JsonArray a ? (a.isEmpty() ? "base" : String.join(",", a.getList())) : "?";
      sb.append(
          String.format(
              "%n  %-10s %-13s %-14s", s.getString("env"), s.getString("state"), revision));
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
    }
    return sb.toString();
  }

  private static String capitalized(String s) {
    return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
