package dev.convoy.versions;

import dev.convoy.ops.AddColumn;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Operation;
import dev.convoy.ops.RenameColumn;
import dev.convoy.ops.RenameTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import java.util.regex.Pattern;

/**
 * The views each application version needs while revisions are in flight.
 *
 * <p>While a revision is expanded and not contracted, the physical table holds both shapes: the old
 * columns (renamed, dropped or retyped only at contract) and the new ones (added columns, shadow
 * columns of a type change). A version that <em>contains</em> the revision (it is the revision or a
 * descendant) sees the new shape: a renamed column under its new name, a retyped column as its
 * shadow, a dropped column or table gone, a renamed table under its new name. A version that does
 * not sees the old shape: without the added and shadow columns. Each version gets a view of every
 * table an in-flight revision touches, unless it would show exactly the physical table (then the
 * version reads the table itself, through the search path).
 *
 * <p>Every transformation tolerates the physical state on either side of its contract, because a
 * contract part-way (a crash) leaves some renames done and others not.
 */
public final class VersionShapes {
  private VersionShapes() {}

  /** Columns Convoy keeps beside a column while a change is in flight: never shown as they are. */
  private static final Pattern HELPER = Pattern.compile(".*__convoy_[a-z]+");

  /** What the database holds: a table's qualified name and its columns in order, when it exists. */
  public interface Physical {
    Optional<PhysicalTable> table(String name);
  }

  /**
   * A physical table: its qualified name as SQL (quoted as needed), its own name, and its columns
   * in order.
   */
  public record PhysicalTable(String qualifiedName, String relname, List<String> columns) {
    public PhysicalTable {
      columns = List.copyOf(columns);
    }
  }

  /** True when {@code ops} change what an application sees of a table. */
  public static boolean changesShape(List<Operation> ops) {
    return ops.stream().anyMatch(op -> table(op) != null);
  }

  /**
   * The views {@code version} needs. {@code inFlight}: ancestors first; {@code contains}: (version,
   * revision) is true when the version includes the revision.
   */
  public static List<TableView> views(
      String version,
      List<InFlight> inFlight,
      BiPredicate<String, String> contains,
      Physical physical) {
    return views(version, inFlight, contains, physical, List.of());
  }

  /**
   * As above, and {@code helped}: tables holding Convoy's helper columns with nothing in flight (a
   * column kept for the revert window), which every version sees without them.
   */
  public static List<TableView> views(
      String version,
      List<InFlight> inFlight,
      BiPredicate<String, String> contains,
      Physical physical,
      List<String> helped) {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    Map<String, String> renamedTables = new LinkedHashMap<>();
    for (InFlight r : inFlight) {
      boolean has = contains.test(version, r.revision());
      for (Operation op : r.operations()) {
        String logical = table(op);
        if (logical == null) {
          continue;
        }
        String key = renamedTables.getOrDefault(logical, logical);
        Shape shape = shapes.get(key);
        if (shape == null) {
          Optional<PhysicalTable> t = physical.table(key);
          if (t.isEmpty() && op instanceof RenameTable rt) {
            t = physical.table(rt.renamed()); // contract renamed it already
          }
          if (t.isEmpty()) {
            continue;
          }
          shape = new Shape(t.get());
          shapes.put(key, shape);
        }
        if (op instanceof RenameTable rt) {
          renamedTables.put(rt.renamed(), key);
        }
        shape.apply(op, has);
      }
    }
    for (String t : helped) {
      physical
          .table(t)
          .filter(
              p ->
                  shapes.values().stream()
                      .noneMatch(s -> s.physical.qualifiedName().equals(p.qualifiedName())))
          .ifPresent(p -> shapes.put(t, new Shape(p)));
    }
    List<TableView> out = new ArrayList<>();
    for (Shape s : shapes.values()) {
      s.view().ifPresent(out::add);
    }
    return out;
  }

  /** The table {@code op} changes the visible shape of, or null. */
  static String table(Operation op) {
    if (op instanceof AddColumn a) {
      return a.table();
    } else if (op instanceof DropColumn d) {
      return d.table();
    } else if (op instanceof RenameColumn r) {
      return r.table();
    } else if (op instanceof AlterColumn a && a.type() != null) {
      return a.table();
    } else if (op instanceof DropTable d) {
      return d.table();
    } else if (op instanceof RenameTable r) {
      return r.table();
    }
    return null;
  }

  /** One table as one version sees it, built up operation by operation. */
  private static final class Shape {
    private final PhysicalTable physical;
    private final List<TableView.Column> columns = new ArrayList<>();
    private String name;
    private boolean gone;
    private boolean behind;

    Shape(PhysicalTable physical) {
      this.physical = physical;
      this.name = physical.relname();
      for (String c : physical.columns()) {
        if (!HELPER.matcher(c).matches()) {
          columns.add(new TableView.Column(c, c));
        }
      }
    }

    void apply(Operation op, boolean has) {
      if (!has) {
        behind = true;
        if (op instanceof AddColumn a) {
          columns.removeIf(c -> c.source().equals(a.column().name()));
        }
        return;
      }
      if (op instanceof DropColumn d) {
        columns.removeIf(c -> c.name().equals(d.column().name()));
      } else if (op instanceof RenameColumn r) {
        replace(r.from(), c -> new TableView.Column(r.to(), c.source()));
      } else if (op instanceof AlterColumn a) {
        String shadow = a.inFlightColumns().get(0);
        if (physical.columns().contains(shadow)) {
          replace(a.column(), c -> new TableView.Column(c.name(), shadow));
        }
      } else if (op instanceof DropTable) {
        gone = true;
      } else if (op instanceof RenameTable r) {
        name = r.to();
      }
    }

    private void replace(String visible, java.util.function.UnaryOperator<TableView.Column> f) {
      for (int i = 0; i < columns.size(); i++) {
        if (columns.get(i).name().equals(visible)) {
          columns.set(i, f.apply(columns.get(i)));
          return;
        }
      }
    }

    Optional<TableView> view() {
      if (gone) {
        return Optional.empty();
      }
      boolean same =
          name.equals(physical.relname())
              && columns.size() == physical.columns().size()
              && columns.stream().allMatch(c -> c.name().equals(c.source()));
      if (same && !behind) {
        return Optional.empty();
      }
      return Optional.of(new TableView(name, physical.qualifiedName(), columns));
    }
  }
}
