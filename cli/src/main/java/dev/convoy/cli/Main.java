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
          LintCommand.class,
          DemoCommand.class,
          CommandLine.HelpCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Netty 4.2 registers JFR event types on first use, a third of a short CLI run's CPU.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
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
      cl.setDefaultValueProvider(new ConfigDefaults(args, System.getenv()));
      cl.setExecutionExceptionHandler(
          (e, line, parsed) -> {
            if (e instanceof ConvoyException ce) {
              err.println("error: " + ce.getMessage());
              err.flush();
              return ce.code().exitCode();
            }
            err.println("error: unexpected " + e);
            e.printStackTrace(err);
            err.flush();
            return 1;
          });
      cl.setParameterExceptionHandler(
          (e, a) -> {
            err.println("error: " + e.getMessage());
            err.println(
                "Run '"
                    + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for usage.");
            err.flush();
            return 2;
          });
      int code = cl.execute(args);
      out.flush();
      err.flush();
      return code;
    }
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

  /** Every subcommand answers --help (and -h), as the top-level command does. */
  private static void add(CommandLine cl, String name, Object command) {
    CommandLine sub = new CommandLine(command, cl.getFactory());
    if (!(command instanceof CommandLine.HelpCommand)) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
    }
    cl.addSubcommand(name, sub);
  }

  private static Object create(CliFactory factory, Class<?> c) {
    try {
      return factory.create(c);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create command " + c.getName(), e);
    }
  }

  private static boolean usesDatabase(String[] args) {
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
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"convoy " + (v == null ? "dev" : v)};
    }
  }
}
