package dev.convoy.agent.state;

import dev.convoy.ops.Sql;

/**
 * The checks a distributed command's work transaction makes before it changes anything, as SQL run
 * inside that transaction: no newer coordinator epoch than the command's has been seen here (the
 * {@code fence}), and the command's row in the {@code ledger} is still {@code running} (not
 * finished, not superseded by a newer command). Either failing raises an error, so the transaction
 * commits nothing.
 *
 * <p>Two strengths. {@link #exclusive} raises the fence to the command's epoch (a row lock on the
 * fence): for the revision and step transactions, which run one at a time. {@link #shared} only
 * reads both rows {@code FOR SHARE}: for backfill batches, whose parallel workers must not queue on
 * one row, and before a statement that runs outside any transaction. In both, the row locks hold
 * until the transaction ends, so a newer coordinator's fence raise or a newer command's claim (both
 * updates of those rows) waits for the work in flight and every later transaction sees it.
 */
public final class WorkFence {
  private final String q;
  private final StateStore state;
  private final Who who;

  public WorkFence(String schema, Who who) {
    this.q = Sql.ident(schema);
    this.state = new StateStore(schema);
    this.who = who;
  }

  /** False outside distributed mode (no epoch): there is nothing to check. */
  public boolean active() {
    return who.epoch() != null;
  }

  /** Checks and raises the fence, and checks the ledger row; empty when not {@link #active}. */
  public String exclusive() {
    if (!active()) {
      return "";
    }
    return state.fenceSql(who.epoch()) + ledgerSql();
  }

  /** Checks the fence and the ledger row under share locks; empty when not {@link #active}. */
  public String shared() {
    if (!active()) {
      return "";
    }
    long epoch = who.epoch();
    return "DO $convoy$ DECLARE seen bigint; BEGIN SELECT epoch INTO seen FROM "
        + q
        + ".fence WHERE id = 1 FOR SHARE; IF seen > "
        + epoch
        + " THEN RAISE EXCEPTION 'stale coordinator: epoch "
        + epoch
        + " is older than epoch % this database has seen; this work stops and commits nothing',"
        + " seen USING ERRCODE = '40001'; END IF; END $convoy$"
        + ledgerSql();
  }

  /** The ledger check (with a leading separator), or empty when the command has no step. */
  private String ledgerSql() {
    if (who.step() == null || who.planId() == null) {
      return "";
    }
    String plan = Sql.literal(who.planId());
    if (plan.contains("$convoy")) {
      throw new IllegalArgumentException("plan id " + plan + " contains '$convoy'");
    }
    String key =
        who.planId().replace("'", "''") + "#" + who.step() + " (epoch " + who.epoch() + ")";
    return ";\nDO $convoy$ DECLARE s text; BEGIN SELECT state INTO s FROM "
        + q
        + ".ledger WHERE plan = "
        + plan
        + " AND step = "
        + who.step()
        + " AND epoch = "
        + who.epoch()
        + " FOR SHARE; IF s IS DISTINCT FROM 'running' THEN RAISE EXCEPTION 'command "
        + key.replace("%", "%%")
        + " is % in this database''s command ledger, not running: none of its work may commit"
        + " any more', coalesce(s, 'missing') USING ERRCODE = '40001'; END IF; END $convoy$";
  }
}
