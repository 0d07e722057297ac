package dev.convoy.cli;

import picocli.CommandLine;

/** Hands the run's {@link Cli} to every command that takes it in its constructor. */
final class CliFactory implements CommandLine.IFactory {
  private final Cli cli;
  private final CommandLine.IFactory fallback = CommandLine.defaultFactory();

  CliFactory(Cli cli) {
    this.cli = cli;
  }

  @Override
  public <K> K create(Class<K> cls) throws Exception {
    try {
      return cls.getDeclaredConstructor(Cli.class).newInstance(cli);
    } catch (NoSuchMethodException e) {
      return fallback.create(cls);
    }
  }
}
