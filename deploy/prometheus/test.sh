#!/usr/bin/env bash
# Checks Convoy's Prometheus files: the config (prometheus.yml), the alerting rules (alerts.yml) and
# their unit tests (alerts_test.yml: every alert firing and not firing). Installs Debian's
# `prometheus` package (it carries promtool) with apt-get when promtool is missing.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v promtool >/dev/null; then
  echo "prometheus: installing Debian's prometheus package for promtool" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

promtool check config prometheus.yml
promtool check rules alerts.yml
promtool test rules alerts_test.yml
