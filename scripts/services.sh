#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, trust auth for user postgres) and Redis (127.0.0.1:6379)
# are running: starts them when installed, installs them with apt-get when absent.
set -euo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

if ! listening 5432; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "services: installing PostgreSQL" >&2
    apt_install postgresql
  fi
  version=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    # Tests and the demo connect as postgres over TCP without a password, as on the dev machines.
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  echo "services: starting PostgreSQL $version" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do listening 5432 && break; sleep 1; done
  listening 5432 || { echo "services: PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
fi

if ! listening 6379; then
  command -v redis-server >/dev/null || { echo "services: installing Redis" >&2; apt_install redis-server; }
  echo "services: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 30); do listening 6379 && break; sleep 0.5; done
  listening 6379 || { echo "services: Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
fi
# Tools the tests start on their own ports: PgBouncer (pooling tests), openssl (a TLS server's
# certificates), setpriv (running the launcher as an unprivileged user).
[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || { echo "services: installing PgBouncer" >&2; apt_install pgbouncer; }
command -v openssl >/dev/null || { echo "services: installing openssl" >&2; apt_install openssl; }
command -v setpriv >/dev/null || { echo "services: installing util-linux (setpriv)" >&2; apt_install util-linux; }
# SQLModel (Debian's python3-sqlmodel, for the system python3): the test of the ORM recipe in
# examples/sqlmodel-app runs its schema-command for real.
/usr/bin/python3 -c 'import sqlmodel' 2>/dev/null || { echo "services: installing python3-sqlmodel" >&2; apt_install python3 python3-sqlmodel; }
echo "services: PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 are up" >&2
