# The end of bench/coordinator-kill.sh: what the databases say after the drill, the verdict, and
# the markdown copy in RESULTS. Sourced, not run.

# One environment's database: "heads|history rows|applied twice|without a ledger row|ledger rows|
# ledger keys|keys sent under several epochs|ledger rows still running|scores not 1".
env_facts() {
  pg -d "${PREFIX}_$1" -tA -F '|' -c "
    SELECT (SELECT coalesce(string_agg(revision, ','), 'base') FROM convoy.version),
      (SELECT count(*) FROM convoy.history WHERE success AND plan_id IS NOT NULL),
      (SELECT count(*) FROM (SELECT 1 FROM convoy.history WHERE success AND plan_id IS NOT NULL
         GROUP BY plan_id, revision, direction, phase HAVING count(*) > 1) x),
      (SELECT count(*) FROM convoy.history h WHERE success AND plan_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM convoy.ledger l WHERE l.plan = h.plan_id AND l.epoch = h.epoch)),
      (SELECT count(*) FROM convoy.ledger),
      (SELECT count(DISTINCT (plan, step)) FROM convoy.ledger),
      (SELECT count(*) FROM (SELECT 1 FROM convoy.ledger GROUP BY plan, step HAVING count(*) > 1) x),
      (SELECT count(*) FROM convoy.ledger WHERE state = 'running'),
      (SELECT count(*) FROM big WHERE score <> 1)"
}

machine() {
  local cpu java pgv redisv
  cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')
  java=$(java -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  pgv=$(pg -d postgres -tAc 'SHOW server_version' 2>/dev/null || echo '?')
  redisv=$(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/')
  echo "$(nproc) cores ($cpu), $(uname -sr), Java $java, PostgreSQL $pgv, Redis $redisv"
}

write_report() {
  local failures=() env facts
  ((KILLED == KILLS)) || failures+=("only $KILLED of $KILLS kills happened (the rollouts ended first)")
  local control
  control=$(pg -d "${PREFIX}_control" -tA -F '|' -c \
    "SELECT id, state FROM convoy_control.rollouts ORDER BY created_at")
  local id state
  while IFS='|' read -r id state; do
    [[ -z "$id" ]] && continue
    [[ "$state" == succeeded || "$state" == rolled_back ]] ||
      failures+=("rollout $id ended $state in the control database")
    [[ "${EXPECTED[$id]:-}" == "$state" ]] ||
      failures+=("rollout $id is $state in the control database, expected ${EXPECTED[$id]:-(not started by the drill)}")
  done <<<"$control"
  local env_rows=()
  for env in "${ENVS[@]}"; do
    facts=$(env_facts "$env")
    local heads hist twice orphan lrows lkeys multi running scores
    IFS='|' read -r heads hist twice orphan lrows lkeys multi running scores <<<"$facts"
    local answered
    answered=$(grep -c "); not applied again" "$TMP/agent-$env.log" || true)
    env_rows+=("| $env | $heads | $hist | $twice | $orphan | $lrows | $lkeys | $multi | $answered | $running | $scores |")
    [[ "$heads" == "$HEAD" ]] || failures+=("$env is at $heads, expected $HEAD")
    ((twice == 0)) || failures+=("$env: $twice (plan, revision, direction, phase) applied more than once")
    ((orphan == 0)) || failures+=("$env: $orphan history rows of no command in the ledger")
    ((running == 0)) || failures+=("$env: $running ledger rows still running")
    ((scores == 0)) || failures+=("$env: $scores rows of big whose score is not 1 (a backfill batch ran twice, or none)")
  done
  local verdict="PASS"
  ((${#failures[@]} == 0)) || verdict="FAIL"

  local cmd="SEED=$SEED KILLS=$KILLS bash bench/coordinator-kill.sh"
  {
    echo "# Coordinator SIGKILLed at $KILLS random moments"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "- machine: $(machine); 1-minute load average at the end: $(cut -d' ' -f1 /proc/loadavg)"
    echo "- command: \`$cmd\` (seed $SEED; kill $KILL_MIN_MS-$KILL_MAX_MS ms, uniform, after a leader is back; lease $LEASE_TTL; backfill $ROWS rows per environment at $RATE rows/s)"
    echo "- processes: coordinators c1 and c2, agents of dev, staging and prod, each a \`convoy\` JVM (\`java -jar cli/target/convoy.jar\`); Redis on its own port; scratch databases on the PostgreSQL server (dropped at the end)"
    echo
    echo "## Kills"
    echo
    echo "Each kill: SIGKILL of the coordinator leading at that moment (no lease release), then started again at once (it comes back as standby or wins the next term). \"state hit\" is the rollout as that leader's API showed it just before; \"takeover\" is the time from the kill until a coordinator led under a new epoch."
    echo
    echo "| # | at s | killed | rollout | state hit | new leader | takeover ms |"
    echo "| ---: | ---: | --- | --- | --- | --- | ---: |"
    printf '%s\n' "${KILL_ROWS[@]}"
    echo
    echo "## Rollouts"
    echo
    echo "| rollout | id | request | target | gates released by the drill | kills during | s | expected | ended | as expected |"
    echo "| --- | --- | --- | --- | --- | ---: | ---: | --- | --- | --- |"
    printf '%s\n' "${ROLLOUT_ROWS[@]}"
    echo
    echo "## What the databases say"
    echo
    echo "Per environment, from its database: the heads; successful history rows of rollout commands, and how many (plan, revision, direction, phase) among them appear more than once (**applied twice**); history rows whose (plan, epoch) has no row in \`convoy.ledger\`; ledger rows, distinct (plan, step) keys, and keys with rows of several epochs (a new leader sent again a step that was still running: the agent resumed it under the new epoch); from the agent's log, steps sent again after they had finished, which the agent answered from its ledger without running them (\"not applied again\"); ledger rows left running; rows of \`big\` whose score is not 1 (k002 adds 1 to every row: a batch applied twice, or skipped, shows here)."
    echo
    echo "| env | heads | history rows | applied twice | without ledger row | ledger rows | (plan, step) keys | keys resumed under a new epoch | answered from the ledger | running | scores not 1 |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${env_rows[@]}"
    echo
    local env_name
    for env_name in "${ENVS[@]}"; do
      local dups
      dups=$(pg -d "${PREFIX}_$env_name" -tA -c "
        SELECT string_agg(format('- %s: plan %s, %s %s %s, epochs %s', '$env_name', plan_id,
          direction, revision, phase, epochs), E'\n')
        FROM (SELECT plan_id, revision, direction, phase,
                string_agg(epoch::text, ', ' ORDER BY id) epochs
              FROM convoy.history WHERE success AND plan_id IS NOT NULL
              GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) x")
      if [[ -n "$dups" ]]; then
        printf 'Applied twice:\n\n%s\n\n' "$dups"
      fi
    done
    if [[ "$verdict" == PASS ]]; then
      echo "**PASS**: $KILLED kills; every rollout ended succeeded or rolled back, as planned; no step was applied twice in any database; every environment is at $HEAD."
    else
      echo "**FAIL**:"
      printf -- '- %s\n' "${failures[@]}"
    fi
  } >"$TMP/report.md"
  mkdir -p "$(dirname "$RESULTS")"
  cp "$TMP/report.md" "$RESULTS"
  cat "$TMP/report.md"
  log "results written to $RESULTS"
  [[ "$verdict" == PASS ]] && exit 0
  exit 1
}
