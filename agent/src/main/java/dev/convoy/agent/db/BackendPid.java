package dev.convoy.agent.db;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The PostgreSQL server process behind a connection, as {@code pg_stat_activity}, {@code pg_locks}
 * and {@code pg_blocking_pids} name it. Connected directly, that is the pid the server announced at
 * startup ({@link TextSession#pid}); through a pooler it is not (PgBouncer announces a pid of its
 * own), so it is asked once per connection ({@code SELECT pg_backend_pid()}) and remembered. Only
 * meaningful where session state holds (see {@link PoolerCheck}): in session pooling one client
 * connection keeps one server process.
 */
public final class BackendPid {
  /** Per connection object, forgotten with it. */
  private static final Map<Object, Integer> KNOWN =
      Collections.synchronizedMap(new WeakHashMap<>());

  private BackendPid() {}

  /** The server process of {@code session}. */
  public static int of(TextSession session) {
    Integer known = KNOWN.get(session);
    if (known != null) {
      return known;
    }
    int pid = ask(session);
    KNOWN.put(session, pid);
    return pid;
  }

  /** The server process of {@code session}. */
  public static int of(PgSession session) {
    Integer known = KNOWN.get(session);
    if (known != null) {
      return known;
    }
    int pid = session.query("SELECT pg_backend_pid()").iterator().next().getInteger(0);
    KNOWN.put(session, pid);
    return pid;
  }

  /** Asks the server which process serves this statement (not remembered). */
  static int ask(TextSession session) {
    return Integer.parseInt(session.value("SELECT pg_backend_pid()::text"));
  }

  /** Records what {@link PoolerCheck} already asked, saving the round trip. */
  static void remember(TextSession session, int pid) {
    KNOWN.put(session, pid);
  }
}
