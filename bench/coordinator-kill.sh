#!/usr/bin/env bash
# Coordinator-kill drill: two coordinators (one leads, one stands by) and three agents (dev,
# staging, prod), each its own `convoy` process, on a Redis of the drill's own (free port) and
# scratch databases on the PostgreSQL server. It runs rollouts that include approval gates, a
# deploy window, a backfill, a rollout that fails in prod and is rolled back automatically, and one
# rolled back on purpose at prod's approval gate; meanwhile it SIGKILLs the leading coordinator at
# KILLS moments drawn from a seeded random generator (printed), restarting it each time. At the end
# it checks, from the databases, that every rollout ended as it should (succeeded or rolled_back)
# and that no step was applied twice in any database, and writes bench/results/coordinator-kill.md.
#
#   bash bench/coordinator-kill.sh              # 20 kills, a random seed (printed)
#   SEED=4242 bash bench/coordinator-kill.sh    # the same kill delays again
#
# Environment (all optional):
#   SEED=<n>            seeds the kill delays (default: from the clock; printed)
#   KILLS=20            how many times the leader is SIGKILLed
#   KILL_MIN_MS=500 KILL_MAX_MS=6000   a kill comes this long (uniform) after a leader is back
#   LEASE_TTL=3s        the coordinators' --lease-ttl
#   ROWS=20000 RATE=4000   rows the backfill fills per environment, agents' --max-rows-per-second
#   APPROVE_AFTER_MS=3000  how long the drill leaves a gate waiting before it approves (or rolls back)
#   PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres   the PostgreSQL server (trust auth)
#   RESULTS=bench/results/coordinator-kill.md
#
# Exit 0 when every check passed, 1 when one failed, 2 on bad settings or a missing tool.
set -euo pipefail

KILLS="${KILLS:-20}"
SEED="${SEED:-$(($(date +%s) % 100000))}"
KILL_MIN_MS="${KILL_MIN_MS:-500}"
KILL_MAX_MS="${KILL_MAX_MS:-6000}"
LEASE_TTL="${LEASE_TTL:-3s}"
ROWS="${ROWS:-20000}"
RATE="${RATE:-4000}"
APPROVE_AFTER_MS="${APPROVE_AFTER_MS:-3000}"
LAST_FILLER=40 # k005..k040: short rollouts that make room for the kills left
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS="${RESULTS:-$BENCH_DIR/results/coordinator-kill.md}"
# shellcheck source=bench/coordinator-kill/lib.sh
source "$BENCH_DIR/coordinator-kill/lib.sh"
# shellcheck source=bench/coordinator-kill/report.sh
source "$BENCH_DIR/coordinator-kill/report.sh"

for v in KILLS SEED KILL_MIN_MS KILL_MAX_MS ROWS RATE APPROVE_AFTER_MS; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
((KILL_MAX_MS > KILL_MIN_MS)) || die "KILL_MAX_MS ($KILL_MAX_MS) must be more than KILL_MIN_MS ($KILL_MIN_MS)"
[[ "$LEASE_TTL" =~ ^[0-9]+(ms|s)$ ]] || die "LEASE_TTL must look like 3s or 2500ms, got '$LEASE_TTL'"
for tool in java psql jq curl redis-server redis-cli; do
  command -v "$tool" >/dev/null || die "$tool not found (needed to run the drill)"
done
pg -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 ||
  die "cannot reach PostgreSQL at $PGUSER@$PGHOST:$PGPORT (set PGHOST/PGPORT/PGUSER; trust auth expected)"

# ---------------------------------------------------------------- the jar, run from a copy
"$ROOT/convoy" --version >/dev/null # builds cli/target/convoy.jar when missing or stale
TMP="$(mktemp -d "${TMPDIR:-/tmp}/coordinator-kill.XXXXXX")"
cp "$ROOT/cli/target/convoy.jar" "$TMP/convoy.jar"
PREFIX="ck$$"
DBS=("${PREFIX}_dev" "${PREFIX}_staging" "${PREFIX}_prod" "${PREFIX}_control")
ENVS=(dev staging prod)
export CONVOY_API_TOKEN="drill-token-$$-$(date +%s%N)"
export CONVOY_SIGNING_KEY="drill-signing-key-$$-$(date +%s%N)"

# ---------------------------------------------------------------- cleanup on any exit
declare -A PIDS=()
REDIS_PID=""
cleanup() {
  local rc=$?
  for name in "${!PIDS[@]}"; do
    kill "${PIDS[$name]}" 2>/dev/null || true
  done
  for name in "${!PIDS[@]}"; do
    wait "${PIDS[$name]}" 2>/dev/null || true
  done
  [[ -n "$REDIS_PID" ]] && { kill "$REDIS_PID" 2>/dev/null || true; wait "$REDIS_PID" 2>/dev/null || true; }
  for db in "${DBS[@]}"; do
    pg -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [[ "${KEEP_LOGS:-0}" == 1 ]]; then log "logs kept in $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- services and processes
REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
REDIS_PID=$!
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
await "Redis on port $REDIS_PORT answers" 30 redis_up
for db in "${DBS[@]}"; do
  pg -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
done
write_migrations "$TMP/migrations"
for env in "${ENVS[@]}"; do
  start_agent "$env"
done
declare -A PORT=([c1]="$(free_port)" [c2]="$(free_port)")
start_coordinator c1
await "c1 leads" 60 is_leader c1
start_coordinator c2
await "c2 answers (standing by)" 60 answers c2
await "every agent is heard" 60 agents_heard

# ---------------------------------------------------------------- the rollouts
# name | request | at an approval gate: approve, or roll back at prod's | expected end | then
PLAN=(
  'R1|{"strategy":"per-environment","target":"k001","gates":{"staging":"soak:2s","prod":"approval"}}|approve|succeeded|seed'
  'R2|{"strategy":"expand-first","target":"k002","contract_gate":"approval"}|approve|succeeded|-'
  'R3|{"strategy":"per-environment","target":"k003","gates":{"staging":"soak:2s","prod":"soak:2s"}}|approve|rolled_back|fix-prod'
  'R4|{"strategy":"per-environment","target":"k003","gates":{"prod":"approval"}}|approve|succeeded|-'
  'R5|{"strategy":"per-environment","target":"k004","gates":{"prod":"approval"}}|rollback|rolled_back|-'
  'R6|{"strategy":"per-environment","target":"k004","gates":{"staging":"soak:2s"}}|approve|succeeded|-'
)
for i in $(seq 5 "$LAST_FILLER"); do
  PLAN+=("F$i|{\"strategy\":\"per-environment\",\"target\":\"k$(printf '%03d' "$i")\",\"gates\":{\"staging\":\"soak:2s\",\"prod\":\"soak:2s\"}}|approve|succeeded|-")
done

RANDOM="$SEED"
START_MS="$(now_ms)"
KILLED=0
NEXT_KILL=""
HEAD="" # the revision every environment is at
declare -a ROLLOUT_ROWS=() KILL_ROWS=() ROLLOUT_IDS=()
declare -A EXPECTED=()
log "seed $SEED, $KILLS kills, ${KILL_MIN_MS}-${KILL_MAX_MS} ms after a leader is back, lease $LEASE_TTL"
for entry in "${PLAN[@]}"; do
  IFS='|' read -r name request gate_action expected after <<<"$entry"
  if [[ "$name" == F* ]] && ((KILLED >= KILLS)); then
    break # the fillers only make room for the remaining kills
  fi
  run_rollout "$name" "$request" "$gate_action" "$expected"
  case "$after" in
    seed) seed_data ;;
    fix-prod) pg -d "${PREFIX}_prod" -c "UPDATE item SET qty = 1 WHERE qty <= 0" >/dev/null ;;
  esac
done

write_report
