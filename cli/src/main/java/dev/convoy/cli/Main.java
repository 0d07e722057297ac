package dev.convoy.cli;

import dev.convoy.error.ConvoyException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convoy} command. Exit codes: 0 ok, 1 a migration or step failed, 2 bad input. */
@Command(
    name = "convoy",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Zero-downtime PostgreSQL migrations, coordinated across environments.")
public final class Main implements Runnable {
  /** Every subcommand, in help order. */
  private static final List<Class<?>> COMMANDS =
      List.of(
          UpgradeCommand.class,
          DowngradeCommand.class,
          CurrentCommand.class,
          HistoryCommand.class,
          HeadsCommand.class,
          BranchesCommand.class,
          ShowCommand.class,
          StampCommand.class,
          MergeCommand.class,
          RevisionCommand.class,
          CheckCommand.class,
          VersionCommand.class,
          PurgeCommand.class,
          LintCommand.class,
          CoordinatorCommand.class,
          AgentCommand.class,
          RolloutCommand.class,
          DemoCommand.class,
          DocsCommand.class,
          CommandLine.HelpCommand.class);

  private static final java.util.Set<String> LOCKING =
      java.util.Set.of("upgrade", "downgrade", "stamp", "purge");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** Held so the level set on it is not lost when an unreferenced logger is collected. */
  private static final java.util.logging.Logger PGJDBC_LOG =
      java.util.logging.Logger.getLogger("org.postgresql");

  public static void main(String[] args) {
    // Netty 4.2 registers JFR event types on first use, a third of a short CLI run's CPU.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    // pgjdbc logs through java.util.logging (SEVERE lines on stderr before Convoy's own one-line
    // error, e.g. a certificate that does not name the host): Convoy reports what matters itself.
    PGJDBC_LOG.setLevel(java.util.logging.Level.OFF);
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (System.getProperty("convoy.cds.record") != null) {
      exerciseDatabaseClient(args);
    }
    System.exit(code);
  }

  /**
   * The launcher records a class-data archive from the first command that talks to a database. An
   * upgrade that found nothing to do, or waited, never started Vert.x; this makes sure the archive
   * holds Vert.x and the PostgreSQL client anyway, so the next instance that does migrate starts as
   * fast as the others. Failures do not matter here: the command has already answered.
   */
  private static void exerciseDatabaseClient(String[] args) {
    String url = System.getenv("CONVOY_DATABASE_URL");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--url") && i + 1 < args.length) {
        url = args[i + 1];
      } else if (args[i].startsWith("--url=")) {
        url = args[i].substring(6);
      }
    }
    if (url == null) {
      return;
    }
    try (Cli cli = new Cli(new PrintWriter(System.out), new PrintWriter(System.err))) {
      dev.convoy.agent.db.DatabaseUrl u = new dev.convoy.agent.db.DatabaseUrl(url);
      try (var s = dev.convoy.agent.db.PgSession.open(cli.vertx(), u, "convoy archive")) {
        s.query("SELECT 1");
      }
    } catch (RuntimeException e) {
      // Only the archive is less complete.
    }
  }

  /** Runs one command line; output goes to {@code out}, diagnostics to {@code err}. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    try (Cli cli = new Cli(out, err)) {
      if (usesDatabase(args)) {
        // Start Vert.x while picocli parses and the migrations directory is read.
        cli.warmUp();
      }
      CliFactory factory = new CliFactory(cli);
      CommandLine cl = new CommandLine(new Main(), factory);
      addCommands(cl, factory, args);
      cl.setOut(out);
      cl.setErr(err);
      ConfigDefaults defaults;
      try {
        defaults = new ConfigDefaults(args, System.getenv());
        if (!defaults.unknownKeys(optionNames(cl)).isEmpty()) {
          // Not this command's: it may be another's (convoy.yaml serves them all).
          CommandLine all = new CommandLine(new Main(), factory);
          addCommands(all, factory, new String[0]);
          defaults.requireKnown(optionNames(all));
        }
      } catch (ConvoyException e) {
        err.println("error: " + e.getMessage());
        err.flush();
        return e.code().exitCode();
      }
      cl.setDefaultValueProvider(defaults);
      cl.setExecutionExceptionHandler(
          (e, line, parsed) -> {
            String what =
                e instanceof ConvoyException ce
                    ? ce.getMessage()
                    : "unexpected " + e + traceWritten(e);
            if (dev.convoy.cli.log.LogSettings.json()) {
              // A daemon logging JSON: its last line parses as every other one.
              dev.convoy.cli.log.LogSettings.error("dev.convoy.cli.Main", what);
            } else {
              err.println("error: " + what);
              err.flush();
            }
            return e instanceof ConvoyException ce ? ce.code().exitCode() : 1;
          });
      cl.setParameterExceptionHandler(
          (e, a) -> {
            // One line, as every other error: what is wrong, then where the usage is.
            String what = e.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ");
            err.println(
                "error: "
                    + what
                    + (what.endsWith(".") ? " " : "; ")
                    + "run '"
                    + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for usage");
            err.flush();
            return 2;
          });
      int code = cl.execute(args);
      out.flush();
      err.flush();
      return code;
    }
  }

  /** Every long option name (without its dashes) of {@code cl} and its subcommands. */
  private static java.util.Set<String> optionNames(CommandLine cl) {
    java.util.Set<String> out = new java.util.TreeSet<>();
    for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
      if (o.longestName().startsWith("--")) {
        out.add(o.longestName().substring(2));
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      out.addAll(optionNames(sub));
    }
    return out;
  }

  /**
   * Registers only the subcommand being run (picocli builds each command's model by reflection,
   * most of a short run's start-up), or all of them when the command line asks for help or names
   * none.
   */
  private static void addCommands(CommandLine cl, CliFactory factory, String[] args) {
    String first = args.length == 0 ? null : args[0];
    for (Class<?> c : COMMANDS) {
      String name = c.getAnnotation(Command.class).name();
      if (name.equals(first) && !name.equals("help")) {
        add(cl, name, create(factory, c));
        return;
      }
    }
    for (Class<?> c : COMMANDS) {
      add(cl, c.getAnnotation(Command.class).name(), create(factory, c));
    }
  }

  /**
   * Every subcommand answers --help (and -h), as the top-level command does, down to nested ones
   * ({@code rollout start --help}).
   */
  private static void add(CommandLine cl, String name, Object command) {
    CommandLine sub = new CommandLine(command, cl.getFactory());
    if (!(command instanceof CommandLine.HelpCommand)) {
      withHelp(sub);
    }
    cl.addSubcommand(name, sub);
  }

  /**
   * Adds --help and shows each option's default in it, down to nested commands. Options whose value
   * may carry a password (a URL read from the environment) say their default in words instead, so
   * help never prints a secret.
   */
  private static void withHelp(CommandLine command) {
    command.getCommandSpec().mixinStandardHelpOptions(true);
    command.getCommandSpec().usageMessage().showDefaultValues(true);
    command.getSubcommands().values().forEach(Main::withHelp);
    if (!command.getSubcommands().isEmpty() && !command.getSubcommands().containsKey("help")) {
      // 'convoy rollout help start', as 'convoy help rollout' answers at the top.
      command.addSubcommand("help", new CommandLine.HelpCommand());
    }
  }

  /**
   * The whole command tree, every subcommand registered, as {@code convoy --help} sees it: for the
   * tests that walk it and the configuration reference generated from it.
   */
  static CommandLine tree(Cli cli) {
    CliFactory factory = new CliFactory(cli);
    CommandLine cl = new CommandLine(new Main(), factory);
    addCommands(cl, factory, new String[0]);
    return cl;
  }

  private static Object create(CliFactory factory, Class<?> c) {
    try {
      return factory.create(c);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create command " + c.getName(), e);
    }
  }

  /**
   * True when the command will talk to a database through Vert.x: not the locking commands
   * (upgrade, downgrade, stamp), which wait for the migration lock on a plain socket and start
   * Vert.x only once they hold it, so a crowd of waiting instances never starts it at all.
   */
  private static boolean usesDatabase(String[] args) {
    if (args.length > 0 && LOCKING.contains(args[0])) {
      return false;
    }
    for (String a : args) {
      if (a.equals("--url") || a.startsWith("--url=")) {
        return true;
      }
      if (a.equals("--sql") || a.equals("--help") || a.equals("-h")) {
        return false;
      }
    }
    return System.getenv("CONVOY_DATABASE_URL") != null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The version from the jar's manifest, or "dev" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"convoy " + dev.convoy.rollout.BuildVersion.current()};
    }
  }

  /**
   * Writes an unexpected error's trace to a file of its own and says where: the terminal gets one
   * line, whoever reports the bug gets the whole trace.
   */
  private static String traceWritten(Throwable e) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("convoy-error-", ".log");
      try (java.io.PrintWriter w =
          new java.io.PrintWriter(
              java.nio.file.Files.newBufferedWriter(
                  file, java.nio.charset.StandardCharsets.UTF_8))) {
        e.printStackTrace(w);
      }
      return " (full trace in " + file + ")";
    } catch (java.io.IOException | RuntimeException io) {
      return " (the trace could not be written: " + io.getMessage() + ")";
    }
  }
}
