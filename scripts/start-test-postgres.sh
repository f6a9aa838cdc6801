#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1:${PGPORT:-55432} for the
# tests, as the postgres user (initdb refuses root). Prints the URL to export
# as SPIRE_TEST_POSTGRES_URL and the data folder (for stop-test-postgres.sh).
set -euo pipefail
port=${PGPORT:-55432}
pgbin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
dir=$(mktemp -d /tmp/spire-pg.XXXXXX)
chown postgres "$dir"
runuser -u postgres -- "$pgbin/initdb" -D "$dir/data" -A trust -U postgres >"$dir/initdb.log"
runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=on -c max_connections=200" \
  -l "$dir/log" -w start >/dev/null
echo "SPIRE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
echo "SPIRE_TEST_POSTGRES_DIR=$dir"
