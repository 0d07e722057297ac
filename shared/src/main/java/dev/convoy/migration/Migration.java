package dev.convoy.migration;

import dev.convoy.ops.Operation;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One revision as read from its file. {@code declaredTransactional} is null when the file does not
 * say; then the revision runs in a transaction unless one of its operations cannot. {@code
 * irreversible} is the author's {@code irreversible: true}: the revision may hold operations whose
 * downgrade cannot be derived, and no downgrade may cross it (see {@link Reversibility}).
 */
public record Migration(
    String revision,
    List<String> downRevisions,
    String message,
    List<String> branchLabels,
    List<String> dependsOn,
    Boolean declaredTransactional,
    List<String> lintIgnore,
    List<Operation> operations,
    String file,
    String checksum,
    Map<String, Integer> lines,
    boolean irreversible) {

  public Migration {
    Objects.requireNonNull(revision, "revision");
    downRevisions = List.copyOf(downRevisions);
    branchLabels = List.copyOf(branchLabels);
    dependsOn = List.copyOf(dependsOn);
    lintIgnore = List.copyOf(lintIgnore);
    operations = List.copyOf(operations);
    lines = Map.copyOf(lines);
    message = message == null ? "" : message;
  }

  /** A revision its file does not mark {@code irreversible: true}. */
  public Migration(
      String revision,
      List<String> downRevisions,
      String message,
      List<String> branchLabels,
      List<String> dependsOn,
      Boolean declaredTransactional,
      List<String> lintIgnore,
      List<Operation> operations,
      String file,
      String checksum,
      Map<String, Integer> lines) {
    this(
        revision,
        downRevisions,
        message,
        branchLabels,
        dependsOn,
        declaredTransactional,
        lintIgnore,
        operations,
        file,
        checksum,
        lines,
        false);
  }

  /** True when the revision and its version update commit in one transaction. */
  public boolean transactional() {
    if (declaredTransactional != null) {
      return declaredTransactional;
    }
    return operations.stream().noneMatch(Operation::needsOutsideTransaction);
  }

  public boolean isMerge() {
    return downRevisions.size() > 1;
  }

  /** The line in the file where {@code field} is written, or 0. */
  public int line(String field) {
    return lines.getOrDefault(field, 0);
  }

  /**
   * The line in the file where the character at {@code offset} of the multi-line value {@code
   * field} (such as {@code operations[2].up}, whose text is {@code value}) was written, or 0 when
   * not known. The parsers record {@code field@offset} entries where the value's own line breaks
   * stop telling the file's line (its first character, and every line a YAML scalar folded away);
   * between them, the value's line breaks are counted.
   */
  public int line(String field, String value, int offset) {
    String prefix = field + "@";
    int at = -1;
    int line = 0;
    for (Map.Entry<String, Integer> e : lines.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        int o = Integer.parseInt(e.getKey().substring(prefix.length()));
        if (o <= offset && o > at) {
          at = o;
          line = e.getValue();
        }
      }
    }
    if (at < 0) {
      return 0;
    }
    for (int i = at; i < Math.min(offset, value.length()); i++) {
      if (value.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  @Override
  public String toString() {
    return revision + " (" + file + ")";
  }
}
