package dev.convoy.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A rate-limited, open-loop workload modelling the OLD application: it knows the table {@code
 * author (id, name, visits)} and nothing of any column a migration adds.
 *
 * <pre>java -jar load.jar URL RATE SECONDS OUT.csv</pre>
 *
 * <p>Transaction {@code i} (0-based) is due at {@code t0 + i / RATE}: the schedule is fixed in
 * advance, whatever the database does. {@code THREADS} workers (default 8, one connection each,
 * autocommit) take the next due transaction, wait for its time if it is in the future, run it and
 * record its latency <em>from its intended start</em>. When every connection is stuck behind a
 * lock the due transactions queue up and their wait counts in their latency, so a stall shows in
 * full instead of being hidden by coordinated omission (the load stops "asking" while it waits).
 *
 * <p>What each transaction does is drawn at random from the workload ({@code LOAD_WORKLOAD}), each
 * one a class of old application that hurts a backfill of {@code email} from {@code name}
 * differently:
 *
 * <ul>
 *   <li>{@code update-read-column}: {@code UPDATE author SET name = ? WHERE id = ?}, the column the
 *       backfill reads: the same rows, so row locks meet;
 *   <li>{@code update-other}: {@code UPDATE author SET visits = visits + 1 WHERE id = ?}, a column
 *       the backfill does not read: the same rows, but nothing for the fill trigger to do;
 *   <li>{@code insert}: {@code INSERT INTO author (name) VALUES (?)}: new pages and index entries
 *       at the table's end, where the backfill's new row versions go too;
 *   <li>{@code mix} (default): 50% {@code SELECT name FROM author WHERE id = ?}, 20% inserts, 15%
 *       updates of name, 15% updates of visits;
 *   <li>{@code insert-update}: 50% inserts, 50% updates of name (the first version's workload).
 * </ul>
 *
 * <p>Ids are random between 1 and the largest id seen (existing rows). Errors (lock timeouts,
 * constraint violations, lost connections) are recorded with their SQLSTATE, counted and
 * reported. Reads are recorded with kind {@code read}, so writes can be told apart.
 *
 * <p>It stops taking new transactions after SECONDS, or as soon as it gets SIGTERM / SIGINT;
 * either way it finishes the transactions already taken and writes OUT.csv:
 * {@code intended_start_ms,latency_ms,ok,kind,sqlstate} with epoch milliseconds (the same clock
 * as {@code date +%s%N}). A summary goes to stderr; the line {@code load: started} marks the
 * moment the schedule begins.
 *
 * <p>URL: {@code postgresql://user[:password]@host[:port]/db} or a {@code jdbc:postgresql:} URL.
 * Environment: {@code LOAD_THREADS} (default 8), {@code LOAD_WORKLOAD} (default mix).
 */
public final class Load {

  private static final String INSERT = "INSERT INTO author (name) VALUES (?) RETURNING id";
  private static final String UPDATE = "UPDATE author SET name = ? WHERE id = ?";
  private static final String UPDATE_OTHER = "UPDATE author SET visits = visits + 1 WHERE id = ?";
  private static final String READ = "SELECT name FROM author WHERE id = ?";

  /** Kinds of transaction, as recorded in the CSV. */
  private static final byte INSERT_TX = 'I';

  private static final byte UPDATE_TX = 'U';
  private static final byte OTHER_TX = 'O';
  private static final byte READ_TX = 'R';

  /**
   * A workload: percent of inserts, updates of name, updates of visits; the rest reads. Unknown
   * names are refused in main.
   */
  static int[] mixOf(String workload) {
    return switch (workload) {
      case "update-read-column" -> new int[] {0, 100, 0};
      case "update-other" -> new int[] {0, 0, 100};
      case "insert" -> new int[] {100, 0, 0};
      case "mix" -> new int[] {20, 15, 15};
      case "insert-update" -> new int[] {50, 50, 0};
      default -> null;
    };
  }

  private final int[] mix;

  private final String jdbcUrl;
  private final Properties props;
  private final double rate;
  private final int total;
  private final int threads;

  // One slot per scheduled transaction; a slot is written only by the worker that took it.
  private final double[] latencyMs;
  private final byte[] status; // 0 = not run, 1 = ok, 2 = error
  private final byte[] kind; // INSERT_TX, UPDATE_TX, OTHER_TX or READ_TX
  private final String[] sqlState;

  private final AtomicLong next = new AtomicLong();
  private final AtomicLong maxId = new AtomicLong();
  private volatile long stopNanos = Long.MAX_VALUE;
  private final Map<String, String> firstMessage = new TreeMap<>();

  private long t0Nanos;
  private double t0EpochMs;

  private Load(String url, double rate, double seconds, int threads, int[] mix) {
    this.mix = mix;
    String[] parsed = toJdbc(url);
    this.jdbcUrl = parsed[0];
    this.props = new Properties();
    if (parsed[1] != null) props.setProperty("user", parsed[1]);
    if (parsed[2] != null) props.setProperty("password", parsed[2]);
    props.setProperty("ApplicationName", "convoy-bench-load");
    props.setProperty("tcpKeepAlive", "true");
    this.rate = rate;
    this.total = (int) Math.floor(rate * seconds);
    this.threads = threads;
    this.latencyMs = new double[total];
    this.status = new byte[total];
    this.kind = new byte[total];
    this.sqlState = new String[total];
  }

  /** Returns {jdbcUrl, user or null, password or null}. */
  static String[] toJdbc(String url) {
    if (url.startsWith("jdbc:")) return new String[] {url, null, null};
    URI u = URI.create(url.replaceFirst("^postgres(ql)?://", "http://"));
    String user = null;
    String password = null;
    if (u.getRawUserInfo() != null) {
      String[] ui = u.getRawUserInfo().split(":", 2);
      user = URLDecoder.decode(ui[0], StandardCharsets.UTF_8);
      if (ui.length > 1) password = URLDecoder.decode(ui[1], StandardCharsets.UTF_8);
    }
    String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
    int port = u.getPort() < 0 ? 5432 : u.getPort();
    String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
    String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
    return new String[] {"jdbc:postgresql://" + host + ":" + port + "/" + db + query, user, password};
  }

  private long intendedNanos(long i) {
    return t0Nanos + Math.round(i * 1e9 / rate);
  }

  private Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, props);
    c.setAutoCommit(true);
    return c;
  }

  private void run(Path out) throws Exception {
    Connection[] conns = new Connection[threads];
    for (int t = 0; t < threads; t++) conns[t] = connect();
    try (Statement s = conns[0].createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(id), 0) FROM author")) {
      rs.next();
      maxId.set(Math.max(1, rs.getLong(1)));
    }

    CountDownLatch written = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // SIGTERM / SIGINT: take no new transactions, let main finish and write the CSV.
                  stopNanos = System.nanoTime();
                  try {
                    written.await(120, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "load-stop"));

    Instant now = Instant.now();
    t0Nanos = System.nanoTime() + 20_000_000L; // first transaction due 20 ms from now
    t0EpochMs = now.getEpochSecond() * 1000.0 + now.getNano() / 1e6 + 20.0;
    System.err.printf(
        Locale.ROOT,
        "load: started %.3f rate=%s/s txs=%d threads=%d workload=%d/%d/%d url=%s%n",
        t0EpochMs,
        fmt(rate),
        total,
        threads,
        mix[0],
        mix[1],
        mix[2],
        jdbcUrl);

    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      final int w = t;
      workers[t] = new Thread(() -> work(conns, w), "load-" + t);
      workers[t].start();
    }
    for (Thread t : workers) t.join();
    for (Connection c : conns) {
      try {
        if (c != null) c.close();
      } catch (SQLException ignored) {
        // closing after the run
      }
    }
    write(out);
    summary();
    written.countDown();
  }

  private void work(Connection[] conns, int w) {
    PreparedStatement ins = null;
    PreparedStatement upd = null;
    PreparedStatement other = null;
    PreparedStatement read = null;
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    while (true) {
      long i = next.getAndIncrement();
      if (i >= total) return;
      long due = intendedNanos(i);
      if (due >= stopNanos) return;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        if (due >= stopNanos) return;
        LockSupport.parkNanos(Math.min(wait, 50_000_000L));
      }
      int slot = (int) i;
      int draw = rnd.nextInt(100);
      byte k =
          draw < mix[0]
              ? INSERT_TX
              : draw < mix[0] + mix[1]
                  ? UPDATE_TX
                  : draw < mix[0] + mix[1] + mix[2] ? OTHER_TX : READ_TX;
      kind[slot] = k;
      try {
        if (conns[w] == null) {
          conns[w] = connect();
          ins = null;
          upd = null;
          other = null;
          read = null;
        }
        if (k == INSERT_TX) {
          if (ins == null) ins = conns[w].prepareStatement(INSERT);
          ins.setString(1, "Load " + i);
          try (ResultSet rs = ins.executeQuery()) {
            rs.next();
            long id = rs.getLong(1);
            maxId.accumulateAndGet(id, Math::max);
          }
        } else if (k == UPDATE_TX) {
          if (upd == null) upd = conns[w].prepareStatement(UPDATE);
          upd.setString(1, "Author " + i + " (renamed)");
          upd.setLong(2, 1 + rnd.nextLong(maxId.get()));
          upd.executeUpdate();
        } else if (k == OTHER_TX) {
          if (other == null) other = conns[w].prepareStatement(UPDATE_OTHER);
          other.setLong(1, 1 + rnd.nextLong(maxId.get()));
          other.executeUpdate();
        } else {
          if (read == null) read = conns[w].prepareStatement(READ);
          read.setLong(1, 1 + rnd.nextLong(maxId.get()));
          try (ResultSet rs = read.executeQuery()) {
            rs.next();
          }
        }
        latencyMs[slot] = (System.nanoTime() - due) / 1e6;
        status[slot] = 1;
      } catch (SQLException e) {
        latencyMs[slot] = (System.nanoTime() - due) / 1e6;
        status[slot] = 2;
        String state = e.getSQLState() == null ? "?????" : e.getSQLState();
        sqlState[slot] = state;
        synchronized (firstMessage) {
          firstMessage.putIfAbsent(state, String.valueOf(e.getMessage()).replace('\n', ' '));
        }
        boolean broken;
        try {
          broken = conns[w] == null || conns[w].isClosed() || state.startsWith("08");
        } catch (SQLException x) {
          broken = true;
        }
        if (broken) {
          try {
            if (conns[w] != null) conns[w].close();
          } catch (SQLException ignored) {
            // reconnecting anyway
          }
          conns[w] = null;
        }
      }
    }
  }

  private void write(Path out) throws IOException {
    try (BufferedWriter wr = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      wr.write("intended_start_ms,latency_ms,ok,kind,sqlstate\n");
      StringBuilder sb = new StringBuilder(64);
      for (int i = 0; i < total; i++) {
        if (status[i] == 0) continue;
        sb.setLength(0);
        fixed3(sb, t0EpochMs + Math.round(i * 1e9 / rate) / 1e6).append(',');
        fixed3(sb, latencyMs[i]).append(',');
        sb
            .append(status[i] == 1 ? '1' : '0')
            .append(',')
            .append(kindName(kind[i]))
            .append(',')
            .append(sqlState[i] == null ? "" : sqlState[i])
            .append('\n');
        wr.write(sb.toString());
      }
    }
  }

  private void summary() {
    int n = 0;
    int errors = 0;
    double[] lat = new double[total];
    for (int i = 0; i < total; i++) {
      if (status[i] == 0) continue;
      lat[n++] = latencyMs[i];
      if (status[i] == 2) errors++;
    }
    Arrays.sort(lat, 0, n);
    System.err.printf(
        Locale.ROOT,
        "load: done txs=%d errors=%d p50=%.2fms p99=%.2fms max=%.2fms%n",
        n,
        errors,
        pct(lat, n, 0.50),
        pct(lat, n, 0.99),
        n == 0 ? 0.0 : lat[n - 1]);
    Map<String, Integer> byState = new TreeMap<>();
    for (int i = 0; i < total; i++) {
      if (status[i] == 2) byState.merge(sqlState[i], 1, Integer::sum);
    }
    byState.forEach(
        (state, count) ->
            System.err.printf(
                Locale.ROOT, "load: error %s x%d: %s%n", state, count, firstMessage.get(state)));
  }

  /** Appends a non-negative value with exactly three decimals (String.format is slow for 1e5 rows). */
  static StringBuilder fixed3(StringBuilder sb, double v) {
    long thousandths = Math.round(v * 1000.0);
    long whole = thousandths / 1000;
    long frac = thousandths % 1000;
    sb.append(whole).append('.');
    if (frac < 100) sb.append('0');
    if (frac < 10) sb.append('0');
    return sb.append(frac);
  }

  private static String kindName(byte k) {
    return switch (k) {
      case INSERT_TX -> "insert";
      case UPDATE_TX -> "update";
      case OTHER_TX -> "update-other";
      default -> "read";
    };
  }

  /** Nearest-rank percentile of the first n sorted values. */
  static double pct(double[] sorted, int n, double p) {
    if (n == 0) return 0;
    int rank = (int) Math.ceil(p * n);
    return sorted[Math.max(0, Math.min(n, rank) - 1)];
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: java -jar load.jar URL RATE SECONDS OUT.csv");
      System.err.println("  URL      postgresql://user@host:port/db or jdbc:postgresql://host:port/db");
      System.err.println("  RATE     transactions per second, all threads together (e.g. 400)");
      System.err.println("  SECONDS  how long to run; SIGTERM stops it earlier (the CSV is still written)");
      System.err.println("  env LOAD_THREADS  connections / worker threads (default 8)");
      System.err.println(
          "  env LOAD_WORKLOAD update-read-column, update-other, insert, mix (default), insert-update");
      System.exit(2);
    }
    double rate = Double.parseDouble(args[1]);
    double seconds = Double.parseDouble(args[2]);
    int threads = Integer.parseInt(System.getenv().getOrDefault("LOAD_THREADS", "8"));
    if (rate <= 0 || seconds <= 0 || threads <= 0 || rate * seconds > 50_000_000) {
      System.err.println("load: RATE, SECONDS and LOAD_THREADS must be positive (RATE x SECONDS <= 5e7)");
      System.exit(2);
    }
    String workload = System.getenv().getOrDefault("LOAD_WORKLOAD", "mix");
    int[] mix = mixOf(workload);
    if (mix == null) {
      System.err.println(
          "load: LOAD_WORKLOAD '"
              + workload
              + "' is not one of update-read-column, update-other, insert, mix, insert-update");
      System.exit(2);
    }
    new Load(args[0], rate, seconds, threads, mix).run(Path.of(args[3]));
  }
}
