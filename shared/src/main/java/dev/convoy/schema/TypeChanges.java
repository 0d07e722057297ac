package dev.convoy.schema;

import dev.convoy.ops.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Enums and sequences. New ones are created first; dropped ones last, in the contract phase after
 * the tables that used them. A serial column's own sequence is left to the column.
 */
final class TypeChanges {
  private final Plan plan;
  private final Schema from;
  private final Schema to;

  TypeChanges(Plan plan, Schema from, Schema to) {
    this.plan = plan;
    this.from = from;
    this.to = to;
  }

  void diff() {
    new TreeMap<>(to.enums())
        .forEach(
            (n, e) -> {
              EnumType old = from.enums().get(n);
              if (old == null) {
                plan.add(
                    DiffOrder.ENUM_CREATE,
                    "create enum " + n + " (" + String.join(", ", e.labels()) + ")",
                    new OpYaml()
                        .sql(
                            SchemaSql.createEnum(e),
                            "DROP TYPE IF EXISTS " + Sql.name(n),
                            true,
                            false),
                    false);
              } else if (!old.labels().equals(e.labels())) {
                labels(n, old.labels(), e.labels());
              }
            });
    new TreeMap<>(from.enums())
        .forEach(
            (n, e) -> {
              if (!to.enums().containsKey(n)) {
                plan.add(
                    DiffOrder.ENUM_DROP,
                    "drop enum " + n,
                    new OpYaml()
                        .sql(
                            "DROP TYPE IF EXISTS " + Sql.name(n),
                            SchemaSql.createEnum(e),
                            true,
                            true),
                    false);
              }
            });
    Serials fromSerials = new Serials(from);
    Serials toSerials = new Serials(to);
    new TreeMap<>(to.sequences())
        .forEach(
            (n, s) -> {
              Sequence old = from.sequences().get(n);
              if (old == null) {
                if (!(toSerials.isSerialSequence(s) && !columnExists(from, s.ownedBy()))) {
                  createSequence(s);
                }
              } else {
                alterSequence(old, s);
              }
            });
    new TreeMap<>(from.sequences())
        .forEach(
            (n, s) -> {
              if (!to.sequences().containsKey(n)
                  && !(fromSerials.isSerialSequence(s) && !columnExists(to, s.ownedBy()))) {
                dropSequence(s);
              }
            });
  }

  private static boolean columnExists(Schema schema, String tableColumn) {
    int dot = tableColumn.lastIndexOf('.');
    Table t = schema.tables().get(tableColumn.substring(0, dot));
    return t != null && t.columns().containsKey(tableColumn.substring(dot + 1));
  }

  /**
   * Labels added in place when the old ones keep their order (each ADD VALUE alone, outside a
   * transaction, so later operations may use it); otherwise the type is recreated.
   */
  private void labels(String name, List<String> old, List<String> now) {
    if (!isSubsequence(old, now)) {
      List<String> uses = new ArrayList<>(EnumUses.beyondColumns(from, name));
      EnumUses.beyondColumns(to, name).stream().filter(u -> !uses.contains(u)).forEach(uses::add);
      if (!uses.isEmpty()) {
        throw new dev.convoy.error.ConvoyException(
            dev.convoy.error.ErrorCode.BAD_INPUT,
            "enum "
                + name
                + " drops or reorders labels ("
                + String.join(", ", old)
                + " -> "
                + String.join(", ", now)
                + "), so it must be recreated, and recreating converts plain columns only: it is"
                + " also used by "
                + String.join(", ", uses)
                + "; keep the old labels in their order (new ones may be added anywhere) or"
                + " write this change by hand as a sql operation");
      }
      plan.add(
          DiffOrder.ENUM_ALTER,
          "recreate enum " + name + " (" + String.join(", ", now) + ")",
          new OpYaml()
              .comment(
                  "PostgreSQL cannot drop or reorder an enum label: the type is recreated and"
                      + " every column of it converted (a rewrite under lock); it fails if a row"
                      + " holds a label that is gone")
              .sql(
                  SchemaSql.recreateEnum(name, now),
                  SchemaSql.recreateEnum(name, old),
                  true,
                  false),
          false);
      return;
    }
    List<String> current = new ArrayList<>(old);
    for (int i = 0; i < now.size(); i++) {
      String label = now.get(i);
      if (current.contains(label)) {
        continue;
      }
      String where =
          i > 0
              ? " AFTER " + Sql.literal(now.get(i - 1))
              : current.isEmpty() ? "" : " BEFORE " + Sql.literal(current.get(0));
      String down = SchemaSql.recreateEnum(name, current);
      current.add(i, label);
      plan.add(
          DiffOrder.ENUM_ALTER,
          "add label " + label + " to enum " + name,
          new OpYaml()
              .comment(
                  "PostgreSQL cannot drop an enum label: the downgrade recreates "
                      + name
                      + " without it (and fails if a row holds it)")
              .sql(
                  "ALTER TYPE "
                      + Sql.name(name)
                      + " ADD VALUE IF NOT EXISTS "
                      + Sql.literal(label)
                      + where,
                  down,
                  false,
                  false),
          false);
    }
  }

  private static boolean isSubsequence(List<String> small, List<String> big) {
    int j = 0;
    for (String s : big) {
      if (j < small.size() && small.get(j).equals(s)) {
        j++;
      }
    }
    return j == small.size();
  }

  private void createSequence(Sequence s) {
    plan.add(
        DiffOrder.SEQUENCE_CREATE,
        "create sequence " + s.name(),
        new OpYaml()
            .sql(
                SchemaSql.createSequence(s),
                "DROP SEQUENCE IF EXISTS " + Sql.name(s.name()),
                true,
                false),
        false);
    owner(s.name(), null, s.ownedBy());
  }

  private void alterSequence(Sequence old, Sequence now) {
    Sequence oldOptions = withOwner(old, null);
    Sequence nowOptions = withOwner(now, null);
    if (!withComment(oldOptions, null).equals(withComment(nowOptions, null))) {
      plan.add(
          DiffOrder.SEQUENCE_ALTER,
          "alter sequence " + now.name(),
          new OpYaml().sql(SchemaSql.alterSequence(now), SchemaSql.alterSequence(old), true, false),
          false);
    }
    owner(now.name(), old.ownedBy(), now.ownedBy());
  }

  private void dropSequence(Sequence s) {
    owner(s.name(), s.ownedBy(), null);
    plan.add(
        DiffOrder.SEQUENCE_DROP,
        "drop sequence " + s.name(),
        new OpYaml()
            .sql(
                "DROP SEQUENCE IF EXISTS " + Sql.name(s.name()),
                SchemaSql.createSequence(s),
                true,
                true),
        false);
  }

  private void owner(String name, String old, String now) {
    if (Objects.equals(old, now)) {
      return;
    }
    String alter = "ALTER SEQUENCE " + Sql.name(name) + " OWNED BY ";
    plan.add(
        DiffOrder.SEQUENCE_OWNER,
        "sequence " + name + " owned by " + (now == null ? "nothing" : now),
        new OpYaml()
            .sql(alter + SchemaSql.ownedBy(now), alter + SchemaSql.ownedBy(old), true, false),
        false);
  }

  private static Sequence withOwner(Sequence s, String owner) {
    return new Sequence(
        s.name(),
        s.type(),
        s.start(),
        s.increment(),
        s.min(),
        s.max(),
        s.cache(),
        s.cycle(),
        owner,
        s.comment());
  }

  private static Sequence withComment(Sequence s, String comment) {
    return new Sequence(
        s.name(),
        s.type(),
        s.start(),
        s.increment(),
        s.min(),
        s.max(),
        s.cache(),
        s.cycle(),
        s.ownedBy(),
        comment);
  }
}
