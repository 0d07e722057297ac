package dev.convoy.coordinator;

import dev.convoy.error.ConvoyException;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated request to start a rollout: what {@code POST /api/rollouts} takes. Its JSON is read
 * strictly (only {@link #FIELDS}, each of its type) and every value is checked here, at the edge,
 * so a bad request is refused with a 400 naming the field, the value and what is allowed, before
 * anything is planned or stored ({@link Rollouts#create} only checks it against the environments).
 */
record RolloutRequest(
    String target,
    String strategy,
    Map<String, String> gates,
    String rollback,
    String contractGate) {
  /** The fields of the request's JSON; any other is refused, naming these. */
  static final List<String> FIELDS =
      List.of("target", "strategy", "gates", "rollback", "contract_gate");

  static final List<String> STRATEGIES = List.of("expand-first", "per-environment");
  static final List<String> ROLLBACKS = List.of("all", "failed", "none");
  static final String GATES = "auto, approval, soak:<duration> or " + DrainGate.FORM;

  RolloutRequest {
    target = target == null || target.isBlank() ? "head" : target.strip();
    strategy = strategy == null ? "expand-first" : strategy;
    gates = gates == null ? Map.of() : Map.copyOf(gates);
    rollback = rollback == null ? "all" : rollback;
    if (target.length() > 200) {
      throw ApiError.invalid(
          "target",
          "at most 200 characters",
          "target is " + target.length() + " characters long; name a revision or head");
    }
    if (!STRATEGIES.contains(strategy)) {
      throw ApiError.invalid(
          "strategy",
          "one of " + String.join(", ", STRATEGIES),
          "strategy '" + JsonBody.oneLine(strategy) + "' is not expand-first or per-environment");
    }
    if (!ROLLBACKS.contains(rollback)) {
      throw ApiError.invalid(
          "rollback",
          "one of " + String.join(", ", ROLLBACKS),
          "rollback '" + JsonBody.oneLine(rollback) + "' is not all, failed or none");
    }
    for (var g : gates.entrySet()) {
      if (!Gate.valid(g.getValue())) {
        throw ApiError.invalid(
            "gates." + g.getKey(),
            GATES,
            "gate '"
                + JsonBody.oneLine(g.getValue())
                + "' for "
                + g.getKey()
                + " is not "
                + GATES
                + " (e.g. soak:30s, versions-drained:1m)");
      }
      if (strategy.equals("per-environment") && DrainGate.is(g.getValue())) {
        throw ApiError.invalid(
            "gates." + g.getKey(),
            "versions-drained only with strategy expand-first",
            "gate '"
                + JsonBody.oneLine(g.getValue())
                + "' for "
                + g.getKey()
                + " holds a contract step, and a per-environment rollout contracts in the same"
                + " step as it expands, before the new application can run; use strategy"
                + " expand-first");
      }
    }
    if (strategy.equals("per-environment") && contractGate != null) {
      throw ApiError.invalid(
          "contract_gate",
          "only with strategy expand-first",
          "contract gate '"
              + JsonBody.oneLine(contractGate)
              + "' needs strategy expand-first: a per-environment rollout contracts each"
              + " environment right after its expand, so it has no deploy window; drop"
              + " contract_gate or use expand-first");
    }
    try {
      contractGate = strategy.equals("expand-first") ? ContractGate.validated(contractGate) : null;
    } catch (ConvoyException e) {
      throw ApiError.invalid("contract_gate", ContractGate.ALLOWED, e.getMessage());
    }
  }

  /** The request a JSON body holds: only {@link #FIELDS}, each of its type, else a 400. */
  static RolloutRequest of(JsonObject body) {
    Map<String, String> gates = new LinkedHashMap<>();
    JsonObject g = JsonBody.object(body, "gates");
    if (g != null) {
      for (String env : g.fieldNames()) {
        Object gate = g.getValue(env);
        if (!(gate instanceof String s)) {
          throw ApiError.invalid(
              "gates." + env,
              "a string: " + GATES,
              "the gate for "
                  + JsonBody.oneLine(env)
                  + " is "
                  + JsonBody.kind(gate)
                  + " ("
                  + JsonBody.shown(gate)
                  + "); write it as a string such as \"approval\"");
        }
        gates.put(env, s);
      }
    }
    return new RolloutRequest(
        JsonBody.string(body, "target"),
        JsonBody.string(body, "strategy"),
        gates,
        JsonBody.string(body, "rollback"),
        JsonBody.string(body, "contract_gate"));
  }
}
