package dev.convoy.cli;

import dev.convoy.agent.engine.HeldCopies;
import dev.convoy.agent.engine.Inspector;
import dev.convoy.agent.engine.StateValidator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "check",
    description = {
      "Check the migrations directory against the database: applied files edited since, and applied revisions the directory lacks. Exit 2 when there is a problem.",
      "--drift compares the declared schema, the migrations and the database instead, each difference with the command that fixes it; exit 1 on drift."
    })
final class CheckCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Mixin SchemaOptions schemaOptions = new SchemaOptions();

  @Option(
      names = "--drift",
      description = {
        "Report schema drift: declared schema vs migrations, migrations vs database (DDL run outside them) and declared schema vs database. Exit 1 on drift."
      })
  boolean drift;

  CheckCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (drift) {
      return drift();
    }
    Inspector.CheckReport r = new Inspector(cli.vertx(), db.engine(), db.graph()).check();
    List<HeldCopies.Copy> held = new HeldCopies(db.engine()).list();
    if (db.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("ok", r.ok());
      doc.put(
          "unknown_applied", r.unknown().stream().map(StateValidator.Unknown::revision).toList());
      doc.put(
          "changed",
          r.changed().stream()
              .map(
                  c ->
                      Map.of(
                          "revision", c.migration().revision(),
                          "file", c.migration().file(),
                          "recorded_checksum", c.recorded(),
                          "current_checksum", c.migration().checksum()))
              .toList());
      doc.put("pending", r.pending());
      doc.put("held", HeldLines.json(held));
      Json.print(cli.out(), doc);
      return r.ok() ? 0 : 2;
    }
    r.unknown().forEach(u -> cli.err().println("error: " + u.describe()));
    r.changed().forEach(c -> cli.err().println("error: " + c.describe()));
    cli.err().flush();
    if (r.ok()) {
      cli.out()
          .println(
              "OK: every applied file matches what was applied"
                  + (r.pending().isEmpty()
                      ? "; nothing pending."
                      : "; " + r.pending().size() + " pending: " + String.join(", ", r.pending())));
    } else {
      cli.out()
          .println((r.unknown().size() + r.changed().size()) + " problem(s) found; see above.");
    }
    held(held);
    cli.out().flush();
    return r.ok() ? 0 : 2;
  }

  /** What contracts keep for the revert window, and how much it takes. */
  private void held(List<HeldCopies.Copy> held) {
    if (held.isEmpty()) {
      return;
    }
    cli.out()
        .println(
            "Held for the revert window ("
                + held.size()
                + (held.size() == 1 ? " copy, " : " copies, ")
                + HeldLines.bytes(HeldLines.total(held))
                + "; 'convoy purge' drops the expired ones):");
    held.forEach(c -> cli.out().println("  " + HeldLines.line(c)));
  }

  private int drift() {
    Drift.Report r = Drift.check(cli, db, schemaOptions);
    if (db.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("ok", !r.drift());
      doc.put("drift", r.drift());
      doc.put("database_compared", r.migrationsVsDatabase() != null);
      doc.put("database_not_compared_because", notCompared(r));
      doc.put("declared_vs_migrations", json(r.declaredVsMigrations()));
      doc.put("migrations_vs_database", json(r.migrationsVsDatabase()));
      doc.put("declared_vs_database", json(r.declaredVsDatabase()));
      doc.put("pending", r.pending());
      doc.put("mid_rollout", r.midRollout());
      Json.print(cli.out(), doc);
      return r.drift() ? 1 : 0;
    }
    var out = cli.out();
    if (r.declaredOrigin() == null) {
      out.println(
          "Declared schema vs migrations: not compared (nothing declared: put DDL in "
              + dev.convoy.agent.schema.DeclaredSchema.directory(db.dir)
              + "/*.sql or set schema-command).");
    } else {
      section(
          out,
          "Declared schema (" + r.declaredOrigin() + ") vs migrations at head",
          r.declaredVsMigrations(),
          "the migrations produce the declared schema",
          "what a new revision must change");
    }
    if (!r.midRollout().isEmpty()) {
      out.println(
          "Database: mid-rollout, not compared: "
              + String.join(", ", r.midRollout())
              + (r.midRollout().size() == 1 ? " is" : " are")
              + " expanded with contract pending; finish with 'convoy upgrade' once the new"
              + " application is deployed, then check again.");
    } else if (r.migrationsVsDatabase() == null) {
      out.println("Database: not compared (no --url).");
    } else {
      section(
          out,
          "Migrations vs database (DDL run outside the migrations"
              + (r.pending().isEmpty()
                  ? ""
                  : "; compared at the database's revisions, "
                      + r.pending().size()
                      + " pending: "
                      + String.join(", ", r.pending()))
              + ")",
          r.migrationsVsDatabase(),
          "the database is what its revisions make it",
          "changes made in the database that no revision made");
      if (r.declaredVsDatabase() != null) {
        section(
            out,
            "Declared schema vs database",
            r.declaredVsDatabase(),
            "the database has the declared schema",
            "what the database must change to have the declared schema");
      }
    }
    String notCompared = notCompared(r);
    out.println(
        r.drift()
            ? "Drift found; see the fixes above."
            : notCompared == null
                ? "No drift."
                : "No drift in what was compared; the database was not compared ("
                    + notCompared
                    + ").");
    out.flush();
    return r.drift() ? 1 : 0;
  }

  /** Why the database was not compared, or null when it was. */
  private static String notCompared(Drift.Report r) {
    if (!r.midRollout().isEmpty()) {
      return "mid-rollout: " + String.join(", ", r.midRollout()) + " with contract pending";
    }
    return r.migrationsVsDatabase() == null ? "no --url" : null;
  }

  private static void section(
      java.io.PrintWriter out,
      String title,
      java.util.List<Drift.Item> items,
      String ok,
      String meaning) {
    if (items.isEmpty()) {
      out.println(title + ": no drift (" + ok + ").");
      return;
    }
    out.println(
        title
            + ": "
            + items.size()
            + (items.size() == 1 ? " difference" : " differences")
            + " ("
            + meaning
            + ")");
    for (Drift.Item i : items) {
      out.println("  " + i.summary());
      out.println("    fix: " + i.fix());
    }
  }

  private static Object json(java.util.List<Drift.Item> items) {
    return items == null
        ? null
        : items.stream().map(i -> Map.of("summary", i.summary(), "fix", i.fix())).toList();
  }
}
