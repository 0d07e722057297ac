package dev.convoy.cli;

import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import dev.convoy.agent.engine.OfflineSql;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "downgrade",
    description = {
      "Revert revisions down to TARGET: -1 (the last one), -N, a revision, or base.",
      "Refuses to drop a table or column that holds data unless --allow-data-loss."
    })
final class DowngradeCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(
      index = "0",
      paramLabel = "TARGET",
      description = "-1 (the last revision), -N, a revision or base.")
  String target;

  @Option(
      names = "--allow-data-loss",
      description = "Drop tables and columns even when they hold data.")
  boolean allowDataLoss;

  @Option(
      names = "--sql",
      description = "Print the SQL instead of running it (offline; TARGET must be start:end).")
  boolean sql;

  DowngradeCommand(Cli cli) {
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
                  .downgrade(target));
      cli.out().flush();
      return 0;
    }
    ProgressPrinter progress = new ProgressPrinter(cli, db.json);
    MigrationResult r =
        new Migrator(cli::vertx, db.engine(), db::graph, progress).downgrade(target, allowDataLoss);
    ResultOutput.print(cli, db.json, "downgraded", target, r);
    return 0;
  }
}
