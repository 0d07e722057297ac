package dev.convoy.cli;

import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.engine.OfflineSql;
import dev.convoy.agent.engine.PhaseMode;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "upgrade",
    description = {
      "Apply revisions up to TARGET (default: head).",
      "TARGET: head, heads, a revision or unique prefix, label@head, +N, rev+N, head-N.",
      "Safe to run from many instances at once: each revision runs exactly once."
    })
final class UpgradeCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(
      index = "0",
      defaultValue = "head",
      paramLabel = "TARGET",
      description = "The revision to reach (default head).")
  String target;

  @Option(
      names = "--sql",
      description =
          "Print the SQL instead of running it (offline; TARGET may be a range start:end).")
  boolean sql;

  @Option(
      names = "--phase",
      defaultValue = "all",
      description =
          "Which phases run: expand stops each phased revision after expand and backfill (deploy"
              + " the new application, then run upgrade again); contract only finishes revisions"
              + " left expanded; all does both.")
  String phase;

  @Option(
      names = "--allow-unsafe",
      showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
      paramLabel = "RULE",
      description = "Run migrations that break this lint rule (see 'convoy lint'); repeatable.")
  java.util.List<String> allowUnsafe = new java.util.ArrayList<>();

  UpgradeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (sql) {
      cli.out()
          .print(
              new OfflineSql(
                      db.graph(),
                      db.schema,
                      db.tuning.tuning().lockTimeout(),
                      db.tuning.tuning().revertWindow())
                  .upgrade(target));
      cli.out().flush();
      return 0;
    }
    ProgressPrinter progress = new ProgressPrinter(cli, db.json);
    PhaseMode mode =
        switch (phase) {
          case "all" -> PhaseMode.ALL;
          case "expand" -> PhaseMode.EXPAND;
          case "contract" -> PhaseMode.CONTRACT;
          default ->
              throw new ConvoyException(
                  ErrorCode.BAD_INPUT,
                  "--phase '" + phase + "' is not one of expand, contract, all");
        };
    MigrationResult r =
        // The directory is read while the lock connection opens (see Migrator).
        new Migrator(cli::vertx, db.engine(java.util.Set.copyOf(allowUnsafe)), db::graph, progress)
            .upgrade(target, mode);
    ResultOutput.print(cli, db.json, "upgraded", target, r);
    return 0;
  }
}
