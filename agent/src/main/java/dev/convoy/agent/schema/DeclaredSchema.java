package dev.convoy.agent.schema;

import dev.convoy.agent.db.SqlError;
import dev.convoy.agent.db.TextSession;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The schema the application wants, declared next to the migrations: the files {@code
 * <dir>/schema/*.sql} run in name order, or the standard output of a command ({@code
 * schema-command}, for an ORM that prints its models' DDL). It is built in a scratch database
 * ({@link #applyTo}) and read back from the catalog, so it is compared as PostgreSQL understood it,
 * not as written.
 */
public final class DeclaredSchema {
  /** One piece of DDL and where it came from, for error messages. */
  public record Source(String name, String sql) {}

  /** How long a {@code schema-command} may run unless told otherwise. */
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(2);

  private final List<Source> sources;
  private final String origin;

  /** Refuses SQL that reaches past one database ({@link SchemaDdlGuard}) before any of it runs. */
  private DeclaredSchema(List<Source> sources, String origin) {
    sources.forEach(s -> SchemaDdlGuard.check(s.name(), s.sql()));
    this.sources = List.copyOf(sources);
    this.origin = origin;
  }

  /** The directory holding the declared schema's files. */
  public static Path directory(Path migrationsDir) {
    return migrationsDir.resolve("schema");
  }

  /** Whether anything is declared: a command, or {@code schema/} holding a {@code .sql} file. */
  public static boolean isDeclared(Path migrationsDir, String command) {
    return (command != null && !command.isBlank()) || !files(migrationsDir).isEmpty();
  }

  /**
   * Reads the declared schema: runs {@code command} when given (with {@code sh -c}, in the
   * migrations directory's parent), else reads {@code schema/*.sql}. Nothing declared, a command
   * that fails or prints nothing, or a file that cannot be read is a {@code BAD_INPUT} naming it.
   */
  public static DeclaredSchema load(Path migrationsDir, String command) {
    return load(migrationsDir, command, DEFAULT_COMMAND_TIMEOUT);
  }

  /** {@link #load(Path, String)}, the command stopped (and refused) past {@code timeout}. */
  public static DeclaredSchema load(Path migrationsDir, String command, Duration timeout) {
    if (command != null && !command.isBlank()) {
      String ddl = SchemaCommand.run(command, workingDirectory(migrationsDir), timeout);
      String name = "schema-command '" + command + "'";
      return new DeclaredSchema(List.of(new Source(name + " output", ddl)), name);
    }
    List<Path> files = files(migrationsDir);
    if (files.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "no declared schema to compare with: put the schema's DDL (CREATE TABLE ...) in "
              + directory(migrationsDir)
              + "/*.sql, or set 'schema-command:' in "
              + migrationsDir.resolve("convoy.yaml")
              + " (or --schema-command) to a command that prints it");
    }
    List<Source> sources = new ArrayList<>();
    for (Path f : files) {
      try {
        sources.add(new Source(f.toString(), Files.readString(f)));
      } catch (IOException e) {
        throw new ConvoyException(
            ErrorCode.BAD_INPUT, "cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return new DeclaredSchema(
        sources,
        directory(migrationsDir)
            + "/*.sql ("
            + files.size()
            + (files.size() == 1 ? " file)" : " files)"));
  }

  /** Where the declared schema comes from, for output: the files or the command. */
  public String origin() {
    return origin;
  }

  /** Whether it is a {@code schema-command}'s output (else {@code schema/*.sql} files). */
  public boolean isCommand() {
    return origin.startsWith("schema-command ");
  }

  public List<Source> sources() {
    return sources;
  }

  /**
   * Runs the DDL in {@code db} (a scratch database), statement by statement as psql would. A
   * failing statement is a {@code BAD_INPUT} naming the file and line (from the server's error
   * position, else the statement's first line) and PostgreSQL's message. A declared schema that
   * creates Convoy's state schema is refused: Convoy owns it.
   */
  public void applyTo(TextSession db, String stateSchema) {
    for (Source s : sources) {
      for (DdlStatements.Statement st : DdlStatements.split(s.sql())) {
        try {
          db.execute(st.sql());
        } catch (SqlError e) {
          if (e.connectionLost()) {
            throw e;
          }
          int line = st.lineOf(DdlStatements.position(e));
          throw new ConvoyException(
              ErrorCode.BAD_INPUT,
              s.name()
                  + ":"
                  + line
                  + ": "
                  + e.errorMessage()
                  + (e.hint() == null ? "" : " (" + e.hint() + ")")
                  + "; fix the declared schema (it is run in a scratch database, statement by"
                  + " statement)",
              e);
        }
      }
    }
    if (db.value(
            "SELECT 1 FROM pg_namespace WHERE nspname = " + dev.convoy.ops.Sql.literal(stateSchema))
        != null) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "the declared schema ("
              + origin
              + ") creates schema '"
              + stateSchema
              + "', where Convoy keeps its state; declare your objects in another schema (or"
              + " give Convoy's state another name with --schema)");
    }
  }

  private static Path workingDirectory(Path migrationsDir) {
    Path parent = migrationsDir.toAbsolutePath().normalize().getParent();
    return parent == null ? migrationsDir.toAbsolutePath() : parent;
  }

  private static List<Path> files(Path migrationsDir) {
    Path dir = directory(migrationsDir);
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".sql"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT, "cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
