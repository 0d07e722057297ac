package dev.convoy.lint;

import dev.convoy.lint.SqlToken.Kind;
import dev.convoy.ops.RawSql;
import java.nio.charset.StandardCharsets;
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
  private final NotNullProofs proofs;
  private final List<Finding> out = new ArrayList<>();

  RawChecks(Revision rev, RawSql op, SqlStatement s, int line, NotNullProofs proofs) {
    this.rev = rev;
    this.proofs = proofs;
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
      add(Rule.VACUUM_FULL, lastName());
    }
    if (s.startsWith("DROP", "TABLE")) {
      add(Rule.DROP_TABLE, null);
    }
    if (s.startsWith("DROP", "DATABASE")) {
      add(Rule.DROP_DATABASE, null);
    }
    if (s.startsWith("DROP", "INDEX") && !t.is(2, "CONCURRENTLY") && !dropsOnlyNewIndexes()) {
      add(Rule.DROP_INDEX_NOT_CONCURRENT, null);
    }
    if (s.startsWith("REINDEX") && !t.has("CONCURRENTLY")) {
      String table = t.indexOf(0, "TABLE") > 0 ? lastName() : null;
      if (!rev.isNew(table)) {
        add(Rule.REINDEX_NOT_CONCURRENT, table);
      }
    }
    if (s.startsWith("TRUNCATE") && t.has("CASCADE")) {
      add(Rule.TRUNCATE_CASCADE, null);
    }
    if ((s.startsWith("CREATE", "DOMAIN") && t.hasAny("CHECK", "CONSTRAINT"))
        || (s.startsWith("ALTER", "DOMAIN") && t.has("ADD"))) {
      add(Rule.DOMAIN_CONSTRAINT, null);
    }
    if (s.startsWith("CREATE", "DOMAIN") && t.name(2) != null) {
      int at = t.name(2).next();
      new ColumnDefinition(t.from(t.is(at, "AS") ? at + 1 : at))
          .typeRules(false)
          .forEach(r -> add(r, null));
    }
    if (s.startsWith("ALTER", "TYPE") && t.has("ADD", "VALUE")) {
      add(Rule.ENUM_ADD_VALUE, null);
    }
    if (LockTimeout.overridden(t)) {
      add(Rule.LOCK_TIMEOUT_OVERRIDE, null);
    }
    if (t.list().stream()
        .anyMatch(k -> k.isName() && k.value().getBytes(StandardCharsets.UTF_8).length > 63)) {
      add(Rule.IDENTIFIER_TOO_LONG, null);
    }
    Statements.createTable(t).ifPresent(this::createTable);
    Statements.alterTable(t).ifPresent(this::alterTable);
    return out;
  }

  private void createTable(Statements.CreatedTable c) {
    List<String> pk = new ArrayList<>();
    for (Tokens e : c.elements()) {
      if (e.is(0, "PRIMARY", "KEY") || e.is(0, "CONSTRAINT") && e.has("PRIMARY", "KEY")) {
        pk.addAll(e.columnList(e.indexOf(0, "KEY") + 1));
      }
    }
    for (Tokens e : c.elements()) {
      if (isColumn(e)) {
        boolean soleKey = pk.size() == 1 && e.get(0).name().equals(pk.get(0));
        for (Rule r : new ColumnDefinition(e.from(1)).typeRules(soleKey)) {
          add(r, c.table());
        }
      }
    }
  }

  private void alterTable(Statements.AlteredTable a) {
    boolean isNew = rev.isNew(a.table());
    for (Tokens c : a.actions()) {
      if (c.is(0, "RENAME", "TO") || c.is(0, "SET", "SCHEMA")) {
        add(Rule.RENAME_TABLE, a.table());
      } else if (c.is(0, "RENAME") && !c.is(1, "CONSTRAINT")) {
        add(Rule.RENAME, a.table());
      } else if (c.is(0, "DROP") && !c.is(1, "CONSTRAINT")) {
        add(Rule.DROP_COLUMN, a.table());
      } else if (c.is(0, "ALTER") && (alterColumn(c, "TYPE") || alterColumn(c, "SET", "DATA"))) {
        int at = c.is(1, "COLUMN") ? 3 : 2;
        typeRules(new ColumnDefinition(c.from(at + (c.is(at, "TYPE") ? 1 : 3))), a.table());
        if (!isNew) {
          add(Rule.ALTER_TYPE, a.table());
        }
      } else if (isAddColumn(c)) {
        addColumn(new ColumnDefinition(c.from(columnTypeAt(c))), isNew, a.table());
      } else if (isNew) {
        continue;
      } else if (c.is(0, "ALTER") && alterColumn(c, "SET", "NOT", "NULL")) {
        SqlToken col = c.get(c.is(1, "COLUMN") ? 2 : 1);
        if (col == null || !proofs.proves(a.table(), col.name())) {
          add(Rule.SET_NOT_NULL, a.table());
        }
      } else if (c.is(0, "ALTER") && alterColumn(c, "DROP", "NOT", "NULL")) {
        add(Rule.DROP_NOT_NULL, a.table());
      } else if (c.is(0, "DETACH", "PARTITION") && !c.hasAny("CONCURRENTLY", "FINALIZE")) {
        add(Rule.DETACH_PARTITION_NOT_CONCURRENT, a.table());
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

  private void addColumn(ColumnDefinition d, boolean isNew, String table) {
    typeRules(d, table);
    if (isNew) {
      return;
    }
    if (d.notNullWithoutDefault()) {
      add(Rule.ADD_COLUMN_NOT_NULL, table);
    }
    if (d.fillsEveryRow()) {
      out.add(
          rev.finding(Rule.VOLATILE_DEFAULT, line, s.shown() + d.unknownDefaultNote()).on(table));
    }
    if (d.storedGenerated()) {
      add(Rule.GENERATED_COLUMN, table);
    }
    if (d.inlineConstraint()) {
      add(Rule.ADD_COLUMN_WITH_CONSTRAINT, table);
    }
  }

  private void typeRules(ColumnDefinition d, String table) {
    d.typeRules(false).forEach(r -> add(r, table));
  }

  private static boolean alterColumn(Tokens c, String... words) {
    return c.is(c.is(1, "COLUMN") ? 3 : 2, words);
  }

  /** {@code ADD [COLUMN] name type ...}, as opposed to {@code ADD [CONSTRAINT x] CHECK ...}. */
  static boolean isAddColumn(Tokens c) {
    if (!c.is(0, "ADD")) {
      return false;
    }
    if (c.is(1, "COLUMN")) {
      return true;
    }
    return isColumn(c.from(1));
  }

  /** Where the type starts in {@code ADD [COLUMN] [IF NOT EXISTS] name type}. */
  private static int columnTypeAt(Tokens c) {
    int i = c.is(1, "COLUMN") ? 2 : 1;
    if (c.is(i, "IF", "NOT", "EXISTS")) {
      i += 3;
    }
    return i + 1;
  }

  /** A column definition, as opposed to a table constraint or LIKE. */
  static boolean isColumn(Tokens e) {
    SqlToken first = e.get(0);
    return first != null
        && first.isName()
        && !(first.kind() == Kind.WORD
            && List.of("CONSTRAINT", "CHECK", "FOREIGN", "UNIQUE", "PRIMARY", "EXCLUDE", "LIKE")
                .contains(first.value()));
  }

  private boolean dropsOnlyNewIndexes() {
    int i = t.is(2, "IF", "EXISTS") ? 4 : 2;
    boolean any = false;
    for (Tokens part : t.from(i).splitCommas()) {
      Tokens.Name n = part.name(0);
      if (n == null || !rev.indexes().contains(n.name())) {
        return false;
      }
      any = true;
    }
    return any;
  }

  private String lastName() {
    SqlToken last = t.get(t.size() - 1);
    return last != null && last.isName() ? last.name() : null;
  }

  private void add(Rule rule, String table) {
    out.add(rev.finding(rule, line, s.shown()).on(table));
  }
}
