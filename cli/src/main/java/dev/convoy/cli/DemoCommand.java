package dev.convoy.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(
    name = "demo",
    description =
        "Roll the example migrations through dev, staging and prod (arrives with the coordinator).")
final class DemoCommand implements Callable<Integer> {
  private final Cli cli;

  DemoCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    cli.out()
        .println(
            "The multi-environment demo arrives with the coordinator. Today, try the"
                + " single-database workflow on the example app:\n"
                + "  ./convoy upgrade head --url postgresql://postgres@127.0.0.1:5432/postgres\n"
                + "  ./convoy history --url postgresql://postgres@127.0.0.1:5432/postgres\n"
                + "(see README.md, or 'make migrate').");
    cli.out().flush();
    return 0;
  }
}
