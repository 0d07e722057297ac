package dev.convoy.cli;

import dev.convoy.agent.engine.AppliedRevision;
import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.config.Durations;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How upgrade, downgrade and stamp report what they did. */
final class ResultOutput {
  private ResultOutput() {}

  static void print(Cli cli, boolean json, String verb, String target, MigrationResult r) {
    List<String> expanded =
        r.applied().stream()
            .filter(a -> a.state().equals("expanded"))
            .map(AppliedRevision::revision)
            .toList();
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("command", verb);
      doc.put("target", target);
      doc.put("from", r.from());
      doc.put("to", r.to());
      doc.put(
          "applied",
          r.applied().stream()
              .map(
                  a -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("revision", a.revision());
                    m.put("message", a.message());
                    m.put("direction", a.direction().word());
                    m.put("duration_ms", a.took().toMillis());
                    m.put("state", a.state());
                    return m;
                  })
              .toList());
      doc.put("contract_pending", expanded);
      if (r.heldBack() != null) {
        doc.put("held_back", r.heldBack());
      }
      Json.print(cli.out(), doc);
      return;
    }
    if (!r.changed() && r.heldBack() != null) {
      cli.out().println("Nothing expanded: the database stays at " + describe(r.to()) + ".");
    } else if (!r.changed()) {
      cli.out()
          .println(
              "Nothing to do: already at "
                  + (target.equals("head") || target.equals("heads")
                      ? target + " (" + describe(r.to()) + ")"
                      : describe(r.to()))
                  + ".");
    } else {
      Duration total =
          r.applied().stream().map(AppliedRevision::took).reduce(Duration.ZERO, Duration::plus);
      cli.out()
          .println(
              capitalise(verb)
                  + " from "
                  + describe(r.from())
                  + " to "
                  + describe(r.to())
                  + ": "
                  + r.applied().size()
                  + (r.applied().size() == 1 ? " revision" : " revisions")
                  + (verb.equals("stamped") ? "" : " in " + Durations.human(total))
                  + pending(r.applied().size(), expanded.size())
                  + ".");
    }
    if (!expanded.isEmpty()) {
      cli.out()
          .println(
              "Expanded "
                  + String.join(", ", expanded)
                  + ": deploy the new application, then run 'convoy upgrade' (or --phase contract)"
                  + " to contract.");
    }
    if (r.heldBack() != null) {
      cli.out().println(r.heldBack());
    }
    cli.out().flush();
  }

  /** An upgrade that left revisions expanded must not read as if it applied them. */
  private static String pending(int revisions, int expanded) {
    if (expanded == 0) {
      return "";
    }
    return expanded == revisions
        ? ", expanded only (contract pending)"
        : " (" + (revisions - expanded) + " applied, " + expanded + " expanded: contract pending)";
  }

  static String describe(List<String> heads) {
    return heads.isEmpty() ? "base" : String.join(", ", heads);
  }

  private static String capitalise(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
