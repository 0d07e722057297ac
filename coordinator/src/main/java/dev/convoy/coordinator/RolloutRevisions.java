package dev.convoy.coordinator;

import dev.convoy.graph.RevisionGraph;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The revisions a rollout brings (those its target needs that some environment lacked when it
 * started), each with its file and its author's message, in the order they apply: what the console
 * names a rollout by. Read from the coordinator's migrations directory; a revision no longer in it
 * is listed without a message.
 */
final class RolloutRevisions {
  private RolloutRevisions() {}

  static JsonArray of(RevisionGraph graph, JsonObject rollout) {
    List<String> target = new ArrayList<>();
    rollout.getJsonArray("target_heads").forEach(h -> target.add(String.valueOf(h)));
    JsonArray out = new JsonArray();
    List<String> known = target.stream().filter(graph::contains).toList();
    Set<String> wanted = graph.closure(known);
    Set<String> missing = new LinkedHashSet<>();
    JsonObject start = rollout.getJsonObject("start_heads");
    for (String env : start.fieldNames()) {
      List<String> heads = new ArrayList<>();
      JsonArray h = start.getJsonArray(env);
      if (h != null) {
        h.forEach(x -> heads.add(String.valueOf(x)));
      }
      Set<String> applied = graph.closure(heads.stream().filter(graph::contains).toList());
      wanted.stream().filter(r -> !applied.contains(r)).forEach(missing::add);
    }
    for (String id : graph.sorted(missing)) {
      out.add(
          new JsonObject()
              .put("id", id)
              .put("message", graph.get(id).message())
              .put("file", graph.get(id).file()));
    }
    for (String id : target) {
      if (!graph.contains(id)) {
        out.add(new JsonObject().put("id", id).putNull("message"));
      }
    }
    return out;
  }
}
