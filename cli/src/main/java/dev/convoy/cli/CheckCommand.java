package dev.convoy.cli;

import dev.convoy.agent.engine.Inspector;
import dev.convoy.agent.engine.StateValidator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "check",
    description = {
      "Check the migrations directory against the database: applied files edited since,",
      "and applied revisions the directory lacks. Exit 2 when there is a problem."
    })
final class CheckCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  CheckCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    Inspector.CheckReport r = new Inspector(cli.vertx(), db.engine(), db.graph()).check();
    if (db.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("ok", r.ok());
      doc.put(
          "unknown_applied", r.unknown().stream().map(StateValidator.Unknown::revision).toList());
      doc.put(
          "changed",
          r.changed().stream()
              .map(
                  c ->
                      Map.of(
                          "revision", c.migration().revision(),
                          "file", c.migration().file(),
                          "recorded_checksum", c.recorded(),
                          "current_checksum", c.migration().checksum()))
              .toList());
      doc.put("pending", r.pending());
      Json.print(cli.out(), doc);
      return r.ok() ? 0 : 2;
    }
    r.unknown().forEach(u -> cli.err().println("error: " + u.describe()));
    r.changed().forEach(c -> cli.err().println("error: " + c.describe()));
    cli.err().flush();
    if (r.ok()) {
      cli.out()
          .println(
              "OK: every applied file matches what was applied"
                  + (r.pending().isEmpty()
                      ? "; nothing pending."
                      : "; " + r.pending().size() + " pending: " + String.join(", ", r.pending())));
    } else {
      cli.out()
          .println((r.unknown().size() + r.changed().size()) + " problem(s) found; see above.");
    }
    cli.out().flush();
    return r.ok() ? 0 : 2;
  }
}
