package dev.convoy.agent.engine;

import dev.convoy.agent.state.StateStore;
import dev.convoy.error.ConvoyException;
import dev.convoy.error.ErrorCode;
import dev.convoy.graph.Planner;
import dev.convoy.graph.RevisionGraph;
import dev.convoy.migration.Migration;
import dev.convoy.migration.Reversibility;
import dev.convoy.ops.Sql;
import dev.convoy.ops.Statement;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Offline mode: the SQL an upgrade or downgrade would run, as a script for a DBA to review or run
 * with psql. Needs no connection: the starting point is given ({@code start:end}) or is base.
 */
public final class OfflineSql {
  private final RevisionGraph graph;
  private final StateStore state;
  private final Duration lockTimeout;
  private final Holds holds;

  public OfflineSql(RevisionGraph graph, String schema, Duration lockTimeout) {
    this(graph, schema, lockTimeout, EngineConfig.DEFAULT_REVERT_WINDOW);
  }

  /**
   * {@code revertWindow}: an upgrade's drops are shown as the renames that keep them (zero: as the
   * drops). A downgrade is shown as it runs outside any window (the column or table re-added
   * empty): offline, what is held is not known.
   */
  public OfflineSql(
      RevisionGraph graph, String schema, Duration lockTimeout, Duration revertWindow) {
    this.graph = graph;
    this.state = new StateStore(schema);
    this.lockTimeout = lockTimeout;
    this.holds = new Holds(schema, revertWindow, java.time.Clock.systemUTC());
  }

  /** {@code range} is {@code end} (from base) or {@code start:end}. */
  public String upgrade(String range) {
    String[] r = split(range, false);
    List<String> from = heads(r[0]);
    List<Migration> plan = new Planner(graph).upgrade(from, r[1]);
    StringBuilder out = header("upgrade", r[0] == null ? "base" : r[0], r[1]);
    if (from.isEmpty()) {
      out.append("-- Convoy's state tables\n").append(state.ddl()).append(";\n\n");
    } else if (plan.stream().anyMatch(m -> holds.upgrade(m) != m)) {
      out.append("-- Convoy's table of what contracts keep for the revert window\n")
          .append(dev.convoy.agent.state.HeldStore.ddl(Sql.ident(state.schema())))
          .append(";\n\n");
    }
    return script(out, from, plan, Direction.UPGRADE);
  }

  /** {@code range} must be {@code start:end}: offline, the current revision is not known. */
  public String downgrade(String range) {
    String[] r = split(range, true);
    List<String> from = heads(r[0]);
    List<Migration> plan = new Planner(graph).downgrade(from, r[1]);
    for (Migration m : plan) {
      Reversibility.refusal(m).ifPresent(OfflineSql::fail);
    }
    return script(header("downgrade", r[0], r[1]), from, plan, Direction.DOWNGRADE);
  }

  private String script(
      StringBuilder out, List<String> from, List<Migration> plan, Direction direction) {
    Set<String> applied = new LinkedHashSet<>(graph.closure(from));
    for (Migration planned : plan) {
      Migration m = direction == Direction.UPGRADE ? holds.upgrade(planned) : planned;
      if (direction == Direction.UPGRADE) {
        applied.add(m.revision());
      } else {
        applied.remove(m.revision());
      }
      out.append("-- ")
          .append(direction.word())
          .append(' ')
          .append(m.revision())
          .append(": ")
          .append(m.message())
          .append(" (")
          .append(m.file())
          .append(")\n");
      if (!StepRunner.phased(m)) {
        out.append("BEGIN;\nSET LOCAL lock_timeout = ")
            .append(Sql.literal(lockTimeout.toMillis() + "ms"))
            .append(";\n");
        for (RevisionRunner.Step s : RevisionRunner.steps(m, direction, false)) {
          statement(out, s.statement().sql());
        }
      } else {
        out.append("-- phased: each group below commits on its own; a statement marked\n")
            .append(
                "-- CONCURRENTLY runs outside a transaction; backfills run online in batches.\n")
            .append("SET lock_timeout = ")
            .append(Sql.literal(lockTimeout.toMillis() + "ms"))
            .append(";\n");
        List<StepRunner.Group> groups =
            direction == Direction.UPGRADE
                ? StepRunner.upgradeGroups(m)
                : StepRunner.downgradeGroups(m, allOps(m), true);
        for (StepRunner.Group g : groups) {
          out.append("-- ").append(g.phase().word()).append(": ").append(g.describe()).append('\n');
          boolean tx = g.kind() == StepRunner.Kind.TX;
          if (tx) {
            out.append("BEGIN;\n");
          }
          for (Statement s : dev.convoy.ops.Steps.statements(g.steps())) {
            if (s.generated()) {
              generated(out, s.sql());
            } else {
              statement(out, s.sql());
            }
          }
          if (tx) {
            out.append("COMMIT;\n");
          }
        }
        out.append("BEGIN;\n");
      }
      out.append(state.setHeadsSql(graph.headsOf(applied))).append(";\n");
      out.append(historySql(m, direction)).append(";\nCOMMIT;\n\n");
    }
    if (plan.isEmpty()) {
      out.append("-- nothing to do\n");
    }
    return out.toString();
  }

  private static void statement(StringBuilder out, String sql) {
    String s = sql.strip();
    out.append(s).append(s.endsWith(";") ? "\n" : ";\n");
  }

  /**
   * A statement derived from the catalog when it runs (the indexes a type change copies): the query
   * that derives it, for psql's {@code \gexec} to run each statement it returns.
   */
  private static void generated(StringBuilder out, String query) {
    out.append("-- derived from the catalog at run time: each row of this query is a statement,\n")
        .append("-- run on its own outside a transaction (psql's \\gexec does exactly that)\n")
        .append(query.strip())
        .append("\n\\gexec\n");
  }

  private static java.util.Set<Integer> allOps(Migration m) {
    java.util.Set<Integer> all = new java.util.HashSet<>();
    for (int i = 0; i < m.operations().size(); i++) {
      all.add(i);
    }
    return all;
  }

  private String historySql(Migration m, Direction d) {
    return "INSERT INTO "
        + Sql.ident(state.schema())
        + ".history (revision, direction, phase, checksum, file, message, started_at,"
        + " finished_at, success, host, agent_id) VALUES ("
        + String.join(
            ", ",
            Sql.literal(m.revision()),
            Sql.literal(d.word()),
            "'applied'",
            Sql.literal(m.checksum()),
            Sql.literal(m.file()),
            Sql.literal(m.message()),
            "now()",
            "now()",
            "true",
            "inet_client_addr()::text",
            "'offline-sql'")
        + ")";
  }

  private StringBuilder header(String verb, String start, String end) {
    return new StringBuilder("-- Convoy offline ")
        .append(verb)
        .append(": ")
        .append(start)
        .append(" -> ")
        .append(end)
        .append("\n-- Review, then run with: psql -v ON_ERROR_STOP=1 -f <this file>\n\n");
  }

  private List<String> heads(String start) {
    if (start == null || start.equals("base")) {
      return List.of();
    }
    if (start.equals("heads")) {
      return graph.heads();
    }
    String one = new Planner(graph).resolveOne(start, List.of());
    return one == null ? List.of() : List.of(one);
  }

  private static String[] split(String range, boolean startRequired) {
    int colon = range.indexOf(':');
    if (colon < 0) {
      if (startRequired) {
        fail(
            "offline downgrade needs a range start:end (for example 'head:-1' or 'head:base'):"
                + " without a connection the current revision is not known");
      }
      return new String[] {null, range};
    }
    String start = range.substring(0, colon);
    String end = range.substring(colon + 1);
    if (end.isEmpty()) {
      fail("range '" + range + "' has no end; write start:end, e.g. base:head");
    }
    if (end.startsWith("-") && !start.isEmpty()) {
      // A relative end counts from the start of the range.
      end = start + end;
    }
    return new String[] {start.isEmpty() ? null : start, end};
  }

  private static void fail(String message) {
    throw new ConvoyException(ErrorCode.BAD_INPUT, message);
  }
}
