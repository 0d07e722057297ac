#!/usr/bin/env bash
# The console's browser tests: makes sure Debian's chromium, Node.js (20 or newer) with npm, and
# playwright-core (npm ci from e2e/package-lock.json; it never downloads a browser) are there, then
# runs cli's ConsoleBrowserIT, which starts a real coordinator and an agent per environment and runs
# `node --test` on e2e/tests against them. Screenshots: cli/target/e2e-screenshots/; the tests'
# output: cli/target/e2e-node.log.
#
#   bash e2e/run.sh            prepare, then build what cli needs and run the browser tests alone
#   bash e2e/run.sh --prepare  only prepare: `mvn verify` runs ConsoleBrowserIT with the rest
#
# Needs PostgreSQL and Redis as scripts/services.sh leaves them. MVN_ARGS adds Maven options (-o).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing chromium" >&2
  apt_install chromium
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "e2e: installing Node.js and npm" >&2
  command -v node >/dev/null || apt_install nodejs
  command -v npm >/dev/null || apt_install npm
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "e2e: Node.js $(node --version) is too old: playwright-core and node --test's" \
    "--test-concurrency need Node.js 20 or newer; install it and run again" >&2
  exit 2
fi
# npm ci only when the lock file changed since the last install: a rerun costs nothing.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
  [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "e2e: npm ci (playwright-core)" >&2
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

[ "${1:-}" = "--prepare" ] && exit 0

cd "$here/.."
# Every module cli needs is built from this tree; only ConsoleBrowserIT runs.
# shellcheck disable=SC2086
mvn -B -q ${MVN_ARGS:-} -pl cli -am verify \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ConsoleBrowserIT -Dfailsafe.failIfNoSpecifiedTests=false
echo "e2e: browser tests passed; screenshots in cli/target/e2e-screenshots/" >&2
