#!/usr/bin/env bash
# Stops the server started by start-test-postgres.sh and removes its folder.
set -uo pipefail
dir=${1:?usage: stop-test-postgres.sh DATA_DIR}
pgbin=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
runuser -u postgres -- "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$dir"
