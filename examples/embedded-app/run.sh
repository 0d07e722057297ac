#!/usr/bin/env bash
# Installs Convoy as the README says (mvn install of the project), then builds this application
# against the installed convoy-embed and runs its test: the app migrates a fresh database on the
# PostgreSQL at CONVOY_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres) at
# startup, logs through SLF4J, and no "SLF4J:" warning is printed anywhere.
#
#   bash examples/embedded-app/run.sh
#   MAVEN_REPO_LOCAL=/tmp/m2 bash examples/embedded-app/run.sh   # another local repository
#
# Offline (-o): every artifact comes from the local repository, as in the project's own build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
repo=()
if [ -n "${MAVEN_REPO_LOCAL:-}" ]; then repo=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL"); fi

echo "== mvn -B install -DskipTests (Convoy, into the local Maven repository)"
(cd "$root" && mvn -B -q install -DskipTests "${repo[@]}")

echo "== the embedded app: build against the installed convoy-embed and run its test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
(cd "$here" && mvn -B clean test "${repo[@]}") >"$log" 2>&1
code=$?
set -e
cat "$log"
if [ "$code" -ne 0 ]; then
  echo "embedded-app: FAILED (mvn exited $code)" >&2
  exit 1
fi
if grep -n "SLF4J:" "$log"; then
  echo "embedded-app: FAILED: SLF4J printed a warning (above)" >&2
  exit 1
fi
echo "embedded-app: PASS"
