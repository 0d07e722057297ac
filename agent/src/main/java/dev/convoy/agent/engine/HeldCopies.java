package dev.convoy.agent.engine;

import dev.convoy.agent.db.BackendPid;
import dev.convoy.agent.db.PgSession;
import dev.convoy.agent.db.TextSession;
import dev.convoy.agent.lock.MigrationLock;
import dev.convoy.agent.state.HeldStore;
import dev.convoy.ops.Hold;
import dev.convoy.ops.Sql;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What contracts keep for the revert window, for {@code convoy check} (listed with their size) and
 * {@code convoy purge} (dropped). A purge takes the migration lock, so it never races a downgrade
 * bringing a copy back, then drops each copy in its own short transaction under the engine's
 * lock_timeout, retried as every DDL step is ({@link LockRetry}), and marks its row purged.
 */
public final class HeldCopies {
  private final EngineConfig config;
  private final HeldStore store;

  public HeldCopies(EngineConfig config) {
    this.config = config;
    this.store = new HeldStore(config.schema());
  }

  /** One held copy, its size, and whether its window is over (by the engine's clock). */
  public record Copy(HeldStore.Held held, HeldStore.Size size, boolean expired) {}

  /** Which copies a purge drops: expired ones (the default), all, or one revision's. */
  public record Selection(boolean all, String revision) {
    public static final Selection EXPIRED = new Selection(false, null);

    boolean takes(Copy c) {
      return revision != null ? revision.equals(c.held().revision()) : all || c.expired();
    }
  }

  /** Every copy still held, oldest first, with its size. Takes no lock and changes nothing. */
  public List<Copy> list() {
    try (TextSession db = PgSession.openText(config.url(), config.who().applicationName("check"))) {
      return list(db);
    }
  }

  private List<Copy> list(TextSession db) {
    Instant now = config.clock().instant();
    List<Copy> out = new ArrayList<>();
    for (HeldStore.Held h : store.all(db)) {
      if (h.purgedAt() == null) {
        out.add(new Copy(h, store.size(db, h), h.expiredAt(now)));
      }
    }
    return out;
  }

  /**
   * Drops the selected copies ({@code dryRun}: only says which); returns them with the size each
   * took.
   */
  public List<Copy> purge(Selection selection, boolean dryRun, MigrationListener listener) {
    try (TextSession db = PgSession.openText(config.url(), config.who().applicationName("purge"));
        MigrationLock lock = new MigrationLock(db, config.schema());
        LockRetry retry =
            new LockRetry(
                () -> null,
                config.url(),
                config.who().applicationName("watch"),
                config.lockTimeout(),
                config.lockRetries(),
                listener)) {
      if (!dryRun) {
        lock.acquire(listener::waitingForLock, () -> false);
      }
      List<Copy> chosen = list(db).stream().filter(selection::takes).toList();
      if (dryRun) {
        return chosen;
      }
      for (Copy c : chosen) {
        HeldStore.Held h = c.held();
        String sql = hold(h).discardSql(h.table(), h.isTable() ? null : h.column());
        retry.run(
            "purge " + h.what(),
            BackendPid.of(db),
            () -> {
              Optional<TextSession.Failure> failed =
                  db.pipeline(
                      List.of(
                          "BEGIN; SET LOCAL lock_timeout = "
                              + Sql.literal(config.lockTimeout().toMillis() + "ms"),
                          sql,
                          "COMMIT"));
              if (failed.isPresent()) {
                throw failed.get().error();
              }
              return null;
            });
      }
      return chosen;
    }
  }

  private Hold hold(HeldStore.Held h) {
    Duration kept = Duration.between(h.heldAt(), h.expiresAt());
    return new Hold(
        config.schema(),
        h.revision(),
        h.opIndex(),
        kept.isNegative() || kept.isZero() ? Duration.ofMillis(1) : kept,
        Hold.Found.NOTHING);
  }
}
