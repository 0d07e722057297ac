#!/usr/bin/env bash
# Zero-downtime benchmark: "add email NOT NULL backfilled from name" on a ROWS-row author table
# while an old application works at RATE tx/s, done (a) naively in one transaction and (b) by
# Convoy's phased upgrade, each on its own fresh database, in the same run; once per workload.
#
#   bash bench/zero-downtime.sh [ROWS=1000000] [RATE=400]
#
# Environment (all optional):
#   WORKLOAD=all          the old application's workloads, one round set each (space-separated, or
#                         all): update-read-column (updates of name, the column the backfill reads),
#                         update-other (updates of visits only), insert (inserts only), mix (50%
#                         reads, 20% inserts, 15% updates of name, 15% of visits), indexes (mix on a
#                         table with secondary indexes on name and on visits)
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres   the PostgreSQL server (trust auth)
#   CONVOY_OPTS=""        extra options for `convoy upgrade`, e.g. "--batch-time 50ms"
#   APPROACHES="naive convoy"   which approaches to run (the ratio and verdict need both)
#   REPEAT=3              rounds (each runs every approach once); the report gives each column's
#                         median over the rounds, and every round's numbers
#   WARMUP=3 COOLDOWN=3   seconds of load before / after the migration
#   LOAD_THREADS=8        connections of the load generator
#   MIGRATION_TIMEOUT=600 seconds before a migration is killed (and counted as failed)
#   CONVOY_REBUILD=stale  build Convoy's jar through ./convoy when it is missing or older than the
#                         sources (the launcher's rule); "missing": only when it is missing
#   IDLE_WAIT=300         before each approach, wait up to this many seconds for the machine to be
#                         idle (under IDLE_BUSY% of all cores busy over 3 s); 0: do not wait
#   IDLE_BUSY=15
#   BUSY_LIMIT=10 BUSY_RETRIES=2   when processes outside the benchmark used more than BUSY_LIMIT% of
#                         the machine's CPU during a migration, run that approach again (at most
#                         BUSY_RETRIES more times); the report shows that CPU and the attempts
#   KEEP_TMP=1            keep the migrations, the load CSVs and every log
#
# Prints, per workload: approach | migration wall s | p50 ms | p99 ms | max ms | errors | tx in
# window, for the write transactions (reads are left out) whose intended start falls inside each
# migration; Convoy/naive wall ratio; and TARGET MET / TARGET MISSED (Convoy p99 <= 20 ms, max <=
# 150 ms, wall <= 1.3 x naive). Writes a summary table and every workload's details to
# bench/results/zero-downtime.md.
set -euo pipefail

ROWS="${1:-1000000}"
RATE="${2:-400}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
CONVOY_OPTS="${CONVOY_OPTS:-}"
REPEAT="${REPEAT:-3}"
APPROACHES="${APPROACHES:-naive convoy}"
WARMUP="${WARMUP:-3}"
COOLDOWN="${COOLDOWN:-3}"
LOAD_THREADS="${LOAD_THREADS:-8}"
MIGRATION_TIMEOUT="${MIGRATION_TIMEOUT:-600}"
CONVOY_REBUILD="${CONVOY_REBUILD:-stale}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUSY="${IDLE_BUSY:-15}"
BUSY_LIMIT="${BUSY_LIMIT:-10}"
BUSY_RETRIES="${BUSY_RETRIES:-2}"
WORKLOAD="${WORKLOAD:-all}"
ALL_WORKLOADS="update-read-column update-other insert mix indexes"
[[ "$WORKLOAD" == all ]] && WORKLOAD="$ALL_WORKLOADS"
export LOAD_THREADS
SUITE_T0=$SECONDS

# Targets (the issue's acceptance line).
TARGET_P99=20
TARGET_MAX=150
TARGET_RATIO=1.3

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LOAD_JAR="$BENCH_DIR/load/target/load.jar"
CONVOY_JAR="$ROOT/cli/target/convoy.jar"
RESULTS="$BENCH_DIR/results/zero-downtime.md"
COMMAND_LINE="bash bench/zero-downtime.sh $ROWS $RATE"
[[ "$WORKLOAD" != "$ALL_WORKLOADS" ]] && COMMAND_LINE="WORKLOAD=\"$WORKLOAD\" $COMMAND_LINE"
[[ -n "$CONVOY_OPTS" ]] && COMMAND_LINE="CONVOY_OPTS=\"$CONVOY_OPTS\" $COMMAND_LINE"
[[ "$REPEAT" != 3 ]] && COMMAND_LINE="REPEAT=$REPEAT $COMMAND_LINE"
[[ "$IDLE_WAIT" != 300 ]] && COMMAND_LINE="IDLE_WAIT=$IDLE_WAIT $COMMAND_LINE"
[[ "$BUSY_RETRIES" != 2 ]] && COMMAND_LINE="BUSY_RETRIES=$BUSY_RETRIES $COMMAND_LINE"

pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$@"; }
die() { echo "zero-downtime: $*" >&2; exit 2; }
log() { echo "zero-downtime: $*" >&2; }

[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || die "ROWS must be a positive integer, got '$ROWS'"
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || die "RATE must be a positive integer, got '$RATE'"
for v in WARMUP COOLDOWN LOAD_THREADS MIGRATION_TIMEOUT IDLE_WAIT IDLE_BUSY BUSY_LIMIT BUSY_RETRIES; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer"
done
[[ "$CONVOY_REBUILD" == stale || "$CONVOY_REBUILD" == missing ]] || die "CONVOY_REBUILD must be stale or missing"
for a in $APPROACHES; do
  case "$a" in naive|convoy) ;; *) die "unknown approach '$a' in APPROACHES";; esac
done
for w in $WORKLOAD; do
  [[ " $ALL_WORKLOADS " == *" $w "* ]] || die "unknown workload '$w' in WORKLOAD; one or more of: $ALL_WORKLOADS (or all)"
done
command -v psql >/dev/null || die "psql not found"
command -v java >/dev/null || die "java not found"
pg -d postgres -tAc 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL at $PGUSER@$PGHOST:$PGPORT"
has() { [[ " $APPROACHES " == *" $1 "* ]]; }

# ---------------------------------------------------------------- build what is missing
if [[ ! -f "$LOAD_JAR" || -n "$(find "$BENCH_DIR/load/src" "$BENCH_DIR/load/pom.xml" -newer "$LOAD_JAR" 2>/dev/null | head -n 1)" ]]; then
  log "building $LOAD_JAR"
  mvn -B -q -f "$BENCH_DIR/load/pom.xml" package -DskipTests >&2
fi
[[ -f "$LOAD_JAR" ]] || die "no $LOAD_JAR after the build"
if has convoy; then
  if [[ ! -f "$CONVOY_JAR" || "$CONVOY_REBUILD" == stale ]]; then
    # The launcher builds the jar when it is missing or older than the sources.
    log "checking Convoy's jar: ./convoy --version"
    (cd "$ROOT" && ./convoy --version) >&2
  fi
  [[ -f "$CONVOY_JAR" ]] || die "no $CONVOY_JAR after the build"
fi

# ---------------------------------------------------------------- scratch space and cleanup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/zero-downtime.XXXXXX")"
DB_PREFIX="bench_zd_$$"
CREATED_DBS=()
LOAD_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$LOAD_PID" ]]; then kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  for db in "${CREATED_DBS[@]}"; do
    pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- freeze Convoy
# Convoy runs as its users run it, through the ./convoy launcher (same JVM flags, same class-data
# archive written on first use), but from a copy of the launcher and the jar in $TMP: a source edit
# in the work tree during the benchmark cannot make the launcher rebuild inside the timed window.
CONVOY_CMD=()
if has convoy; then
  mkdir -p "$TMP/convoy-home/cli/target"
  cp "$CONVOY_JAR" "$TMP/convoy-home/cli/target/convoy.jar"
  cp "$ROOT/convoy" "$TMP/convoy-home/convoy"
  CONVOY_CMD=(bash "$TMP/convoy-home/convoy")
  CONVOY_BUILT="$(date -r "$CONVOY_JAR" '+%Y-%m-%d %H:%M:%S')"
  log "convoy: ./convoy (jar of $CONVOY_BUILT)${CONVOY_OPTS:+, options: $CONVOY_OPTS}"
  mkdir -p "$TMP/migrations/versions"
  cat >"$TMP/migrations/versions/createauthor1_create_author.yaml" <<'EOF'
revision: createauthor1
down_revision: null
message: Create author
# Created by the benchmark with SQL and then stamped: this file describes the same table.
operations:
  - op: create_table
    table: author
    columns:
      - {name: id, type: bigserial, primary_key: true}
      - {name: name, type: text, nullable: false}
      - {name: visits, type: integer, nullable: false, default: "0"}
EOF
  cat >"$TMP/migrations/versions/addemail0002_add_email.yaml" <<'EOF'
revision: addemail0002
down_revision: createauthor1
message: Add email to author
operations:
  - op: add_column
    table: author
    column: {name: email, type: text, nullable: false}
    backfill: "name || '@example.com'"
EOF
fi

# ---------------------------------------------------------------- helpers
now_ms() { local t=$EPOCHREALTIME; echo "${t/./}" | awk '{ printf "%.3f", $1 / 1000 }'; }
# Prefixes each line with the seconds since $1 (epoch ms), as the line arrives.
stamp_lines() {
  local start=$1 line t
  while IFS= read -r line; do
    t=$EPOCHREALTIME
    printf '%7.3fs  %s\n' "$(awk -v a="${t/./}" -v s="$start" 'BEGIN { printf "%.3f", (a / 1000 - s) / 1000 }')" "$line"
  done
}

# stats CSV FROM_MS TO_MS -> "n p50 p99 max errors" over write txs whose intended start is in [FROM, TO]
stats() {
  local csv=$1 from=$2 to=$3 lat
  lat="$TMP/lat.$$"
  awk -F, -v f="$from" -v t="$to" 'NR > 1 && $1 >= f && $1 <= t && $4 != "read" { print $2 > "/dev/stdout"; if ($3 != 1) e++ }
    END { print (e + 0) > "/dev/stderr" }' "$csv" 2>"$lat.err" | sort -g >"$lat"
  awk -v e="$(cat "$lat.err")" '{ a[NR] = $1 }
    END {
      n = NR
      if (n == 0) { printf "0 - - - %d\n", e; exit }
      r50 = int(0.50 * n); if (r50 < 0.50 * n) r50++; if (r50 < 1) r50 = 1
      r99 = int(0.99 * n); if (r99 < 0.99 * n) r99++; if (r99 < 1) r99 = 1
      printf "%d %.1f %.1f %.1f %d\n", n, a[r50], a[r99], a[n], e
    }' "$lat"
  rm -f "$lat" "$lat.err"
}
# errors by SQLSTATE in [FROM, TO]: "23502 x12, 55P03 x1" or "none"
error_states() {
  awk -F, -v f="$1" -v t="$2" 'NR > 1 && $1 >= f && $1 <= t && $3 != 1 { c[$5 == "" ? "?" : $5]++ }
    END { s = ""; for (k in c) s = s (s == "" ? "" : ", ") k " x" c[k]; print (s == "" ? "none" : s) }' "$3"
}

# Percent of all cores busy over the next N seconds, from /proc/stat.
busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat); sleep "$1"; b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { t += y[i] - x[i]; if (i == 5 || i == 6) idle += y[i] - x[i] }
    printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}
# Waits (up to IDLE_WAIT s) until the machine is idle: other work on a 2-core box shows up as
# latency in the workload and as migration time. Sets BUSY to the last sample.
wait_idle() {
  local waited=0
  BUSY=$(busy_pct 3)
  while ((BUSY > IDLE_BUSY && waited < IDLE_WAIT)); do
    ((waited == 0)) && log "waiting up to ${IDLE_WAIT}s for an idle machine (${BUSY}% busy)"
    sleep 2
    waited=$((waited + 5))
    BUSY=$(busy_pct 3)
  done
  ((BUSY > IDLE_BUSY)) && log "WARNING: the machine is still ${BUSY}% busy; the numbers will show it"
  return 0
}

# CPU ticks of the processes that are not this benchmark's, as "pid ticks" lines: everything outside
# this script's session, except PostgreSQL's own background processes and the backends of this run's
# databases (a backend of another database, e.g. a test suite's, counts as foreign).
MY_SID=$(awk '{ sub(/^.*\) /, ""); print $4 }' /proc/$$/stat)
foreign_ticks() {
  local d stat cmd
  for d in /proc/[0-9]*; do
    # Builtins only (no fork per process): the first argument is enough (a backend's is its title).
    read -r stat <"$d/stat" 2>/dev/null || continue
    cmd=""
    IFS= read -r -d '' cmd <"$d/cmdline" 2>/dev/null || true
    printf '%s\t%s\t%s\n' "${d#/proc/}" "$stat" "$cmd"
  done | awk -F'\t' -v sid="$MY_SID" -v prefix="$DB_PREFIX" '{
    rest = $2; sub(/^.*\) /, "", rest); split(rest, f, " ")
    if (f[4] == sid) next                                  # this script and its children
    if ($3 == "" || $1 == 1) next                          # kernel threads, init (reaps orphans)
    if (index($3, prefix)) next                            # backends of this run databases
    if ($2 ~ /\(postgres\)/ && $3 !~ /^postgres: [^ ]+: [^ ]+ [^ ]+ ([0-9.:a-f]+\(|\[local\])/ && $3 !~ /autovacuum worker/) next
    print $1, f[12] + f[13] + f[14] + f[15]
  }'
}
# Seconds of CPU that foreign processes used between two foreign_ticks snapshots (files).
foreign_seconds() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { a[$1] = $2; next } { d = $2 - ($1 in a ? a[$1] : 0); if (d > 0) s += d }
    END { printf "%.1f", s / hz }' "$1" "$2"
}

setup_db() { # db workload
  local db=$1
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  pg -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  CREATED_DBS+=("$db")
  pg -d "$db" -c "CREATE TABLE author (id bigserial PRIMARY KEY, name text NOT NULL, visits integer NOT NULL DEFAULT 0)" \
    -c "INSERT INTO author (name) SELECT 'Author ' || g FROM generate_series(1, $ROWS) g" >/dev/null
  if [[ "$2" == indexes ]]; then
    pg -d "$db" -c "CREATE INDEX author_name ON author (name)" -c "CREATE INDEX author_visits ON author (visits)" >/dev/null
  fi
  pg -d "$db" -c "VACUUM ANALYZE author" >/dev/null
}
# The load generator's workload for a benchmark workload.
load_workload() { if [[ "$1" == indexes ]]; then echo mix; else echo "$1"; fi; }

declare -A TRIES FOREIGN FIRST_ERR IDLE WALL N P50 P99 MAX ERR ALL_LINE BASE_LINE ERR_STATES ERR_ALL_STATES VERIFY OK LOAD1 MIGLOG
run_approach() { # approach
  local a=$1 db="${DB_PREFIX}_$1" url csv loadlog t0 t1 rc=0 stop_at started i w=$CURRENT
  url="postgresql://$PGUSER@$PGHOST:$PGPORT/$db"
  csv="$TMP/load-$a.csv"
  loadlog="$TMP/load-$a.log"
  MIGLOG[$a]="$TMP/migration-$a.log"
  log "$w/$a: creating $db with $ROWS rows"
  setup_db "$db" "$w"
  if [[ "$a" == convoy ]]; then
    # The table exists with its data: record revision 1 as applied (untimed; also lets the launcher
    # write its class-data archive outside the timed window).
    (cd "$ROOT" && "${CONVOY_CMD[@]}" stamp createauthor1 --url "$url" --dir "$TMP/migrations") \
      >"$TMP/stamp.log" 2>&1 || { cat "$TMP/stamp.log" >&2; die "convoy stamp failed"; }
  fi
  # Start every run from the same place: the load's WAL and the migration's own writes are not
  # mixed with a checkpoint of the table just loaded.
  pg -d "$db" -c "CHECKPOINT" >/dev/null
  wait_idle
  IDLE[$a]=$BUSY

  # The workload: runs far longer than needed and is stopped with SIGTERM after the cool-down.
  # On this shared machine it has now and then not started within 90 s: then what it and the
  # database were doing is logged, and it is started again (once).
  local tries
  for ((tries = 1; ; tries++)); do
    LOAD_WORKLOAD=$(load_workload "$w") java -XX:+UseSerialGC -Xms64m -Xmx512m -jar "$LOAD_JAR" "$url" "$RATE" 3600 "$csv" 2>"$loadlog" &
    LOAD_PID=$!
    for ((i = 0; i < 900; i++)); do
      grep -q '^load: started' "$loadlog" 2>/dev/null && break
      kill -0 "$LOAD_PID" 2>/dev/null || { cat "$loadlog" >&2; die "the load generator exited early"; }
      sleep 0.1
    done
    grep -q '^load: started' "$loadlog" && break
    log "$w/$a: the load generator did not start within 90 s (attempt $tries); its threads and the database's sessions:"
    jstack "$LOAD_PID" 2>&1 | grep -A6 '"main"' | sed 's/^/    /' >&2 || true
    pg -d postgres -Atc "SELECT pid, datname, state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity WHERE datname = '$db'" 2>&1 | sed 's/^/    /' >&2 || true
    kill -KILL "$LOAD_PID" 2>/dev/null || true
    wait "$LOAD_PID" 2>/dev/null || true
    LOAD_PID=""
    ((tries < 2)) || die "the load generator did not start within 90 s, twice"
  done
  started=$(sed -n 's/^load: started \([0-9.]*\).*/\1/p' "$loadlog")
  sleep "$WARMUP"

  LOAD1[$a]=$(cut -d' ' -f1 /proc/loadavg)
  log "$w/$a: migrating under load (load1 $(cut -d' ' -f1 /proc/loadavg))"
  foreign_ticks >"$TMP/foreign0"
  t0=$(now_ms)
  set +e
  if [[ "$a" == naive ]]; then
    timeout "$MIGRATION_TIMEOUT" psql -X -q -e -v ON_ERROR_STOP=1 -d "$db" 2>&1 <<'EOF' | stamp_lines "$t0" >"${MIGLOG[$a]}"
\timing on
BEGIN;
ALTER TABLE author ADD COLUMN email text;
UPDATE author SET email = name || '@example.com';
ALTER TABLE author ALTER COLUMN email SET NOT NULL;
COMMIT;
EOF
    rc=${PIPESTATUS[0]}
  else
    # shellcheck disable=SC2086 # CONVOY_OPTS is a list of options
    (cd "$ROOT" && timeout "$MIGRATION_TIMEOUT" "${CONVOY_CMD[@]}" upgrade head --url "$url" \
      --dir "$TMP/migrations" $CONVOY_OPTS) 2>&1 | stamp_lines "$t0" >"${MIGLOG[$a]}"
    rc=${PIPESTATUS[0]}
  fi
  set -e
  t1=$(now_ms)
  foreign_ticks >"$TMP/foreign1"
  FOREIGN[$a]=$(foreign_seconds "$TMP/foreign0" "$TMP/foreign1")
  WALL[$a]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  log "$a: migration exited $rc after ${WALL[$a]} s"
  if ((rc != 0)) || [[ "$a" == convoy ]]; then
    sed 's/^/    /' "${MIGLOG[$a]}" >&2
  fi

  sleep "$COOLDOWN"
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" || true
  LOAD_PID=""
  sed 's/^/    /' "$loadlog" >&2
  [[ -s "$csv" ]] || die "$a: the load generator wrote no CSV"

  read -r N[$a] P50[$a] P99[$a] MAX[$a] ERR[$a] < <(stats "$csv" "$t0" "$t1")
  ERR_STATES[$a]=$(error_states "$t0" "$t1" "$csv")
  FIRST_ERR[$a]=$(awk -F, -v f="$t0" 'NR > 1 && $3 != 1 && $1 >= f { printf "%.2f", ($1 - f) / 1000; exit }' "$csv")
  # Overall, and before the migration (skipping the generator's first second of JIT warm-up).
  ALL_LINE[$a]=$(stats "$csv" 0 1e15)
  ERR_ALL_STATES[$a]=$(error_states 0 1e15 "$csv")
  BASE_LINE[$a]=$(stats "$csv" "$(awk -v s="$started" 'BEGIN { printf "%.3f", s + 1000 }')" "$t0")

  # Verify the result: no NULL left, the column NOT NULL, nothing of Convoy's left behind.
  local nulls notnull leftovers=""
  nulls=$(pg -d "$db" -tAc "SELECT count(*) FROM author WHERE email IS NULL" 2>/dev/null || echo "?")
  notnull=$(pg -d "$db" -tAc "SELECT attnotnull FROM pg_attribute WHERE attrelid = 'author'::regclass AND attname = 'email'" 2>/dev/null || echo "?")
  leftovers=$(pg -d "$db" -tAc "SELECT string_agg(x, ', ') FROM (
      SELECT 'trigger ' || tgname AS x FROM pg_trigger WHERE tgrelid = 'author'::regclass AND NOT tgisinternal
      UNION ALL SELECT 'constraint ' || conname FROM pg_constraint WHERE conrelid = 'author'::regclass AND contype = 'c') s" 2>/dev/null || echo "?")
  VERIFY[$a]="exit $rc, NULL emails: ${nulls:-?}, email NOT NULL: ${notnull:-?}${leftovers:+, left behind: $leftovers}"
  if ((rc == 0)) && [[ "$nulls" == 0 && "$notnull" == t && -z "$leftovers" ]]; then OK[$a]=1; else OK[$a]=0; fi
  log "$a: ${VERIFY[$a]}"
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
}

# Rounds of one workload: each runs every approach once, in turn, so a slow spell of the machine
# falls on both. Leaves the medians in WALL, P50, ... and the verdict in VERDICT.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 <= b + 0) }'; }
run_workload() { # workload
  CURRENT=$1
  declare -gA R_WALL=() R_P50=() R_P99=() R_MAX=() R_ERR=() R_N=()
  local round a attempt col vals met
  ALL_OK_RUNS=""
  for ((round = 1; round <= REPEAT; round++)); do
    for a in $APPROACHES; do
      log "$CURRENT: round $round of $REPEAT: $a"
      for ((attempt = 0; ; attempt++)); do
        run_approach "$a"
        # Another process took more than BUSY_LIMIT % of the machine during the migration: its numbers
        # measure that process too. Run the approach again, BUSY_RETRIES times at most.
        if ((attempt < BUSY_RETRIES)) && awk -v f="${FOREIGN[$a]}" -v w="${WALL[$a]}" -v c="$(nproc)" -v l="$BUSY_LIMIT" \
          'BEGIN { exit !(f > l / 100 * c * w) }'; then
          log "$CURRENT/$a: other processes used ${FOREIGN[$a]} CPU-s during the ${WALL[$a]} s migration; running it again"
          continue
        fi
        break
      done
      TRIES[$a]=$((attempt + 1))
      R_WALL[$a,$round]=${WALL[$a]}; R_P50[$a,$round]=${P50[$a]}; R_P99[$a,$round]=${P99[$a]}
      R_MAX[$a,$round]=${MAX[$a]}; R_ERR[$a,$round]=${ERR[$a]}; R_N[$a,$round]=${N[$a]}
      ((OK[$a])) || ALL_OK_RUNS+=" $a#$round"
    done
  done
  # The reported numbers: for each approach and each column, the median over the rounds.
  for a in $APPROACHES; do
    for col in WALL P50 P99 MAX ERR N; do
      declare -n runs="R_$col" out="$col"
      vals=()
      for ((round = 1; round <= REPEAT; round++)); do vals+=("${runs[$a,$round]}"); done
      out[$a]=$(median "${vals[@]}")
      unset -n runs out
    done
    # Verified only if every round's migration succeeded and verified.
    [[ "$ALL_OK_RUNS" == *" $a#"* ]] && OK[$a]=0
  done

  RATIO="n/a"
  VERDICT=""
  CHECKS=()
  MISSES=""
  if has naive && has convoy; then
    RATIO=$(awk -v c="${WALL[convoy]}" -v n="${WALL[naive]}" 'BEGIN { if (n > 0) printf "%.2f", c / n; else print "n/a" }')
    met=1
    if le "${P99[convoy]}" "$TARGET_P99"; then CHECKS+=("Convoy p99 ${P99[convoy]} ms <= $TARGET_P99 ms: met")
    else CHECKS+=("Convoy p99 ${P99[convoy]} ms <= $TARGET_P99 ms: MISSED"); met=0; MISSES+=" p99"; fi
    if le "${MAX[convoy]}" "$TARGET_MAX"; then CHECKS+=("Convoy max ${MAX[convoy]} ms <= $TARGET_MAX ms: met")
    else CHECKS+=("Convoy max ${MAX[convoy]} ms <= $TARGET_MAX ms: MISSED"); met=0; MISSES+=" max"; fi
    if le "$RATIO" "$TARGET_RATIO"; then CHECKS+=("Convoy wall / naive wall $RATIO <= $TARGET_RATIO: met")
    else CHECKS+=("Convoy wall / naive wall $RATIO <= $TARGET_RATIO: MISSED"); met=0; MISSES+=" wall"; fi
    if ((OK[convoy])); then CHECKS+=("Convoy's migration succeeded and verified: met")
    else CHECKS+=("Convoy's migration succeeded and verified: MISSED (${VERIFY[convoy]})"); met=0; MISSES+=" verify"; fi
    if ((met)); then VERDICT="TARGET MET"; else VERDICT="TARGET MISSED (${MISSES# })"; fi
  fi
}

# What one workload looked like, on the terminal.
print_workload() {
  local a round n p50 p99 mx e
  echo
  echo "== workload $CURRENT: ROWS=$ROWS RATE=$RATE tx/s, $LOAD_THREADS connections; latency from each tx's intended start"
  echo "Write transactions whose intended start falls inside each migration:"
  printf '%-8s | %17s | %7s | %7s | %8s | %6s | %12s\n' approach "migration wall s" "p50 ms" "p99 ms" "max ms" errors "tx in window"
  echo "---------+-------------------+---------+---------+----------+--------+-------------"
  for a in $APPROACHES; do
    printf '%-8s | %17s | %7s | %7s | %8s | %6s | %12s\n' "$a" "${WALL[$a]}" "${P50[$a]}" "${P99[$a]}" "${MAX[$a]}" "${ERR[$a]}" "${N[$a]}"
  done
  if ((REPEAT > 1)); then
    echo "(each column: the median of $REPEAT rounds; every round below)"
    for a in $APPROACHES; do
      for ((round = 1; round <= REPEAT; round++)); do
        printf '%-8s | %17s | %7s | %7s | %8s | %6s | %12s\n' "$a #$round" "${R_WALL[$a,$round]}" "${R_P50[$a,$round]}" "${R_P99[$a,$round]}" "${R_MAX[$a,$round]}" "${R_ERR[$a,$round]}" "${R_N[$a,$round]}"
      done
    done
  fi
  for a in $APPROACHES; do
    echo "$a: errors in window: ${ERR_STATES[$a]}; overall: ${ERR_ALL_STATES[$a]}; machine busy before: ${IDLE[$a]}%, load1 at start: ${LOAD1[$a]}, CPU used by other processes during the migration: ${FOREIGN[$a]} s, attempts: ${TRIES[$a]}"
    echo "$a: ${VERIFY[$a]}"
  done
  if [[ -n "$VERDICT" ]]; then
    echo "Convoy wall / naive wall = $RATIO"
    for c in "${CHECKS[@]}"; do echo "  $c"; done
    echo "$VERDICT"
  fi
}

# One workload's section of the results file.
section_workload() {
  local a round n p50 p99 mx e
  echo
  echo "## Workload \`$CURRENT\`"
  echo
  echo "Old application: $(workload_text "$CURRENT")"
  echo
  echo "Write transactions whose intended start falls inside each migration:"
  echo
  echo "| approach | migration wall s | p50 ms | p99 ms | max ms | errors | tx in window |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  for a in $APPROACHES; do
    echo "| $a | ${WALL[$a]} | ${P50[$a]} | ${P99[$a]} | ${MAX[$a]} | ${ERR[$a]} | ${N[$a]} |"
  done
  if ((REPEAT > 1)); then
    echo
    echo "Each column is the median of $REPEAT rounds (a round runs every approach once, in turn). Every round:"
    echo
    echo "| approach | round | migration wall s | p50 ms | p99 ms | max ms | errors | tx in window |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    for a in $APPROACHES; do
      for ((round = 1; round <= REPEAT; round++)); do
        echo "| $a | $round | ${R_WALL[$a,$round]} | ${R_P50[$a,$round]} | ${R_P99[$a,$round]} | ${R_MAX[$a,$round]} | ${R_ERR[$a,$round]} | ${R_N[$a,$round]} |"
      done
    done
  fi
  if [[ -n "$VERDICT" ]]; then
    echo
    echo "Convoy wall / naive wall = **$RATIO**"
    echo
    for c in "${CHECKS[@]}"; do echo "- $c"; done
    echo
    echo "**$VERDICT** (Convoy p99 <= $TARGET_P99 ms, max <= $TARGET_MAX ms, wall <= $TARGET_RATIO x naive)"
  fi
  echo
  echo "Whole load run (warm-up + migration + cool-down), and before the migration (after the load's first second), last round:"
  echo
  echo "| approach | span | write txs | p50 ms | p99 ms | max ms | errors |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
  for a in $APPROACHES; do
    read -r n p50 p99 mx e <<<"${ALL_LINE[$a]}"
    echo "| $a | overall | $n | $p50 | $p99 | $mx | $e |"
    read -r n p50 p99 mx e <<<"${BASE_LINE[$a]}"
    echo "| $a | before | $n | $p50 | $p99 | $mx | $e |"
  done
  echo
  for a in $APPROACHES; do
    echo "- $a: errors (SQLSTATE x count) in window: ${ERR_STATES[$a]}; overall: ${ERR_ALL_STATES[$a]}; first failed tx due at +${FIRST_ERR[$a]:-none} s after the migration started; CPU busy (all cores) just before the load started: ${IDLE[$a]}%; 1-min load average when the migration started: ${LOAD1[$a]}; CPU used by processes outside the benchmark during the migration: ${FOREIGN[$a]} s (of $(nproc) cores x ${WALL[$a]} s); attempts: ${TRIES[$a]}; ${VERIFY[$a]}"
  done
  for a in $APPROACHES; do
    echo
    echo "$a migration output, last round (seconds since its start):"
    echo
    echo '```'
    if [[ "$a" == convoy ]] && (($(wc -l <"${MIGLOG[$a]}") > 40)); then
      head -n 20 "${MIGLOG[$a]}"; echo "  ... ($(($(wc -l <"${MIGLOG[$a]}") - 40)) lines)"; tail -n 20 "${MIGLOG[$a]}"
    else
      cat "${MIGLOG[$a]}"
    fi
    echo '```'
  done
}

workload_text() {
  case "$1" in
    update-read-column) echo "100% \`UPDATE author SET name = .. WHERE id = random\` (the column the backfill reads)" ;;
    update-other) echo "100% \`UPDATE author SET visits = visits + 1 WHERE id = random\` (a column the backfill does not read)" ;;
    insert) echo "100% \`INSERT INTO author (name)\`" ;;
    mix) echo "50% \`SELECT name FROM author WHERE id = random\` (not counted: write latency only), 20% inserts, 15% updates of name, 15% updates of visits" ;;
    indexes) echo "the \`mix\` workload, on a table with two secondary indexes: \`author (name)\` and \`author (visits)\`" ;;
  esac
}

SUMMARY=()
: >"$TMP/sections.md"
for w in $WORKLOAD; do
  run_workload "$w"
  print_workload
  section_workload >>"$TMP/sections.md"
  SUMMARY+=("| \`$w\` | ${WALL[naive]:--} | ${WALL[convoy]:--} | $RATIO | ${P50[convoy]:--} | ${P99[convoy]:--} | ${MAX[convoy]:--} | ${ERR[convoy]:--} | ${P99[naive]:--} / ${MAX[naive]:--} | ${VERDICT:--} |")
done
SUITE_MIN=$(awk -v s=$((SECONDS - SUITE_T0)) 'BEGIN { printf "%.1f", s / 60 }')

echo
echo "Summary (medians of $REPEAT rounds; suite took $SUITE_MIN min):"
printf '%s\n' "${SUMMARY[@]}"

mkdir -p "$(dirname "$RESULTS")"
{
  echo "# Zero-downtime: add email NOT NULL backfilled from name, under five old-application workloads"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); the whole suite took $SUITE_MIN min"
  echo "- machine: $(nproc) cores, $(uname -sm), $(java -version 2>&1 | head -n 1), $(psql --version), server $(pg -d postgres -tAc 'SHOW server_version' | head -n 1)"
  echo "- command: \`$COMMAND_LINE\`"
  echo "- table: \`author (id bigserial primary key, name text not null, visits integer not null default 0)\` with $ROWS rows (the \`indexes\` workload adds indexes on \`name\` and on \`visits\`), VACUUM ANALYZE, CHECKPOINT, one fresh database per approach and round"
  echo "- workloads: \`bench/load\` (old application, knows no email column), $RATE tx/s open loop on $LOAD_THREADS connections; latency measured from each transaction's intended start; ${WARMUP} s before and ${COOLDOWN} s after the migration; only write transactions counted"
  echo "- naive: one psql transaction: ADD COLUMN email text; UPDATE author SET email = name || '@example.com'; SET NOT NULL"
  if has convoy; then
    echo "- convoy: \`./convoy upgrade head --url postgresql://postgres@HOST:PORT/DB --dir DIR${CONVOY_OPTS:+ $CONVOY_OPTS}\` over an \`add_column\` (\`nullable: false\`, \`backfill: \"name || '@example.com'\"\`) revision, after \`./convoy stamp\` of the revision that creates the table; options: ${CONVOY_OPTS:-none (the defaults: --batch-time 30ms, --backfill-workers 2, the adaptive pace, --lock-timeout 2s, --lock-retries 5)}; wall includes the JVM start; jar built $CONVOY_BUILT"
  fi
  echo "- each approach waits (up to ${IDLE_WAIT} s) for the machine to be idle first, and is rerun (at most $BUSY_RETRIES times) when processes outside the benchmark used more than ${BUSY_LIMIT}% of the CPU during its migration: other work shares this machine"
  echo
  echo "Summary: medians of $REPEAT rounds; Convoy's write latency during its migration; naive's p99 / max for scale. Targets: Convoy p99 <= $TARGET_P99 ms, max <= $TARGET_MAX ms, wall <= $TARGET_RATIO x naive."
  echo
  echo "| workload | naive wall s | convoy wall s | ratio | convoy p50 ms | convoy p99 ms | convoy max ms | convoy errors | naive p99 / max ms | verdict |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${SUMMARY[@]}"
  cat "$TMP/sections.md"
} >"$RESULTS"
log "wrote ${RESULTS#$ROOT/}"
