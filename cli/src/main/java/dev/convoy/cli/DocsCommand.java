package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Prints a reference generated from the code, for {@code docs/}: hidden from the command list, as
 * only the repository's maintainers run it ({@value ConfigReference#REGENERATE}).
 */
@Command(
    name = "docs",
    hidden = true,
    description =
        "Print a reference generated from the commands: 'config' is docs/configuration.md.")
final class DocsCommand implements Callable<Integer> {
  private final Cli cli;

  @Parameters(index = "0", paramLabel = "WHICH", description = "Which reference: config.")
  String which;

  DocsCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (!which.equals("config")) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "unknown reference '" + which + "'; the one there is: config");
    }
    cli.out().print(ConfigReference.markdown(Main.tree(cli)));
    cli.out().flush();
    return 0;
  }
}
