package dev.convoy.cli;

import dev.convoy.agent.engine.HeldCopies;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "purge",
    description = {
      "Drop what contracts kept for the revert window (columns and tables renamed out of the way by drop_column and drop_table) once the window is over.",
      "After a purge, a downgrade re-adds the column or table empty (it needs --allow-data-loss)."
    })
final class PurgeCommand implements Callable<Integer> {
  private final Cli cli;

  @Mixin DbOptions db;

  @Option(names = "--all", description = "Drop every held copy, expired or not.")
  boolean all;

  @Option(
      names = "--revision",
      paramLabel = "REVISION",
      description = "Drop only what this revision's contract kept, expired or not.")
  String revision;

  @Option(names = "--dry-run", description = "Say what would be dropped; drop nothing.")
  boolean dryRun;

  PurgeCommand(Cli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    if (all && revision != null) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "--all and --revision " + revision + " exclude each other; give one");
    }
    List<HeldCopies.Copy> done =
        new HeldCopies(db.engine())
            .purge(
                all || revision != null
                    ? new HeldCopies.Selection(all, revision)
                    : HeldCopies.Selection.EXPIRED,
                dryRun,
                new ProgressPrinter(cli, db.json));
    if (db.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("dry_run", dryRun);
      doc.put("dropped", HeldLines.json(done));
      doc.put("bytes", HeldLines.total(done));
      Json.print(cli.out(), doc);
      return 0;
    }
    var out = cli.out();
    String verb = dryRun ? "would drop " : "dropped ";
    for (HeldCopies.Copy c : done) {
      out.println(verb + HeldLines.line(c));
    }
    if (done.isEmpty()) {
      out.println(
          "Nothing to purge"
              + (all || revision != null
                  ? "."
                  : ": no held copy has reached the end of its window."));
    } else {
      boolean columns = done.stream().anyMatch(c -> !c.held().isTable());
      out.println(
          (dryRun ? "Would free " : "Freed ")
              + HeldLines.bytes(HeldLines.total(done))
              + " in "
              + done.size()
              + (done.size() == 1 ? " held copy" : " held copies")
              + (columns
                  ? " (a dropped column's space is reused as its table's rows are rewritten;"
                      + " VACUUM FULL or pg_repack returns it to the system at once)."
                  : "."));
    }
    out.flush();
    return 0;
  }
}
