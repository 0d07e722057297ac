package dev.convoy.lint;

import dev.convoy.ops.RawSql;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The rules over one statement of a {@code sql} operation (or a .sql file's upgrade section). */
final class RawChecks {
  private final Revision rev;
  private final RawSql op;
  private final SqlStatement s;
  private final Tokens t;
  private final int line;
  private final List<Finding> out = new ArrayList<>();

  RawChecks(Revision rev, RawSql op, SqlStatement s, int line) {
    this.rev = rev;
    this.op = op;
    this.s = s;
    this.t = s.tokens();
    this.line = line;
  }

  List<Finding> findings() {
    if (t.has("CONCURRENTLY") && op.transactional() && rev.migration().transactional()) {
      add(Rule.CONCURRENTLY_IN_TRANSACTION, null);
    }
    Optional<Statements.CreatedIndex> ix = Statements.createdIndex(t);
    if (ix.isPresent() && !ix.get().concurrently() && !rev.isNew(ix.get().table())) {
      add(Rule.INDEX_NOT_CONCURRENT, ix.get().table());
    }
    if (s.startsWith("VACUUM") && t.has("FULL") || s.startsWith("CLUSTER")) {
      add(Rule.VACUUM_FULL, t.name(t.size() - 1) == null ? null : t.get(t.size() - 1).name());
    }
    if (s.startsWith("DROP", "TABLE")) {
      add(Rule.DROP_TABLE, null);
    }
    Statements.alterTable(t).ifPresent(this::alterTable);
    return out;
  }

  private void alterTable(Statements.AlteredTable a) {
    boolean isNew = rev.isNew(a.table());
    for (Tokens c : a.actions()) {
      if (c.is(0, "RENAME")) {
        add(Rule.RENAME, a.table());
      } else if (c.is(0, "DROP", "COLUMN")) {
        add(Rule.DROP_COLUMN, a.table());
      } else if (isNew) {
        continue;
      } else if (isAddColumn(c)) {
        if (c.has("NOT", "NULL") && !c.has("DEFAULT")) {
          add(Rule.ADD_COLUMN_NOT_NULL, a.table());
        }
      } else if (c.is(0, "ALTER") && setNotNull(c)) {
        add(Rule.SET_NOT_NULL, a.table());
      } else if (c.is(0, "ALTER") && c.hasAny("TYPE")) {
        add(Rule.ALTER_TYPE, a.table());
      } else if (c.is(0, "ADD")
          && (c.has("CHECK") || c.has("FOREIGN", "KEY"))
          && !c.has("NOT", "VALID")) {
        add(Rule.CONSTRAINT_NOT_VALID, a.table());
      } else if (c.is(0, "ADD")
          && (c.has("UNIQUE") || c.has("PRIMARY", "KEY"))
          && !c.has("USING", "INDEX")) {
        add(Rule.UNIQUE_WITHOUT_INDEX, a.table());
      }
    }
  }

  private static boolean setNotNull(Tokens c) {
    int i = c.is(1, "COLUMN") ? 3 : 2;
    return c.is(i, "SET", "NOT", "NULL");
  }

  /** {@code ADD [COLUMN] name type ...}, as opposed to {@code ADD [CONSTRAINT x] CHECK ...}. */
  static boolean isAddColumn(Tokens c) {
    if (!c.is(0, "ADD")) {
      return false;
    }
    if (c.is(1, "COLUMN")) {
      return true;
    }
    SqlToken next = c.get(1);
    return next != null
        && next.isName()
        && !List.of("CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE")
            .contains(next.kind() == SqlToken.Kind.WORD ? next.value() : "");
  }

  private void add(Rule rule, String table) {
    out.add(rev.finding(rule, line, s.shown()).on(table));
  }
}
