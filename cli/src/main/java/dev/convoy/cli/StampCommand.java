package dev.convoy.cli;

import dev.convoy.agent.engine.MigrationResult;
import dev.convoy.agent.engine.Migrator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "stamp",
    description = {
      "Record TARGET as applied without running any migration.",
      "For a database created by other means, or to accept an edited applied file."
    })
final class StampCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Parameters(index = "0", paramLabel = "TARGET", description = "head, heads, base or a revision.")
  String target;

  @Option(
      names = "--purge",
      description = "Empty the version table first, even of revisions this directory lacks.")
  boolean purge;

  StampCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    MigrationResult r =
        new Migrator(cli::vertx, db.engine(), db::graph, new ProgressPrinter(cli, db.json))
            .stamp(target, purge);
    ResultOutput.print(cli, db.json, "stamped", target, r);
    return 0;
  }
}
