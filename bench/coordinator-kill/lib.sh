# Functions of bench/coordinator-kill.sh: the processes it runs, its view of the coordinators'
# API, one rollout driven to its end while the leader is killed. Sourced, not run.

pg() { PGOPTIONS='-c client_min_messages=warning' psql -X -q -v ON_ERROR_STOP=1 "$@"; }
die() { echo "coordinator-kill: $*" >&2; exit 2; }
log() { echo "coordinator-kill: $*" >&2; }
now_ms() { date +%s%3N; }

# A TCP port of 127.0.0.1 nothing listens on.
free_port() {
  local p
  while true; do
    p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# await WHAT SECONDS COMMAND...: polls COMMAND until it succeeds; dies past the deadline.
await() {
  local what=$1 seconds=$2
  shift 2
  local until=$(($(now_ms) + seconds * 1000))
  until "$@"; do
    (($(now_ms) < until)) || die "not within ${seconds}s: $what (logs: $TMP)"
    sleep 0.1
  done
}

redis_up() { [[ "$(redis-cli -p "$REDIS_PORT" PING 2>/dev/null)" == PONG ]]; }

# Run as a simple command in the background, so that $! is the JVM itself (a function would put a
# subshell between, and a SIGKILL would hit the subshell).
CONVOY=(java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar)

db_url() { echo "postgresql://$PGUSER@$PGHOST:$PGPORT/${PREFIX}_$1"; }

start_agent() {
  local env=$1
  "${CONVOY[@]}" "$TMP/convoy.jar" agent --env "$env" --url "$(db_url "$env")" --redis "$REDIS_URL" --namespace drill \
    --dir "$TMP/migrations" --agent-id "agent-$env" --metrics-port 0 \
    --max-rows-per-second "$RATE" --wait-for-services 60s >>"$TMP/agent-$env.log" 2>&1 &
  PIDS[agent-$env]=$!
}

# A coordinator in slot c1 or c2 (its port). Each start is a new process with a new id, as the
# default id (host-pid) would be: a restart under the same id would find the lease still its own and
# take it back at once, and the standby would never have to take over.
declare -A STARTS=()
start_coordinator() {
  local slot=$1
  STARTS[$slot]=$((${STARTS[$slot]:-0} + 1))
  local id="$slot.${STARTS[$slot]}"
  "${CONVOY[@]}" "$TMP/convoy.jar" coordinator --id "$id" --control-url "$(db_url control)" --environments dev,staging,prod \
    --redis "$REDIS_URL" --namespace drill --http-port "${PORT[$slot]}" --dir "$TMP/migrations" \
    --lease-ttl "$LEASE_TTL" --wait-for-services 60s >>"$TMP/$slot.log" 2>&1 &
  PIDS[$slot]=$!
}

# api ID METHOD PATH [BODY]: the body of coordinator ID's answer; fails when it does not answer.
api() {
  local id=$1 method=$2 path=$3 body=${4:-}
  local args=(-sS -m 5 -X "$method" -H "Authorization: Bearer $CONVOY_API_TOKEN")
  [[ -n "$body" ]] && args+=(-H 'content-type: application/json' --data "$body")
  curl "${args[@]}" "http://127.0.0.1:${PORT[$id]}$path" 2>/dev/null
}

health() { api "$1" GET /health; }
answers() { health "$1" >/dev/null; }
is_leader() { health "$1" | jq -e '.leader == true' >/dev/null 2>&1; }

# The coordinator leading now (c1 or c2); fails when none does.
leader_name() {
  local id
  for id in c1 c2; do
    if is_leader "$id"; then
      echo "$id"
      return 0
    fi
  done
  return 1
}

# The leader if there is one, else any coordinator that answers.
someone() {
  local id
  leader_name && return 0
  for id in c1 c2; do
    if answers "$id"; then
      echo "$id"
      return 0
    fi
  done
  return 1
}

agents_heard() {
  local lead
  lead=$(leader_name) || return 1
  api "$lead" GET /api/environments |
    jq -e '(.environments | length) == 3 and all(.environments[]; any(.agents[]; .alive))' >/dev/null 2>&1
}

# Every environment has a live agent reporting exactly HEAD (empty: base).
heads_are() {
  local lead
  lead=$(leader_name) || return 1
  api "$lead" GET /api/environments |
    jq -e --arg h "$1" 'all(.environments[];
      any(.agents[]; .alive and .heads == (if $h == "" then [] else [$h] end)))' >/dev/null 2>&1
}

# Starts a rollout through the leader; prints its id.
start_rollout() {
  local request=$1 lead answer until=$(($(now_ms) + 60000))
  while (($(now_ms) < until)); do
    if lead=$(leader_name) && answer=$(api "$lead" POST /api/rollouts "$request") &&
      jq -e '.id' >/dev/null 2>&1 <<<"$answer"; then
      jq -r .id <<<"$answer"
      return 0
    fi
    sleep 0.2
  done
  die "could not start a rollout ($request): ${answer:-no leader}"
}

# One line on what a rollout was doing: its state, gate, and the step in flight (or next).
describe() {
  jq -r '
    ([.steps[] | select(.state == "sent" or .state == "running")] | first) as $busy
    | ([.steps[] | select(.state == "pending")] | first) as $next
    | ($busy // $next) as $s
    | .state
      + (if .waiting_for then ", waiting for " + .waiting_for.kind
           + (if .waiting_for.env then " before " + .waiting_for.env else "" end) else "" end)
      + (if $s then
           (if $busy then ", step " else ", next step " end) + ($s.seq | tostring) + " "
           + (if $s.rollback then "rollback " else "" end) + $s.action + " " + $s.phase
           + " in " + $s.env + " " + $s.state
           + (if ($s.rows_total // 0) > 0 then
                " (backfill " + ($s.rows_done | tostring) + "/" + ($s.rows_total | tostring) + ")"
              else "" end)
         else "" end)' <<<"$1" 2>/dev/null || echo "?"
}

# Draws the next kill delay into DELAY (in this shell: $RANDOM in a subshell would not advance).
draw_delay() {
  DELAY=$((KILL_MIN_MS + (RANDOM * 32768 + RANDOM) % (KILL_MAX_MS - KILL_MIN_MS + 1)))
}

# SIGKILLs coordinator LEAD during rollout NAME (id ID), restarts it, waits for a new term.
kill_leader() {
  local lead=$1 name=$2 id=$3 epoch r desc at
  epoch=$(health "$lead" | jq -r '.epoch // "?"' 2>/dev/null || echo "?")
  r=$(api "$lead" GET "/api/rollouts/$id") || r=""
  desc=$(describe "$r")
  at=$(now_ms)
  local killed_id="$lead.${STARTS[$lead]}" new_id=""
  kill -KILL "${PIDS[$lead]}" 2>/dev/null || true
  wait "${PIDS[$lead]}" 2>/dev/null || true
  KILLED=$((KILLED + 1))
  start_coordinator "$lead"
  local new="" new_epoch="" until=$((at + 120000)) c e
  while [[ -z "$new" ]] && (($(now_ms) < until)); do
    for c in c1 c2; do
      e=$(health "$c" | jq -r 'select(.leader == true) | .epoch' 2>/dev/null || true)
      if [[ -n "$e" && "$e" != "$epoch" ]]; then
        new=$c
        new_id="$c.${STARTS[$c]}"
        new_epoch=$e
      fi
    done
    [[ -z "$new" ]] && sleep 0.05
  done
  local took=$(($(now_ms) - at))
  local when
  when=$(awk -v ms=$((at - START_MS)) 'BEGIN { printf "%.1f", ms / 1000 }')
  KILL_ROWS+=("| $KILLED | $when | $killed_id (epoch $epoch) | $name | $desc | ${new_id:-none} (epoch ${new_epoch:-?}) | $took |")
  log "kill $KILLED at ${when}s: $killed_id (epoch $epoch) during $name: $desc; ${new_id:-no one} leads (epoch ${new_epoch:-?}) after ${took} ms"
}

# Approves (or, at prod's gate when ACTION is rollback, rolls back) a rollout waiting for a person.
release_gate() {
  local id=$1 r=$2 action=$3 kind env who
  kind=$(jq -r '.waiting_for.kind // empty' <<<"$r")
  env=$(jq -r '.waiting_for.env // empty' <<<"$r")
  [[ "$kind" == approval || ("$kind" == deploy && "$(jq -r .waiting_for.gate <<<"$r")" == approval) ]] || return 0
  # A person takes a moment: act APPROVE_AFTER_MS after the drill first saw this gate waiting.
  if [[ "$GATE_SEEN" != "$kind/$env" ]]; then
    GATE_SEEN="$kind/$env"
    GATE_RETRY_AT=$(($(now_ms) + APPROVE_AFTER_MS))
  fi
  (($(now_ms) >= GATE_RETRY_AT)) || return 0
  GATE_RETRY_AT=$(($(now_ms) + 2000)) # an answer lost with a killed leader is sent again later
  who=$(someone) || return 0
  if [[ "$action" == rollback && "$env" == prod ]]; then
    api "$who" POST "/api/rollouts/$id/rollback" '{}' >/dev/null || true
    GATE_LOG+="${GATE_LOG:+, }rollback at prod's gate"
  else
    api "$who" POST "/api/rollouts/$id/approve" '{"by":"coordinator-kill"}' >/dev/null || true
    GATE_LOG+="${GATE_LOG:+, }approve ${env:-the deploy window}"
  fi
}

# A rollout request in words: "per-environment; gates staging=soak:2s prod=approval".
summary() {
  jq -r '[.strategy]
    + (if .gates then ["gates " + (.gates | to_entries | map("\(.key)=\(.value)") | join(" "))] else [] end)
    + (if .contract_gate then ["contract gate " + .contract_gate] else [] end) | join("; ")' <<<"$1"
}

# Runs one rollout to its end, killing the leader on schedule; appends its row to ROLLOUT_ROWS.
run_rollout() {
  local name=$1 request=$2 gate_action=$3 expected=$4 target id
  target=$(jq -r .target <<<"$request")
  await "every agent reports ${HEAD:-base} before $name" 120 heads_are "$HEAD"
  id=$(start_rollout "$request")
  log "$name ($id) started: $request"
  local t0 kills_before=$KILLED lead r state="?" deadline
  t0=$(now_ms)
  deadline=$((t0 + 600000))
  GATE_LOG=""
  GATE_SEEN=""
  GATE_RETRY_AT=0
  while true; do
    lead=$(leader_name) || lead=""
    if who=$(someone) && r=$(api "$who" GET "/api/rollouts/$id") && jq -e .state >/dev/null 2>&1 <<<"$r"; then
      state=$(jq -r .state <<<"$r")
      case "$state" in succeeded | failed | rolled_back) break ;; esac
      [[ "$state" == waiting ]] && release_gate "$id" "$r" "$gate_action"
    fi
    # One schedule across the rollouts: the next kill comes DELAY after a leader is back.
    if ((KILLED < KILLS)) && [[ -n "$lead" ]]; then
      if [[ -z "$NEXT_KILL" ]]; then
        draw_delay
        NEXT_KILL=$(($(now_ms) + DELAY))
      elif (($(now_ms) >= NEXT_KILL)); then
        kill_leader "$lead" "$name" "$id"
        NEXT_KILL=""
      fi
    fi
    if (($(now_ms) > deadline)); then
      state="stuck ($state)"
      break
    fi
    sleep 0.2
  done
  local secs
  secs=$(awk -v ms=$(($(now_ms) - t0)) 'BEGIN { printf "%.1f", ms / 1000 }')
  local ok=yes
  [[ "$state" == "$expected" ]] || ok=NO
  ROLLOUT_ROWS+=("| $name | $id | $(summary "$request") | $target | ${GATE_LOG:-none} | $((KILLED - kills_before)) | $secs | $expected | $state | $ok |")
  ROLLOUT_IDS+=("$id")
  EXPECTED[$id]=$expected
  log "$name ($id) ended $state (expected $expected) in ${secs}s, $((KILLED - kills_before)) kills"
  [[ "$state" == succeeded ]] && HEAD=$target
  [[ "$ok" == yes ]] || { log "$name did not end as expected; no further rollouts"; write_report; }
}

seed_data() {
  local env
  for env in "${ENVS[@]}"; do
    pg -d "${PREFIX}_$env" -c "INSERT INTO big (id) SELECT g FROM generate_series(1, $ROWS) g;
      INSERT INTO item (id, qty) SELECT g, 1 + g % 5 FROM generate_series(1, 100) g;" \
      -c "VACUUM ANALYZE big" >/dev/null
  done
  # Only prod holds a row that k003's check refuses: R3 fails there and is rolled back.
  pg -d "${PREFIX}_prod" -c "INSERT INTO item VALUES (0, -1)" >/dev/null
}

write_migrations() {
  local dir=$1/versions
  mkdir -p "$dir"
  cat >"$dir/k001_tables.sql" <<'EOF'
-- revision: k001
-- down_revision: null
-- message: item and big
-- +upgrade
CREATE TABLE item (id bigint PRIMARY KEY, qty int NOT NULL);
CREATE TABLE big (id bigint PRIMARY KEY, score int NOT NULL DEFAULT 0);
-- +downgrade
DROP TABLE big;
DROP TABLE item;
EOF
  cat >"$dir/k002_backfill.yaml" <<'EOF'
revision: k002
down_revision: k001
message: label every item, add one to every score (not idempotent)
operations:
  - op: add_column
    table: item
    column: {name: label, type: text, nullable: false}
    backfill: "'item ' || id"
  - op: backfill
    table: big
    set: {score: "score + 1"}
EOF
  cat >"$dir/k003_check.yaml" <<'EOF'
revision: k003
down_revision: k002
message: quantities are positive (prod has a row that is not); undoing it takes 2 s
operations:
  - op: add_check
    table: item
    name: item_qty_positive
    check: "qty > 0"
  - op: sql
    up: "SELECT 1"
    down: "SELECT pg_sleep(2)"
EOF
  cat >"$dir/k004_index.yaml" <<'EOF'
revision: k004
down_revision: k003
message: index scores
operations:
  - op: create_index
    table: big
    name: big_score
    columns: [score]
EOF
  local i prev=k004 rev
  for i in $(seq 5 "$LAST_FILLER"); do
    rev="k$(printf '%03d' "$i")"
    cat >"$dir/${rev}_note.yaml" <<EOF
revision: $rev
down_revision: $prev
message: note $i
operations:
  - op: add_column
    table: item
    column: {name: note$i, type: text}
EOF
    prev=$rev
  done
}
