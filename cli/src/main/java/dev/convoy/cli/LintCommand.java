package dev.convoy.cli;

import dev.convoy.graph.RevisionGraph;
import dev.convoy.lint.Finding;
import dev.convoy.lint.Linter;
import dev.convoy.lint.Rule;
import dev.convoy.lint.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "lint",
    description = {
      "Check every migration for changes that lock or break a live table.",
      "Exit 2 when an error-level rule is broken and not acknowledged with lint: {ignore: [rule]}."
    })
final class LintCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(names = "--rules", description = "List the rules and exit.")
  boolean rules;

  LintCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (rules) {
      for (Rule r : Rule.values()) {
        cli.out()
            .println(
                r.id()
                    + " ("
                    + r.severity().name().toLowerCase(java.util.Locale.ROOT)
                    + "): "
                    + r.why()
                    + ".\n    instead: "
                    + r.instead());
      }
      cli.out().flush();
      return 0;
    }
    RevisionGraph graph = db.graph();
    List<Finding> findings = Linter.lint(graph.all());
    long errors = findings.stream().filter(f -> f.rule().severity() == Severity.ERROR).count();
    if (db.json) {
      Json.print(
          cli.out(),
          findings.stream()
              .map(
                  f -> {
                    Map<String, Object> j = new LinkedHashMap<>();
                    j.put("rule", f.rule().id());
                    j.put(
                        "severity", f.rule().severity().name().toLowerCase(java.util.Locale.ROOT));
                    j.put("revision", f.revision());
                    j.put("file", f.file());
                    j.put("line", f.line());
                    j.put("what", f.what());
                    j.put("why", f.rule().why());
                    j.put("instead", f.rule().instead());
                    return j;
                  })
              .toList());
      return errors > 0 ? 2 : 0;
    }
    findings.forEach(f -> cli.out().println(f));
    cli.out()
        .println(
            findings.isEmpty()
                ? "OK: " + graph.all().size() + " migrations, no findings."
                : errors
                    + " error(s), "
                    + (findings.size() - errors)
                    + " warning(s) in "
                    + graph.all().size()
                    + " migrations.");
    cli.out().flush();
    return errors > 0 ? 2 : 0;
  }
}
