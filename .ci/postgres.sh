#!/usr/bin/env bash
# Starts a throw-away PostgreSQL cluster on a local port as an unprivileged user, for the test suite.
# Usage: .ci/postgres.sh prepare         -> PostgreSQL installed and its unprivileged user created, no server
#        source .ci/postgres.sh start   -> exports CENTINELA_TEST_POSTGRES_URL
#        .ci/postgres.sh stop
# Installs PostgreSQL from Debian's packages when it is missing.
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"
PG_DIR="${PG_DIR:-/tmp/centinela-ci-pg}"
PG_USER="${PG_USER:-centinela_ci}"

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$found" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    found=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$found"
}

as_user() {
  if [ "$(id -u)" = "0" ]; then
    su -s /bin/bash "$PG_USER" -c "$*"
  else
    bash -c "$*"
  fi
}

prepare() {
  pg_bin >/dev/null
  if [ "$(id -u)" = "0" ] && ! id "$PG_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  fi
}

start() {
  local bin
  prepare
  bin=$(pg_bin)
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  [ "$(id -u)" = "0" ] && chown "$PG_USER" "$PG_DIR"
  as_user "'$bin/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 >/dev/null"
  as_user "'$bin/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/log' -w -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off' start >/dev/null"
  export CENTINELA_TEST_POSTGRES_URL="postgresql+asyncpg://postgres@127.0.0.1:$PG_PORT/postgres"
}

stop() {
  local bin
  bin=$(pg_bin)
  as_user "'$bin/pg_ctl' -D '$PG_DIR/data' -m fast -w stop >/dev/null" || true
  rm -rf "$PG_DIR"
}

"${1:-start}"
