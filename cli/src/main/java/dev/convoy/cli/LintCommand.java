package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.lint.Finding;
import dev.convoy.lint.LintCatalog;
import dev.convoy.lint.Linter;
import dev.convoy.lint.Rule;
import dev.convoy.lint.Severity;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "lint",
    description = {
      "Check every migration for changes that lock or break a live table.",
      "Exit 2 when an error-level rule is broken and not acknowledged with lint: {ignore: [rule]}."
          + " With --url, the database's row estimates raise findings on big tables one severity"
          + " and its indexes count for the foreign-key rule."
    })
final class LintCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(names = "--rules", description = "List the rules (severity, why, what instead) and exit.")
  boolean rules;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "text",
      description =
          "Output: text, json, sarif (SARIF 2.1.0 for code scanning) or github (workflow"
              + " commands that annotate a pull request).")
  String format;

  @Option(
      names = "--big-table-rows",
      paramLabel = "N",
      defaultValue = "10000",
      description =
          "With --url, a table the catalog estimates at more than N rows is big: findings on it"
              + " whose cost grows with rows are raised one severity.")
  long bigTableRows;

  LintCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    String fmt = db.json ? "json" : format.toLowerCase(Locale.ROOT);
    if (!List.of("text", "json", "sarif", "github").contains(fmt)) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--format '" + format + "' is not a lint format; use text, json, sarif or github.");
    }
    if (bigTableRows < 0) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--big-table-rows " + bigTableRows + " is negative; give a row count such as 10000.");
    }
    if (rules) {
      printRules();
      return 0;
    }
    RevisionGraph graph = db.graph();
    LintCatalog catalog =
        db.hasUrl()
            ? LintCatalogReader.read(new DatabaseUrl(db.url), db.schema, bigTableRows)
            : LintCatalog.NONE;
    List<Finding> findings = Linter.lint(graph.all(), catalog);
    long errors = findings.stream().filter(f -> f.severity() == Severity.ERROR).count();
    LintReport report = new LintReport(findings, db.dir);
    switch (fmt) {
      case "json" -> Json.print(cli.out(), report.json());
      case "sarif" -> Json.print(cli.out(), report.sarif(version()));
      case "github" -> {
        report.github().forEach(cli.out()::println);
        cli.out().println(summary(findings, errors, graph));
      }
      default -> {
        findings.forEach(f -> cli.out().println(f));
        cli.out().println(summary(findings, errors, graph));
      }
    }
    cli.out().flush();
    return errors > 0 ? 2 : 0;
  }

  private static String summary(List<Finding> findings, long errors, RevisionGraph graph) {
    return findings.isEmpty()
        ? "OK: " + graph.all().size() + " migrations, no findings."
        : errors
            + " error(s), "
            + (findings.size() - errors)
            + " warning(s) in "
            + graph.all().size()
            + " migrations.";
  }

  private void printRules() {
    for (Rule r : Rule.values()) {
      cli.out()
          .println(
              r.id()
                  + " ("
                  + r.severity().word()
                  + "): "
                  + r.why()
                  + ".\n    instead: "
                  + r.instead()
                  + (r.scalesWithRows() && r.severity() == Severity.WARNING
                      ? "\n    with --url: an error on a table estimated above --big-table-rows"
                      : ""));
    }
    cli.out().flush();
  }

  private static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
