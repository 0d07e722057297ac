package dev.convoy.agent.engine;

import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.state.HeldStore;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.migration.Migration;
import dev.convoy.ops.AlterColumn;
import dev.convoy.ops.DropColumn;
import dev.convoy.ops.DropTable;
import dev.convoy.ops.Hold;
import dev.convoy.ops.Operation;
import dev.convoy.ops.Sql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The revert window, as the engine applies it. On the way up, each drop_column and drop_table of a
 * revision is given a {@link Hold} (unless the window is zero), so its contract keeps what it
 * drops. On the way down, each is given what {@code held} says of it: held and inside the window
 * (by the injected clock), it is brought back; held but expired, it is dropped and re-added empty;
 * not held (dropped at once, or purged), it is re-added empty as it always was. Before a downgrade
 * changes anything, {@link #losses} names what cannot come back and {@link #requireRestorable}
 * refuses a NOT NULL that rows written since would break.
 */
final class Holds {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private final String schema;
  private final Duration window;
  private final Clock clock;
  private final HeldStore store;

  Holds(String schema, Duration window, Clock clock) {
    this.schema = schema;
    this.window = window;
    this.clock = clock;
    this.store = new HeldStore(schema);
  }

  static Holds of(EngineConfig config) {
    return new Holds(config.schema(), config.revertWindow(), config.clock());
  }

  static String when(Instant t) {
    return WHEN.format(t);
  }

  private static boolean holds(Operation op) {
    return op instanceof DropColumn
        || op instanceof DropTable
        || (op instanceof AlterColumn a && a.type() != null);
  }

  /** {@code m} with its drops kept for the window (unchanged when the window is zero). */
  Migration upgrade(Migration m) {
    if (window.isZero() || m.operations().stream().noneMatch(Holds::holds)) {
      return m;
    }
    List<Operation> ops = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      Operation op = m.operations().get(i);
      // A type change the catalog makes without a rewrite keeps nothing: nothing is dropped.
      boolean direct = op instanceof AlterColumn a && a.direct();
      ops.add(
          direct ? op : with(op, new Hold(schema, m.revision(), i, window, Hold.Found.NOTHING)));
    }
    return Catalog.withOperations(m, ops);
  }

  /** {@code m} with its drops resolved against what is held in the database. */
  Migration downgrade(TextSession db, Migration m) {
    if (m.operations().stream().noneMatch(Holds::holds)) {
      return m;
    }
    Map<Integer, HeldStore.Held> held = held(db, m);
    List<Operation> ops = new ArrayList<>();
    for (int i = 0; i < m.operations().size(); i++) {
      HeldStore.Held h = held.get(i);
      Operation op = m.operations().get(i);
      if (h == null || !holds(op)) {
        ops.add(op);
        continue;
      }
      Hold.Found found =
          h.purgedAt() != null
              ? Hold.Found.NOTHING
              : h.expiredAt(clock.instant()) ? Hold.Found.EXPIRED : Hold.Found.IN_WINDOW;
      Duration kept = Duration.between(h.heldAt(), h.expiresAt());
      ops.add(
          with(
              op,
              new Hold(
                  schema,
                  m.revision(),
                  i,
                  kept.isNegative() || kept.isZero() ? Duration.ofMillis(1) : kept,
                  found)));
    }
    return Catalog.withOperations(m, ops);
  }

  private Map<Integer, HeldStore.Held> held(TextSession db, Migration m) {
    Map<Integer, HeldStore.Held> out = new HashMap<>();
    for (HeldStore.Held h : store.of(db, m.revision())) {
      out.put(h.opIndex(), h);
    }
    return out;
  }

  private static Operation with(Operation op, Hold h) {
    if (op instanceof DropColumn d) {
      return d.withHold(h);
    }
    if (op instanceof DropTable t) {
      return t.withHold(h);
    }
    if (op instanceof AlterColumn a) {
      return a.withHold(h);
    }
    return op;
  }

  /**
   * What a downgrade of {@code plan} cannot bring back because a revert window ended: each held
   * copy (of a revision whose contract ran) that expired or was purged, with the date and the rows
   * that come back empty.
   */
  List<DataLossRefused.Loss> losses(TextSession db, List<Migration> plan, Set<String> expanded) {
    List<DataLossRefused.Loss> out = new ArrayList<>();
    Instant now = clock.instant();
    for (Migration m : plan) {
      if (expanded.contains(m.revision())) {
        continue;
      }
      for (HeldStore.Held h : held(db, m).values()) {
        if ((h.purgedAt() == null && !h.expiredAt(now)) || h.isTypeChange()) {
          // A type change outside its window is undone as before: by rewriting the table.
          continue;
        }
        String ended =
            h.why() != null
                ? h.why()
                : h.purgedAt() != null
                    ? "its revert window was purged on " + when(h.purgedAt())
                    : "its revert window expired on " + when(h.expiresAt());
        long rows = h.isTable() ? heldRows(db, h) : tableRows(db, h.table());
        out.add(
            new DataLossRefused.Loss(
                m.revision(),
                (h.isTable() ? "table " : "column ") + h.what(),
                rows,
                "revision "
                    + m.revision()
                    + " cannot bring back "
                    + (h.isTable() ? "table " : "column ")
                    + h.what()
                    + " with its data: "
                    + ended
                    + ", so the downgrade re-adds it empty"
                    + (rows > 0
                        ? " (" + rows + (rows == 1 ? " row" : " rows") + " held it)"
                        : "")));
      }
    }
    return out;
  }

  private static long tableRows(TextSession db, String table) {
    String v =
        db.value(
            "SELECT CASE WHEN to_regclass("
                + Sql.literal(Sql.name(table))
                + ") IS NULL THEN '0' END");
    return v != null ? 0 : Long.parseLong(db.value("SELECT count(*) FROM " + Sql.name(table)));
  }

  private static long heldRows(TextSession db, HeldStore.Held h) {
    if (h.purgedAt() != null) {
      return 0;
    }
    String schema = Sql.schemaOf(h.table());
    return tableRows(db, schema == null ? h.heldName() : schema + "." + h.heldName());
  }

  /**
   * Refuses, changing nothing, the downgrade of a held NOT NULL column that rows written since the
   * contract left NULL (it had no default and the drop_column gave no {@code down:}).
   */
  void requireRestorable(TextSession db, List<Migration> plan, Set<String> expanded) {
    List<String> problems = new ArrayList<>();
    Instant now = clock.instant();
    for (Migration m : plan) {
      if (expanded.contains(m.revision())) {
        continue;
      }
      for (HeldStore.Held h : held(db, m).values()) {
        if (h.isTable() || !h.notNull() || h.purgedAt() != null || h.expiredAt(now)) {
          continue;
        }
        String c = Sql.ident(h.heldName());
        long nulls =
            Long.parseLong(
                db.value(
                    "SELECT count(*) FROM " + Sql.name(h.table()) + " WHERE " + c + " IS NULL"));
        if (nulls > 0) {
          problems.add(
              "column "
                  + h.what()
                  + " (revision "
                  + m.revision()
                  + ") was NOT NULL, but "
                  + nulls
                  + (nulls == 1 ? " row" : " rows")
                  + " written since it was held "
                  + (nulls == 1 ? "has" : "have")
                  + " no value for it (no default, no 'down:'). Give them one, e.g. UPDATE "
                  + Sql.name(h.table())
                  + " SET "
                  + c
                  + " = <value> WHERE "
                  + c
                  + " IS NULL, then downgrade again");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConvoyException(
          ErrorCode.BAD_INPUT,
          "downgrade refused: " + String.join("; ", problems) + ". Nothing was changed.");
    }
  }
}
