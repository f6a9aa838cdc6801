#!/usr/bin/env bash
# Randomisations through HTTP, the issue's speed target: `spire serve` on a
# fresh database, 16 concurrent clients × 200 fresh youth each (an
# Idempotency-Key on every request), on SQLite and — when
# SPIRE_BENCH_POSTGRES_URL names a PostgreSQL server (an admin URL, e.g. the
# one scripts/start-test-postgres.sh prints) — on PostgreSQL too. Prints each
# run's throughput and latency, the server's CPU per request (the `spire`
# process only: on PostgreSQL the database's own processes come on top), and checks with
# `spire trial verify` afterwards.
#
#   cargo build --release -p spire --bin spire --example trial_load
#   scripts/trial-load-bench.sh [runs=3] [clients=16] [requests=200]
#
# The load generator is `crates/spire/examples/trial_load.rs` (one thread,
# bare HTTP/1.1). With LOAD=node the node script `scripts/trial-load.mjs` is
# used instead (it takes about twice the server's CPU a request itself).
set -euo pipefail
runs=${1:-3}
clients=${2:-16}
requests=${3:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
spire=${SPIRE:-$root/target/release/spire}
generator=${LOAD:-$root/target/release/examples/trial_load}
work=$(mktemp -d /tmp/spire-load.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

load() {
  if [ "$generator" = node ]; then
    node "$root/scripts/trial-load.mjs" "$@"
  else
    "$generator" "$@"
  fi
}

# utime + stime of a process, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# serve DB PORT: starts the server, waits until it answers.
serve() {
  "$spire" serve --db "$1" --key-file "$work/server.key" --bind "127.0.0.1:$2" \
    --require-two-factor false --rate-limit 0 >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "spire serve did not start:"; cat "$work/serve.log"; exit 1
}

# bench LABEL DB PORT TOKEN TRIAL
bench() {
  serve "$2" "$3"
  local ticks_per_second; ticks_per_second=$(getconf CLK_TCK)
  for run in $(seq "$runs"); do
    local before; before=$(cpu_ticks "$server")
    local line; line=$(SPIRE_LOAD_RUN=$((2 * run)) load "http://127.0.0.1:$3" "$4" "$5" "$clients" "$requests")
    local after; after=$(cpu_ticks "$server")
    local cpu_ms; cpu_ms=$(awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n=$((clients * requests)) \
      'BEGIN { printf "%.2f", t / hz * 1000 / n }')
    echo "$1 run $run (load average $(cut -d' ' -f1 /proc/loadavg)): $line; server CPU $cpu_ms ms a request"
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  "$spire" trial verify --db "$2" >/dev/null && echo "$1: trial verify clean"
}

# SQLite: the demo database (its open demo trial, a caseworker in Roskilde;
# the demo writes its server key next to the database).
"$spire" demo --db "$work/demo.db" --no-serve >"$work/setup.log" 2>&1 || { cat "$work/setup.log"; exit 1; }
cp "$work/demo.key" "$work/server.key"
token=$("$spire" token create --db "$work/demo.db" --user sagsbehandler.roskilde)
bench SQLite "$work/demo.db" 18600 "$token" 1

if [ -n "${SPIRE_BENCH_POSTGRES_URL:-}" ]; then
  name="spire_load_$$"
  db=$(scripts/postgres-app-database.sh "$SPIRE_BENCH_POSTGRES_URL" "$name")
  "$spire" migrate --db "$db" >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; exit 1; }
  psql -q "$db" -c "INSERT INTO municipalities (code, name) VALUES (265, 'Roskilde') ON CONFLICT DO NOTHING"
  echo "load-test-password-1" | "$spire" user add --db "$db" --login sagsbehandler.load --name "Load Test" \
    --role caseworker --municipality 265 --password-stdin >/dev/null
  cat >"$work/design.toml" <<'EOF'
id = "spire-load"
name = "Load test"
target_size = 100000
method = "stratified_blocks"
ratio = [1, 1]
factors = ["municipality", "age_band", "readiness"]
block_multiples = [1, 2, 3]
EOF
  "$spire" trial create --db "$db" --key-file "$work/server.key" --design "$work/design.toml" >/dev/null
  token=$("$spire" token create --db "$db" --user sagsbehandler.load)
  trial=$(psql -tA "$db" -c "SELECT id FROM trials WHERE public_id = 'spire-load'")
  bench PostgreSQL "$db" 18601 "$token" "$trial"
  psql -q "$SPIRE_BENCH_POSTGRES_URL" -c "DROP DATABASE $name"
fi
