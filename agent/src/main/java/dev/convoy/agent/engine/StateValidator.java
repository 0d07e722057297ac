package dev.convoy.agent.engine;

import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Compares what the database says was applied with the migrations directory: revisions it records
 * that the directory lacks, and applied files edited since.
 */
public final class StateValidator {
  private StateValidator() {}

  /** A recorded revision missing from the directory. */
  public record Unknown(String revision) {
    public String describe() {
      return "the database records revision "
          + revision
          + " as applied, but no file in the migrations directory has it. Restore the file (is"
          + " this checkout behind the one that migrated?), or run 'convoy stamp <revision>"
          + " --purge' to overwrite what the database records";
    }
  }

  /** An applied file whose checksum changed. */
  public record Changed(Migration migration, String recorded, List<String> dbHeads) {
    public String describe() {
      return migration.file()
          + " (revision "
          + migration.revision()
          + ") was changed after it was applied:\n    recorded checksum "
          + recorded
          + "\n    current checksum  "
          + migration.checksum()
          + "\n    Revert the file to what was applied (applied migrations must not be edited:"
          + " write a new revision instead), or, if the database already matches the edited"
          + " file, run 'convoy stamp "
          + String.join(" ", dbHeads)
          + "' (the revision the database is at) to record the new checksum";
    }
  }

  public static List<Unknown> unknown(RevisionGraph graph, Collection<String> heads) {
    List<Unknown> out = new ArrayList<>();
    for (String h : heads) {
      if (!graph.contains(h)) {
        out.add(new Unknown(h));
      }
    }
    return out;
  }

  public static List<Changed> changed(
      RevisionGraph graph, Collection<String> heads, Map<String, String> recorded) {
    List<Changed> out = new ArrayList<>();
    for (String r : graph.sorted(graph.closure(heads))) {
      String sum = recorded.get(r);
      var m = graph.find(r);
      if (sum != null && m.isPresent() && !sum.equals(m.get().checksum())) {
        out.add(new Changed(m.get(), sum, List.copyOf(heads)));
      }
    }
    return out;
  }

  /** Throws one report of everything that disagrees; nothing has been changed yet. */
  public static void requireConsistent(
      RevisionGraph graph, Collection<String> heads, Map<String, String> recorded) {
    List<Unknown> unknown = unknown(graph, heads);
    if (!unknown.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.UNKNOWN_APPLIED_REVISION,
          String.join("\n", unknown.stream().map(Unknown::describe).toList())
              + "\nNothing was changed.");
    }
    List<Changed> changed = changed(graph, heads, recorded);
    if (!changed.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.CHECKSUM_MISMATCH,
          String.join("\n", changed.stream().map(Changed::describe).toList())
              + "\nNothing was changed.");
    }
  }
}
