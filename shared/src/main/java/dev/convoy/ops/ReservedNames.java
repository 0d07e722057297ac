package dev.convoy.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Names an operation may not use. Convoy writes its own PL/pgSQL blocks with the dollar quotes
 * {@code $convoy$} and {@code $convoy_refill$}, and puts the operation's names inside them as
 * literals: a name containing {@code $convoy} would end such a block early, so it is refused when
 * the file is read instead of failing (or doing something else) when it runs.
 */
final class ReservedNames {
  private static final String TAG = "$convoy";

  private ReservedNames() {}

  /** The first name of {@code op} that contains the reserved tag, if any. */
  static Optional<String> in(Operation op) {
    return names(op).stream().filter(n -> n != null && n.contains(TAG)).findFirst();
  }

  static String problem(String name) {
    return "the name '"
        + name
        + "' contains '"
        + TAG
        + "', which Convoy uses to quote its own PL/pgSQL blocks; rename it";
  }

  private static List<String> names(Operation op) {
    List<String> out = new ArrayList<>();
    if (op instanceof CreateTable t) {
      out.add(t.table());
      t.columns().forEach(c -> out.add(c.name()));
    } else if (op instanceof DropTable t) {
      out.add(t.table());
      t.columns().forEach(c -> out.add(c.name()));
    } else if (op instanceof AddColumn a) {
      out.add(a.table());
      out.add(a.column().name());
    } else if (op instanceof DropColumn d) {
      out.add(d.table());
      out.add(d.column().name());
    } else if (op instanceof RenameColumn r) {
      out.addAll(List.of(r.table(), r.from(), r.to()));
    } else if (op instanceof RenameTable r) {
      out.addAll(List.of(r.table(), r.to()));
    } else if (op instanceof CreateIndex i) {
      out.add(i.table());
      out.add(i.name());
      out.addAll(i.columns());
    } else if (op instanceof DropIndex d) {
      out.add(d.name());
    } else if (op instanceof SetNotNull n) {
      out.addAll(List.of(n.table(), n.column()));
    } else if (op instanceof DropNotNull n) {
      out.addAll(List.of(n.table(), n.column()));
    } else if (op instanceof Backfill b) {
      out.add(b.table());
      out.addAll(b.set().keySet());
    } else if (op instanceof AddForeignKey f) {
      out.addAll(List.of(f.table(), f.name(), f.refTable()));
      out.addAll(f.columns());
      out.addAll(f.refColumns());
    } else if (op instanceof AddCheck c) {
      out.addAll(List.of(c.table(), c.name()));
    } else if (op instanceof AddUnique u) {
      out.addAll(List.of(u.table(), u.name()));
      out.addAll(u.columns());
    } else if (op instanceof AlterColumn a) {
      out.addAll(List.of(a.table(), a.column()));
    }
    return out;
  }
}
