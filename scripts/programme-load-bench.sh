#!/usr/bin/env bash
# The consultant's week and the youth page at national scale (issue 14's
# speed target): `spire bench-data` fills a fresh database with 98
# municipalities, 60,000 youth, 150,000 internships and 1,000,000 check-ins
# (crates/store/src/scale.rs says how); `spire serve`; 16 consultants of 16
# municipalities log in; 16 concurrent clients each ask for their week and
# their youth's pages in turn (one in five requests the week); then 8
# programme-office clients ask for the cross-municipal dashboard, then for
# municipalities' fidelity reports. On SQLite, and
# on PostgreSQL too when SPIRE_BENCH_POSTGRES_URL names a server (an admin
# URL, e.g. the one scripts/start-test-postgres.sh prints). Prints each run's
# throughput and p50/p99 (all pages, the week alone, the youth pages alone)
# and the server's CPU per request (the `spire` process only), after one
# short warm-up pass that is not counted.
#
#   cargo build --release -p spire --bin spire --example page_load
#   scripts/programme-load-bench.sh [runs=3] [clients=16] [requests=200]
set -euo pipefail
runs=${1:-3}
clients=${2:-16}
requests=${3:-200}
root=$(cd "$(dirname "$0")/.." && pwd)
spire=${SPIRE:-$root/target/release/spire}
generator=$root/target/release/examples/page_load
work=$(mktemp -d /tmp/spire-pages.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/server.key"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

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

# sessions PORT: logs in the first $clients consultants; one line each:
# the session cookie, /week, and their youth's pages.
sessions() {
  : >"$work/sessions"
  head -n "$clients" "$work/consultants" | while read -r login youth; do
    cookie=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$1" \
      --data-urlencode "login=$login" --data-urlencode "password=spire-bench-2026" \
      "http://127.0.0.1:$1/login" | sed -n 's/^set-cookie: spire_session=\([^;]*\).*/\1/Ip' | head -1)
    [ -n "$cookie" ] || { echo "log-in of $login failed"; exit 1; }
    paths="/week"
    for id in $(echo "$youth" | tr ' ' '\n' | head -n 4); do paths="$paths /youth/$id"; done
    echo "$cookie $paths" >>"$work/sessions"
  done
}

# bench LABEL DB PORT
bench() {
  local started; started=$(date +%s)
  "$spire" bench-data --db "$2" --key-file "$work/server.key" >"$work/consultants" 2>"$work/generate.log" \
    || { cat "$work/generate.log"; exit 1; }
  echo "$1: $(tail -1 "$work/generate.log") (wall $(( $(date +%s) - started )) s)"
  serve "$2" "$3"
  sessions "$3"
  # One short warm-up pass, not counted: the first pages after a bulk load
  # fill the caches (and PostgreSQL's plans), as a serving system's have been.
  "$generator" "http://127.0.0.1:$3" "$work/sessions" "$clients" 25 >/dev/null
  local hz; hz=$(getconf CLK_TCK)
  for run in $(seq "$runs"); do
    local before; before=$(cpu_ticks "$server")
    local line; line=$("$generator" "http://127.0.0.1:$3" "$work/sessions" "$clients" "$requests")
    local after; after=$(cpu_ticks "$server")
    local cpu_ms; cpu_ms=$(awk -v t=$((after - before)) -v hz="$hz" -v n=$((clients * requests)) \
      'BEGIN { printf "%.2f", t / hz * 1000 / n }')
    echo "$1 run $run (load average $(cut -d' ' -f1 /proc/loadavg)): $line; server CPU $cpu_ms ms a request"
  done
  dashboards "$1" "$3"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

# dashboards LABEL PORT: the cross-municipal dashboard (this half-year and
# the last) for 8 concurrent programme-office sessions, after one request of
# each page on its own (the first after the load: nothing counted yet).
dashboards() {
  : >"$work/dashboard-sessions"
  for _ in $(seq 8); do
    cookie=$(curl -s -D - -o /dev/null -H "Origin: http://127.0.0.1:$2" \
      --data-urlencode "login=programkontor" --data-urlencode "password=spire-bench-2026" \
      "http://127.0.0.1:$2/login" | sed -n 's/^set-cookie: spire_session=\([^;]*\).*/\1/Ip' | head -1)
    [ -n "$cookie" ] || { echo "log-in of programkontor failed"; exit 1; }
    echo "$cookie /dashboard /dashboard?period=$(date +%Y)-H1" >>"$work/dashboard-sessions"
  done
  # The first request of each half-year counts it (the others get the kept
  # counts, recounted in the background after five minutes): timed alone.
  local first; first=$(head -1 "$work/dashboard-sessions" | cut -d' ' -f1)
  for path in /dashboard "/dashboard?period=$(date +%Y)-H1" /forecast; do
    echo "$1 $path, the first request: $(curl -s -o /dev/null -w '%{http_code} in %{time_total} s' \
      -H "cookie: spire_session=$first" "http://127.0.0.1:$2$path")"
  done
  for run in $(seq "$runs"); do
    echo "$1 dashboard run $run: $("$generator" "http://127.0.0.1:$2" "$work/dashboard-sessions" 8 50)"
  done
  # A municipality's fidelity report (the reviews of the last two half-years
  # are ids 1-196), for 8 concurrent programme-office sessions.
  : >"$work/fidelity-sessions"
  while read -r cookie _; do
    echo "$cookie /fidelity/reviews/$((RANDOM % 98 + 99))/report /fidelity/reviews/$((RANDOM % 98 + 1))/report" >>"$work/fidelity-sessions"
  done <"$work/dashboard-sessions"
  for run in $(seq "$runs"); do
    echo "$1 fidelity report run $run: $("$generator" "http://127.0.0.1:$2" "$work/fidelity-sessions" 8 50)"
  done
}

"$spire" migrate --db "$work/national.db" >/dev/null 2>&1
bench SQLite "$work/national.db" 18700

if [ -n "${SPIRE_BENCH_POSTGRES_URL:-}" ]; then
  name="spire_pages_$$"
  db=$(scripts/postgres-app-database.sh "$SPIRE_BENCH_POSTGRES_URL" "$name")
  "$spire" migrate --db "$db" >/dev/null 2>&1
  bench PostgreSQL "$db" 18701
  psql -q "$SPIRE_BENCH_POSTGRES_URL" -c "DROP DATABASE $name"
fi
