package dev.convoy.phases;

import dev.convoy.ops.AddCheck;
import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AddForeignKey;
import dev.convoy.ops.AddUnique;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Phase;
import dev.convoy.ops.RenameColumn;
import dev.convoy.ops.RenameTable;
import dev.convoy.ops.SetNotNull;
import java.util.ArrayList;
import java.util.List;

/**
 * Something an operation's contract phase does to a table, a column or a constraint, which work
 * expanded after it (in expand-first order) may depend on. {@code name} is the column, or the
 * constraint for {@link Kind#CONSTRAINT}; null for a whole table.
 */
record ContractChange(String table, String name, Kind kind, String describe) {
  enum Kind {
    /** The table goes. */
    DROPS_TABLE,
    /** The column goes, is renamed away, appears by a rename, or is swapped for a new one. */
    COLUMN,
    /** The column becomes NOT NULL. */
    NOT_NULL,
    /** A constraint is validated or attached. */
    CONSTRAINT
  }

  /** What {@code op}'s contract phase changes; empty when it has no contract phase. */
  static List<ContractChange> of(Operation op) {
    if (op.upgradeSteps().stream().noneMatch(s -> s.phase() == Phase.CONTRACT)) {
      return List.of();
    }
    List<ContractChange> out = new ArrayList<>();
    if (op instanceof DropTable d) {
      out.add(new ContractChange(d.table(), null, Kind.DROPS_TABLE, "drops table " + d.table()));
    } else if (op instanceof DropColumn d) {
      out.add(column(d.table(), d.column().name(), "drops column"));
    } else if (op instanceof RenameTable r) {
      out.add(
          new ContractChange(
              r.table(), null, Kind.DROPS_TABLE, "renames table " + r.table() + " to " + r.to()));
      out.add(
          new ContractChange(
              r.renamed(),
              null,
              Kind.DROPS_TABLE,
              "creates table " + r.renamed() + " by a rename"));
    } else if (op instanceof RenameColumn r) {
      out.add(
          new ContractChange(
              r.table(),
              r.from(),
              Kind.COLUMN,
              "renames " + r.table() + "." + r.from() + " to " + r.to()));
      out.add(
          new ContractChange(
              r.table(),
              r.to(),
              Kind.COLUMN,
              "creates " + r.table() + "." + r.to() + " by renaming " + r.from()));
    } else if (op instanceof AlterColumn a) {
      if (a.type() != null) {
        out.add(column(a.table(), a.column(), "changes the type of"));
      }
      if (Boolean.FALSE.equals(a.nullable())) {
        out.add(notNull(a.table(), a.column()));
      }
    } else if (op instanceof AddColumn a) {
      out.add(notNull(a.table(), a.column().name()));
    } else if (op instanceof SetNotNull s) {
      out.add(notNull(s.table(), s.column()));
    } else if (op instanceof AddCheck c) {
      out.add(constraint(c.table(), c.name(), "validates"));
    } else if (op instanceof AddForeignKey f) {
      out.add(constraint(f.table(), f.name(), "validates"));
    } else if (op instanceof AddUnique u) {
      out.add(constraint(u.table(), u.name(), "attaches"));
    }
    return out;
  }

  private static ContractChange column(String table, String column, String verb) {
    return new ContractChange(table, column, Kind.COLUMN, verb + " " + table + "." + column);
  }

  private static ContractChange notNull(String table, String column) {
    return new ContractChange(
        table, column, Kind.NOT_NULL, "sets NOT NULL on " + table + "." + column);
  }

  private static ContractChange constraint(String table, String name, String verb) {
    return new ContractChange(
        table, name, Kind.CONSTRAINT, verb + " constraint " + name + " on " + table);
  }
}
