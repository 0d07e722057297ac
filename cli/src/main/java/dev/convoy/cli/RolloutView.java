package dev.convoy.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A rollout as text: its state, then one line per environment with a progress bar. */
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
}
