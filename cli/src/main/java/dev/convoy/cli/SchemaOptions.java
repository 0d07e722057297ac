package dev.convoy.cli;

import dev.convoy.agent.db.DatabaseUrl;
import dev.convoy.agent.engine.EngineConfig;
import dev.convoy.agent.schema.DeclaredSchema;
import dev.convoy.agent.schema.ScratchSchemas;
import dev.convoy.agent.state.Who;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import picocli.CommandLine.Option;

/**
 * Where the schemas that autogenerate and drift compare are built: the declared schema's source and
 * the server for scratch databases.
 */
final class SchemaOptions {
  @Option(
      names = "--dev-url",
      paramLabel = "URL",
      description = {
        "Server for the scratch databases the schemas are built in (env CONVOY_DEV_URL; default: the --url server). The role must be allowed to create databases."
      })
  String devUrl;

  @Option(
      names = "--schema-command",
      paramLabel = "CMD",
      description = {
        "Command (sh -c, run beside the migrations directory) whose output is the declared schema's DDL, instead of DIR/schema/*.sql (env CONVOY_SCHEMA_COMMAND; convoy.yaml key schema-command)."
      })
  String schemaCommand;

  @Option(
      names = "--schema-command-timeout",
      defaultValue = "2m",
      paramLabel = "DURATION",
      description = {
        "How long the schema-command may run before it is stopped, with what it started (env CONVOY_SCHEMA_COMMAND_TIMEOUT; convoy.yaml key schema-command-timeout)."
      })
  String schemaCommandTimeout;

  boolean declared(DbOptions db) {
    return DeclaredSchema.isDeclared(db.dir, schemaCommand);
  }

  DeclaredSchema declaredSchema(DbOptions db) {
    java.time.Duration timeout =
        dev.convoy.config.Durations.parse("--schema-command-timeout", schemaCommandTimeout);
    if (timeout.isZero() || timeout.isNegative()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--schema-command-timeout '"
              + schemaCommandTimeout
              + "' must be more than 0 (e.g. 2m, 30s)");
    }
    return DeclaredSchema.load(db.dir, schemaCommand, timeout);
  }

  /** Scratch builds on the --dev-url server, else the target's. */
  ScratchSchemas scratches(Cli cli, DbOptions db) {
    DatabaseUrl server;
    if (devUrl != null && !devUrl.isBlank()) {
      server = new DatabaseUrl(devUrl);
    } else if (db.hasUrl()) {
      server = new DatabaseUrl(db.url);
    } else {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "no server to build the schemas in: pass --url (the target database; scratch databases"
              + " are created beside it) or --dev-url postgresql://user@host:5432/postgres");
    }
    EngineConfig engine =
        db.hasUrl()
            ? db.engine()
            : new EngineConfig(server, db.schema, db.tuning.tuning(), Who.local());
    return new ScratchSchemas(cli::vertx, server, engine);
  }
}
