#!/usr/bin/env bash
# Startup race: K processes start at the same moment, each running "upgrade to head" over N
# migrations (each creates a table and inserts a row) on a fresh database. Convoy beside
# Flyway 13.12.1 and Liquibase 4.33.0, same machine, same run.
#
#   bash bench/startup-race.sh [N=200] [K list="1 8"]
#
# Environment (all optional):
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres   the PostgreSQL server (trust auth)
#   REPEAT=1      runs per (tool, K) cell; the table shows the median wall time
#   TOOLS="convoy flyway liquibase"   which tools to race (Convoy's ratios need convoy + a peer)
#   KEEP_TMP=1    keep the generated migrations and per-process logs
#   CONVOY_REBUILD=stale   build cli/target/convoy.jar first when it is missing or older than the
#                 sources (the ./convoy launcher's rule); "missing": only when it is missing
#   RESULTS=bench/results/startup-race.md   where the markdown copy of the results goes
#
# Prints a table (tool | K | N | wall s | failed procs | applied tables | rows | load1), Convoy's
# ratio to each peer per K, and TARGET MET / TARGET MISSED; writes the same as markdown to RESULTS.
set -euo pipefail

N="${1:-200}"
K_LIST="${2:-1 8}"
REPEAT="${REPEAT:-1}"
CONVOY_REBUILD="${CONVOY_REBUILD:-stale}"
TOOLS="${TOOLS:-convoy flyway liquibase}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PEERS_JAR="$BENCH_DIR/peers/target/peers.jar"
CONVOY_JAR="$ROOT/cli/target/convoy.jar"
RESULTS="${RESULTS:-$BENCH_DIR/results/startup-race.md}"
COMMAND_LINE="bash bench/startup-race.sh $N \"$K_LIST\""

pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q "$@"; }
die() { echo "startup-race: $*" >&2; exit 2; }
log() { echo "startup-race: $*" >&2; }

[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
(( N <= 9999 )) || die "N must be at most 9999 (revision ids are r0001..r9999)"
for k in $K_LIST; do [[ "$k" =~ ^[1-9][0-9]*$ ]] || die "each K must be a positive integer, got '$k'"; done
[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive integer"
[[ "$CONVOY_REBUILD" == stale || "$CONVOY_REBUILD" == missing ]] || die "CONVOY_REBUILD must be stale or missing"
for t in $TOOLS; do
  case "$t" in convoy|flyway|liquibase) ;; *) die "unknown tool '$t' in TOOLS";; esac
done
command -v psql >/dev/null || die "psql not found"
command -v java >/dev/null || die "java not found"
pg -d postgres -tAc 'SELECT 1' >/dev/null || die "cannot reach PostgreSQL at $PGUSER@$PGHOST:$PGPORT"

has_tool() { [[ " $TOOLS " == *" $1 "* ]]; }

# ---------------------------------------------------------------- build what is missing
if has_tool flyway || has_tool liquibase; then
  if [[ ! -f "$PEERS_JAR" ]]; then
    log "building $PEERS_JAR"
    mvn -B -q -f "$BENCH_DIR/peers/pom.xml" package -DskipTests >&2
  fi
fi
# The launcher's own staleness rule (./convoy rebuilds the jar when any main source or pom is newer).
convoy_stale() {
  [[ ! -f "$CONVOY_JAR" ]] && return 0
  [[ "$ROOT/pom.xml" -nt "$CONVOY_JAR" ]] && return 0
  [[ -n "$(find "$ROOT"/shared "$ROOT"/agent "$ROOT"/coordinator "$ROOT"/cli \
    \( -path '*/src/main/*' -o -name pom.xml \) -newer "$CONVOY_JAR" -print -quit 2>/dev/null)" ]]
}
if has_tool convoy; then
  if [[ ! -f "$CONVOY_JAR" ]] || { [[ "$CONVOY_REBUILD" == stale && -f "$ROOT/convoy" ]] && convoy_stale; }; then
    log "building $CONVOY_JAR (root reactor, tests skipped; the jar is missing or older than the sources)"
    (cd "$ROOT" && mvn -B -q -DskipTests -Dspotless.check.skip=true -Denforcer.skip=true package) >&2
  fi
  [[ -f "$CONVOY_JAR" ]] || die "no $CONVOY_JAR after the build"
fi

# ---------------------------------------------------------------- scratch space and cleanup
TMP="$(mktemp -d "${TMPDIR:-/tmp}/startup-race.XXXXXX")"
DB_PREFIX="bench_race_$$"
CREATED_DBS=()
RUNNING_PIDS=()
cleanup() {
  local rc=$?
  # Interrupted mid-race: stop the processes this script started (by pid) before dropping their
  # databases.
  for pid in "${RUNNING_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in "${CREATED_DBS[@]}"; do
    pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- freeze Convoy
# Convoy runs exactly as its users run it: through the ./convoy launcher when the repo has one
# (same script, same JVM flags, same class-data archive it writes on first use), else
# `java -jar cli/target/convoy.jar`. The launcher and the jar are copied into $TMP first, so that
# a source edit in the work tree during the benchmark cannot make the launcher rebuild the jar
# inside a timed race, and every race of this run measures the same build.
CONVOY_CMD=()
CONVOY_SHOWN=""
if has_tool convoy; then
  mkdir -p "$TMP/convoy-home/cli/target"
  cp "$CONVOY_JAR" "$TMP/convoy-home/cli/target/convoy.jar"
  if [[ -f "$ROOT/convoy" ]]; then
    cp "$ROOT/convoy" "$TMP/convoy-home/convoy"
    CONVOY_CMD=(bash "$TMP/convoy-home/convoy")
    CONVOY_SHOWN="./convoy"
  else
    CONVOY_CMD=(java -jar "$TMP/convoy-home/cli/target/convoy.jar")
    CONVOY_SHOWN="java -jar cli/target/convoy.jar"
  fi
  log "convoy: $CONVOY_SHOWN (jar of $(date -r "$CONVOY_JAR" '+%Y-%m-%d %H:%M:%S'))"
fi

# ---------------------------------------------------------------- generate the N migrations
log "generating $N migrations per tool in $TMP"
mkdir -p "$TMP/flyway" "$TMP/liquibase" "$TMP/convoy/versions" "$TMP/logs"
{
  echo "-- liquibase formatted sql"
  echo
  for ((i = 1; i <= N; i++)); do
    printf -v id '%04d' "$i"
    t="t$id"
    # Flyway: one versioned file per migration.
    printf 'CREATE TABLE %s (id int primary key, v text);\nINSERT INTO %s VALUES (1, '"'"'x'"'"');\n' \
      "$t" "$t" >"$TMP/flyway/V${i}__create_t${id}.sql"
    # Convoy: migrations/versions/<revision>_<slug>.sql with a header.
    if ((i == 1)); then down=null; else printf -v down 'r%04d' $((i - 1)); fi
    cat >"$TMP/convoy/versions/r${id}_create_${t}.sql" <<EOF
-- revision: r$id
-- down_revision: $down
-- message: create $t
-- +upgrade
CREATE TABLE $t (id int primary key, v text);
INSERT INTO $t VALUES (1, 'x');
-- +downgrade
DROP TABLE $t;
EOF
    # Liquibase: one formatted-SQL changelog, one changeset per migration (this block is the
    # changelog file's body; it goes to stdout of the whole { } group).
    echo "--changeset bench:$i"
    echo "CREATE TABLE $t (id int primary key, v text);"
    echo "INSERT INTO $t VALUES (1, 'x');"
    echo "--rollback DROP TABLE $t;"
    echo
  done
} >"$TMP/liquibase/changelog.sql"

# ---------------------------------------------------------------- one race
now() { date +%s.%N; }

tool_cmd() { # tool db -> prints nothing; fills CMD array
  local tool=$1 db=$2
  case "$tool" in
    convoy) CMD=("${CONVOY_CMD[@]}" upgrade head --url "postgresql://$PGUSER@$PGHOST:$PGPORT/$db" --dir "$TMP/convoy") ;;
    flyway) CMD=(java -cp "$PEERS_JAR" dev.convoy.bench.FlywayRun "jdbc:postgresql://$PGHOST:$PGPORT/$db" "$TMP/flyway") ;;
    liquibase) CMD=(java -cp "$PEERS_JAR" dev.convoy.bench.LiquibaseRun "jdbc:postgresql://$PGHOST:$PGPORT/$db" "$TMP/liquibase/changelog.sql") ;;
  esac
}

COUNT_SQL="SELECT count(*) || ' ' || coalesce(sum((xpath('/row/c/text()',
  query_to_xml(format('SELECT count(*) AS c FROM public.%I', tablename), false, true, '')))[1]::text::bigint), 0)
  FROM pg_tables WHERE schemaname = 'public' AND tablename ~ '^t[0-9]+\$'"

# race tool K rep -> sets R_WALL R_FAILED R_TABLES R_ROWS R_LOAD
race() {
  local tool=$1 k=$2 rep=$3
  local db="${DB_PREFIX}_${tool}_k${k}"
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  pg -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  CREATED_DBS+=("$db")
  tool_cmd "$tool" "$db"
  local pids=() i t0 t1 rc failed=0
  R_LOAD=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(now)
  for ((i = 1; i <= k; i++)); do
    "${CMD[@]}" >"$TMP/logs/$tool-k$k-r$rep-p$i.out" 2>"$TMP/logs/$tool-k$k-r$rep-p$i.err" &
    pids+=($!)
  done
  RUNNING_PIDS=("${pids[@]}")
  for ((i = 1; i <= k; i++)); do
    rc=0
    wait "${pids[i - 1]}" || rc=$?
    if ((rc != 0)); then
      failed=$((failed + 1))
      log "$tool K=$k run $rep: process $i exited $rc; the end of its stderr:"
      tail -n 6 "$TMP/logs/$tool-k$k-r$rep-p$i.err" | cut -c 1-600 | sed 's/^/    /' >&2
      if [[ ! -s "$TMP/logs/$tool-k$k-r$rep-p$i.err" ]]; then
        tail -n 6 "$TMP/logs/$tool-k$k-r$rep-p$i.out" | cut -c 1-600 | sed 's/^/    (stdout) /' >&2
      fi
    fi
  done
  t1=$(now)
  RUNNING_PIDS=()
  R_WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  R_FAILED=$failed
  read -r R_TABLES R_ROWS < <(pg -d "$db" -tAc "$COUNT_SQL")
  log "$tool K=$k run $rep: wall ${R_WALL}s, failed $R_FAILED/$k, tables $R_TABLES, rows $R_ROWS (load1 before: $R_LOAD)"
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
}

# One untimed run of a tool (K=1, a scratch database) right before each timed race: every tool
# starts its race with its jar in the page cache, and Convoy's launcher has done any one-off work
# of its own (rebuilding a stale jar, writing its class-data archive) outside the timed window.
warmup() {
  local tool=$1 db="${DB_PREFIX}_warmup" rc=0
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  pg -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
  CREATED_DBS+=("$db")
  tool_cmd "$tool" "$db"
  "${CMD[@]}" >"$TMP/logs/$tool-warmup.out" 2>"$TMP/logs/$tool-warmup.err" || rc=$?
  if ((rc != 0)); then
    log "$tool warm-up run exited $rc; the end of its stderr:"
    tail -n 6 "$TMP/logs/$tool-warmup.err" | cut -c 1-600 | sed 's/^/    /' >&2
  fi
  pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A WALL FAILED PROCS TABLES ROWS LOAD WALLS
for k in $K_LIST; do
  for tool in $TOOLS; do
    WALLS[$tool,$k]="" FAILED[$tool,$k]=0 TABLES[$tool,$k]="" ROWS[$tool,$k]="" LOAD[$tool,$k]=0
  done
  # Repetitions go round the tools (convoy, flyway, liquibase, convoy, ...) so that a change in
  # the machine's background load during the run falls on every tool alike.
  for ((rep = 1; rep <= REPEAT; rep++)); do
    for tool in $TOOLS; do
      warmup "$tool"
      race "$tool" "$k" "$rep"
      WALLS[$tool,$k]+=" $R_WALL"
      FAILED[$tool,$k]=$((${FAILED[$tool,$k]} + R_FAILED))
      LOAD[$tool,$k]=$(awk -v a="${LOAD[$tool,$k]}" -v b="$R_LOAD" 'BEGIN { print (b > a) ? b : a }')
      # Keep the worst run's counts: any run that did not apply exactly N tables / N rows shows.
      if [[ -z "${TABLES[$tool,$k]}" || "$R_TABLES" != "$N" || "$R_ROWS" != "$N" ]]; then
        TABLES[$tool,$k]=$R_TABLES ROWS[$tool,$k]=$R_ROWS
      fi
    done
  done
  for tool in $TOOLS; do
    WALL[$tool,$k]=$(echo "${WALLS[$tool,$k]}" | median)
    PROCS[$tool,$k]=$((k * REPEAT))
  done
done

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

TABLE_ROWS=()
for k in $K_LIST; do
  for tool in $TOOLS; do
    TABLE_ROWS+=("$tool|$k|$N|${WALL[$tool,$k]}|${FAILED[$tool,$k]}/${PROCS[$tool,$k]}|${TABLES[$tool,$k]}|${ROWS[$tool,$k]}|${LOAD[$tool,$k]}")
  done
done

RATIO_ROWS=()
VERDICT=""
if has_tool convoy; then
  met=1
  for k in $K_LIST; do
    for peer in flyway liquibase; do
      has_tool "$peer" || continue
      RATIO_ROWS+=("$k|$peer|$(ratio "${WALL[convoy,$k]}" "${WALL[$peer,$k]}")")
    done
    if ((${FAILED[convoy,$k]} != 0)) || [[ "${TABLES[convoy,$k]}" != "$N" || "${ROWS[convoy,$k]}" != "$N" ]]; then
      met=0
    fi
    if has_tool flyway; then
      awk -v c="${WALL[convoy,$k]}" -v f="${WALL[flyway,$k]}" 'BEGIN { exit !(c <= 0.5 * f) }' || met=0
    else
      met=0
    fi
  done
  if ((met)); then VERDICT="TARGET MET"; else VERDICT="TARGET MISSED"; fi
fi
TARGET_TEXT="Convoy wall <= 0.5 x Flyway wall at every K, zero Convoy failures, and Convoy applied exactly N tables and N rows"

# Terminal table.
{
  echo
  printf '%-10s | %3s | %5s | %8s | %12s | %14s | %6s | %5s\n' tool K N "wall s" "failed procs" "applied tables" rows load1
  printf '%s\n' "-----------+-----+-------+----------+--------------+----------------+--------+------"
  for row in "${TABLE_ROWS[@]}"; do
    IFS='|' read -r a b c d e f g h <<<"$row"
    printf '%-10s | %3s | %5s | %8s | %12s | %14s | %6s | %5s\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h"
  done
  if ((${#RATIO_ROWS[@]})); then
    echo
    echo "Convoy wall / peer wall (lower is better; target <= 0.50 vs Flyway):"
    for row in "${RATIO_ROWS[@]}"; do
      IFS='|' read -r a b c <<<"$row"
      printf '  K=%-3s convoy/%-9s = %s\n' "$a" "$b" "$c"
    done
  fi
  if [[ -n "$VERDICT" ]]; then
    echo
    echo "$VERDICT ($TARGET_TEXT)"
  fi
}

# Markdown.
mkdir -p "$(dirname "$RESULTS")"
JAVA_VERSION="$(java -version 2>&1 | head -n 1)"
{
  echo "# Startup race"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "- machine: $(nproc) cores, $(uname -sm), $JAVA_VERSION, $(pg -d postgres -tAc 'SHOW server_version' | head -n 1 | sed 's/^/PostgreSQL /')"
  echo "- command: \`$COMMAND_LINE\`$( ((REPEAT > 1)) && echo " with REPEAT=$REPEAT (median wall)")"
  echo "- each process: upgrade to head over N migrations on a fresh database, all K started at once; wall = first start to last exit"
  if has_tool convoy; then echo "- convoy invoked as: \`$CONVOY_SHOWN upgrade head --url postgresql://postgres@HOST:PORT/DB --dir DIR\` (launcher and jar copied to a scratch folder first; jar built $(date -r "$CONVOY_JAR" '+%Y-%m-%d %H:%M:%S'))"; fi
  echo "- flyway / liquibase invoked as: \`java -cp bench/peers/target/peers.jar dev.convoy.bench.FlywayRun|LiquibaseRun JDBC_URL DIR|CHANGELOG\` (default JVM flags)"
  echo "- each race is preceded by one untimed warm-up run of the same tool (K=1, scratch database); load1 is the 1-minute load average just before the race"
  echo
  echo "| tool | K | N | wall s | failed procs | applied tables | rows | load1 |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "${TABLE_ROWS[@]}"; do
    IFS='|' read -r a b c d e f g h <<<"$row"
    echo "| $a | $b | $c | $d | $e | $f | $g | $h |"
  done
  if ((${#RATIO_ROWS[@]})); then
    echo
    echo "| K | Convoy wall / peer wall | ratio |"
    echo "| ---: | --- | ---: |"
    for row in "${RATIO_ROWS[@]}"; do
      IFS='|' read -r a b c <<<"$row"
      echo "| $a | convoy / $b | $c |"
    done
  fi
  if [[ -n "$VERDICT" ]]; then
    echo
    echo "**$VERDICT** ($TARGET_TEXT)"
  fi
} >"$RESULTS"
log "wrote ${RESULTS#"$ROOT"/}"
