#!/usr/bin/env bash
# Coordination benchmark: (A) a trivial migration rolled through dev, staging and prod with auto
# gates: end-to-end time, time spent in SQL and coordination overhead per stage; (B) N agents
# connected at once (in-process AgentDaemons, each with its own Redis client): heartbeat lag as
# the coordinator measures it, and agents seen alive. One coordinator, its agents and the harness
# in one JVM (bench/coordination/target/coordination.jar), on the real PostgreSQL and Redis.
#
#   bash bench/coordination.sh [REPEATS=5] [AGENTS=50] [SECONDS=20]
#
# Environment (all optional):
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres   the PostgreSQL server (trust auth)
#   REDIS_URL=redis://127.0.0.1:6379               the Redis server
#   WARMUPS=3        untimed rollouts before the REPEATS timed ones (first-use JIT and class loading)
#   POLL_MS=10       how often the harness polls GET /api/rollouts/{id}
#   TICK_MS=100      the coordinator's tick (the CLI's fixed value)
#   HEARTBEAT_MS=1000  the agents' heartbeat interval (the CLI's default)
#   PARTS=AB         A, B or AB
#   NO_DB_VARIANT=1  after B, run B' (diagnostic, not in the verdict): the same agents with their
#                    database unreachable, so heartbeats open no PostgreSQL connection; 0: skip it
#   IDLE_WAIT=300    first wait up to this many seconds for an idle machine (under IDLE_BUSY% of all
#   IDLE_BUSY=15     cores busy over 3 s); 0: do not wait
#   BUSY_LIMIT=10 BUSY_RETRIES=2   when processes outside the benchmark (not its JVM, Redis or this
#                    run's PostgreSQL; backends of other databases count) used more than BUSY_LIMIT% of
#                    the machine during a part, run that part again (at most BUSY_RETRIES more times);
#                    the report shows that CPU and the attempts
#   JAVA_OPTS=""     extra JVM options for the harness
#   REBUILD=stale    build the harness jar when it is missing or older than its sources or the
#                    installed Convoy jars; "missing": only when missing
#   RESULTS=bench/results/coordination.md   where the markdown copy of the results goes
#
# Prints the per-stage table (overhead median/max, SQL/apply, where the overhead goes), the lag
# table and TARGET MET / TARGET MISSED (overhead <= 100 ms per stage, heartbeat lag p99 <= 50 ms with
# every agent alive); writes the same as markdown to RESULTS.
set -euo pipefail

REPEATS="${1:-5}"
AGENTS="${2:-50}"
SECONDS_RUN="${3:-20}"
WARMUPS="${WARMUPS:-3}"
POLL_MS="${POLL_MS:-10}"
TICK_MS="${TICK_MS:-100}"
HEARTBEAT_MS="${HEARTBEAT_MS:-1000}"
PARTS="${PARTS:-AB}"
NO_DB_VARIANT="${NO_DB_VARIANT:-1}"
IDLE_WAIT="${IDLE_WAIT:-300}"
IDLE_BUSY="${IDLE_BUSY:-15}"
BUSY_LIMIT="${BUSY_LIMIT:-10}"
BUSY_RETRIES="${BUSY_RETRIES:-2}"
REBUILD="${REBUILD:-stale}"
JAVA_OPTS="${JAVA_OPTS:-}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PROJECT="$BENCH_DIR/coordination"
JAR="$PROJECT/target/coordination.jar"
RESULTS="${RESULTS:-$BENCH_DIR/results/coordination.md}"
M2_CONVOY="${HOME}/.m2/repository/dev/convoy"
COMMAND_LINE="bash bench/coordination.sh $REPEATS $AGENTS $SECONDS_RUN"
NS_PREFIX="bench-coord-$$"
DBS=(bench_coord_dev bench_coord_staging bench_coord_prod bench_coord_control)

pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q "$@"; }
die() { echo "coordination: $*" >&2; exit 2; }
log() { echo "coordination: $*" >&2; }

for v in REPEATS AGENTS SECONDS_RUN POLL_MS TICK_MS HEARTBEAT_MS; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer, got '${!v}'"
done
for v in WARMUPS IDLE_WAIT IDLE_BUSY BUSY_LIMIT BUSY_RETRIES; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
((AGENTS <= 99)) || die "AGENTS must be at most 99 (environments e01..e99)"
[[ "$PARTS" =~ ^[ABab]+$ ]] || die "PARTS must be A, B or AB"
[[ "$NO_DB_VARIANT" == 0 || "$NO_DB_VARIANT" == 1 ]] || die "NO_DB_VARIANT must be 0 or 1"
[[ "$REBUILD" == stale || "$REBUILD" == missing ]] || die "REBUILD must be stale or missing"
command -v java >/dev/null || die "java not found"
command -v psql >/dev/null || die "psql not found (used to check PostgreSQL and to clean up)"

# ---------------------------------------------------------------- reachability
pg -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 ||
  die "cannot reach PostgreSQL at $PGUSER@$PGHOST:$PGPORT (set PGHOST/PGPORT/PGUSER; trust auth expected)"
redis_hostport="${REDIS_URL#redis://}"
redis_hostport="${redis_hostport##*@}"
redis_hostport="${redis_hostport%%/*}"
REDIS_HOST="${redis_hostport%%:*}"
REDIS_PORT="${redis_hostport##*:}"
[[ "$REDIS_PORT" == "$redis_hostport" ]] && REDIS_PORT=6379
redis_ping() {
  local reply
  exec 3<>"/dev/tcp/$REDIS_HOST/$REDIS_PORT" || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 3 reply <&3 || reply=""
  exec 3<&- 3>&-
  [[ "$reply" == +PONG* ]]
}
redis_ping 2>/dev/null || die "cannot reach Redis at $REDIS_HOST:$REDIS_PORT (PING got no +PONG; set REDIS_URL)"

# ---------------------------------------------------------------- build what is missing or stale
if [[ ! -d "$M2_CONVOY/convoy-coordinator/0.1.0-SNAPSHOT" || ! -d "$M2_CONVOY/convoy-agent/0.1.0-SNAPSHOT" ]]; then
  log "installing the Convoy modules into the local Maven repository (tests skipped)"
  (cd "$ROOT" && mvn -B -q install -DskipTests -Dspotless.check.skip=true -Denforcer.skip=true) >&2
fi
harness_stale() {
  [[ ! -f "$JAR" ]] && return 0
  [[ "$REBUILD" == missing ]] && return 1
  [[ "$PROJECT/pom.xml" -nt "$JAR" ]] && return 0
  [[ -n "$(find "$PROJECT/src" "$M2_CONVOY" -type f \( -name '*.java' -o -name '*.jar' \) \
    -newer "$JAR" -print -quit 2>/dev/null)" ]]
}
if harness_stale; then
  log "building $JAR (missing, or older than its sources or the installed Convoy jars)"
  mvn -B -q -f "$PROJECT/pom.xml" package >&2
fi
[[ -f "$JAR" ]] || die "no $JAR after the build"
jar_time() { date -r "$1" '+%Y-%m-%d %H:%M:%S' 2>/dev/null || echo '?'; }
CONVOY_BUILD="convoy-coordinator and convoy-agent 0.1.0-SNAPSHOT from the local Maven repository (installed $(jar_time "$M2_CONVOY/convoy-coordinator/0.1.0-SNAPSHOT/convoy-coordinator-0.1.0-SNAPSHOT.jar") and $(jar_time "$M2_CONVOY/convoy-agent/0.1.0-SNAPSHOT/convoy-agent-0.1.0-SNAPSHOT.jar")), shaded into the harness jar built $(jar_time "$JAR")"
# Run a copy: an install by someone else during the run must not change the jar under the JVM.
TMP="$(mktemp -d "${TMPDIR:-/tmp}/coordination.XXXXXX")"
cp "$JAR" "$TMP/coordination.jar"

# ---------------------------------------------------------------- cleanup on any exit
JAVA_PID=""
cleanup() {
  local rc=$?
  [[ -n "$JAVA_PID" ]] && kill "$JAVA_PID" 2>/dev/null && wait "$JAVA_PID" 2>/dev/null || true
  for db in "${DBS[@]}"; do
    pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  # This run's Redis keys (namespaces $NS_PREFIX-a and -b); the harness deletes them itself unless
  # it was killed.
  if command -v redis-cli >/dev/null; then
    redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "convoy:$NS_PREFIX-*" 2>/dev/null |
      xargs -r -n 100 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" DEL >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- wait for an idle machine
# Percent of all cores busy over the next N seconds, from /proc/stat.
busy_pct() {
  local a b
  a=$(head -n 1 /proc/stat); sleep "$1"; b=$(head -n 1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 2; i <= n; i++) { t += y[i] - x[i]; if (i == 5 || i == 6) idle += y[i] - x[i] }
    printf "%.0f", (t > 0 ? 100 * (t - idle) / t : 0) }'
}
if ((IDLE_WAIT > 0)); then
  waited=0
  BUSY=$(busy_pct 3)
  while ((BUSY > IDLE_BUSY && waited < IDLE_WAIT)); do
    ((waited == 0)) && log "waiting up to ${IDLE_WAIT}s for an idle machine (${BUSY}% busy)"
    sleep 2
    waited=$((waited + 5))
    BUSY=$(busy_pct 3)
  done
  ((BUSY > IDLE_BUSY)) && log "WARNING: the machine is still ${BUSY}% busy; the numbers will show it"
fi

# ---------------------------------------------------------------- run
log "repeats $REPEATS (+$WARMUPS warm-up), agents $AGENTS, seconds $SECONDS_RUN, parts $PARTS"
# Agents stopped mid-heartbeat log "could not publish heartbeat event: null" (close() interrupts
# their Redis call); after the harness's "stopping" line those are counted, not shown.
quiet_shutdown() {
  awk '
    /^coordination: stopping / { stopping = 1; print; fflush(); next }
    /^coordination: / { if (n) printf "coordination: (%d agent warnings \"could not publish heartbeat event\" while stopping, not shown)\n", n; n = 0; stopping = 0 }
    stopping && /could not publish heartbeat event/ { n++; next }
    { print; fflush() }
    END { if (n) printf "coordination: (%d agent warnings \"could not publish heartbeat event\" while stopping, not shown)\n", n }'
}
NO_DB_BOOL=true
[[ "$NO_DB_VARIANT" == 0 ]] && NO_DB_BOOL=false
# shellcheck disable=SC2086
java $JAVA_OPTS -jar "$TMP/coordination.jar" \
  --repeats "$REPEATS" --warmups "$WARMUPS" --agents "$AGENTS" --seconds "$SECONDS_RUN" \
  --poll-ms "$POLL_MS" --tick-ms "$TICK_MS" --heartbeat-ms "$HEARTBEAT_MS" --parts "$PARTS" \
  --busy-limit "$BUSY_LIMIT" --busy-retries "$BUSY_RETRIES" \
  --redis "$REDIS_URL" --namespace-prefix "$NS_PREFIX" --results "$RESULTS" \
  --no-db-variant "$NO_DB_BOOL" \
  --command "$COMMAND_LINE" --convoy-build "$CONVOY_BUILD" 2> >(quiet_shutdown >&2) &
JAVA_PID=$!
rc=0
wait "$JAVA_PID" || rc=$?
JAVA_PID=""
exit "$rc"
