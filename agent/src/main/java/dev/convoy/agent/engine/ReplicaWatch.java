package dev.convoy.agent.engine;

import dev.convoy.agent.db.PgSession;
import dev.convoy.config.Durations;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Tells a backfill to wait while a streaming replica is more than {@code limit} behind: reads
 * {@code pg_stat_replication} (at most once per {@code checkEvery}, whichever worker asks) and
 * takes for each replica that has not replayed all the primary wrote the larger of the server's
 * {@code replay_lag} and the time since the primary's WAL passed the replica's {@code replay_lsn}
 * (see {@link WalHistory}); one that has replayed everything is not behind. Seeing the replicas'
 * positions needs the {@code pg_monitor} role (or superuser); without it the positions read as NULL
 * and no replica is judged.
 */
final class ReplicaWatch {
  private static final String REPLICAS =
      "SELECT coalesce(nullif(application_name, ''), client_addr::text, pid::text) AS name,"
          + " extract(epoch FROM replay_lag) * 1000 AS replay_lag_ms,"
          + " pg_wal_lsn_diff(replay_lsn, '0/0')::bigint AS replay,"
          + " pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS current"
          + " FROM pg_stat_replication WHERE state = 'streaming'";
  private static final String CURRENT =
      "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint";

  /** A replica further behind than the limit. */
  record Behind(String replica, Duration lag, Duration limit) {
    String describe() {
      return "replica "
          + replica
          + " is "
          + Durations.human(lag)
          + " behind, limit "
          + Durations.human(limit);
    }
  }

  private final Duration limit;
  private final Duration checkEvery;
  private final Clock clock;
  private final WalHistory history = new WalHistory();
  private Instant lastCheck;
  private Optional<Behind> last = Optional.empty();

  ReplicaWatch(Duration limit, Duration checkEvery, Clock clock) {
    this.limit = limit;
    this.checkEvery = checkEvery;
    this.clock = clock;
  }

  /** Off when the limit is zero. */
  boolean enabled() {
    return !limit.isZero();
  }

  /**
   * The replica furthest behind, when it is behind by more than the limit; the last answer when
   * asked again within {@code checkEvery}.
   */
  synchronized Optional<Behind> check(PgSession db) {
    if (!enabled()) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (lastCheck != null && Duration.between(lastCheck, now).compareTo(checkEvery) < 0) {
      return last;
    }
    lastCheck = now;
    Behind worst = null;
    boolean any = false;
    for (Row r : db.query(REPLICAS)) {
      any = true;
      history.record(now, r.getLong("current"));
      Long replay = r.getLong("replay");
      if (replay == null) {
        continue;
      }
      Duration lag = Duration.ZERO;
      // A replica that has replayed all the primary wrote is not behind, whatever replay_lag
      // still shows: the server keeps its last measure for a while after a replica caught up.
      if (replay < r.getLong("current")) {
        lag = history.behind(replay, now);
        Number serverLag = (Number) r.getValue("replay_lag_ms");
        if (serverLag != null && serverLag.doubleValue() > lag.toMillis()) {
          lag = Duration.ofMillis(serverLag.longValue());
        }
      }
      if (worst == null || lag.compareTo(worst.lag()) > 0) {
        worst = new Behind(r.getString("name"), lag, limit);
      }
    }
    if (!any) {
      // No replica now: remember where the primary is, for one that connects later.
      history.record(now, db.query(CURRENT).iterator().next().getLong(0));
    }
    last =
        worst != null && worst.lag().compareTo(limit) > 0 ? Optional.of(worst) : Optional.empty();
    return last;
  }
}
