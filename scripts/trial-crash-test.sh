#!/usr/bin/env bash
# Crash test of the randomisation machine: drives randomisations at
# `spire serve`, kills it with SIGKILL at random moments, restarts it, and at
# the end checks that every allocation a client saw acknowledged (HTTP 201)
# is in the ledger with the same leaf hash, and that the ledger verifies.
#
#   scripts/trial-crash-test.sh [path/to/spire] [rounds] [clients]
#
# Uses a fresh demo database (SQLite, synchronous=FULL) in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
spire=${1:-target/debug/spire}
rounds=${2:-5}
clients=${3:-8}
port=${SPIRE_CRASH_PORT:-18473}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

db="$work/crash.db"
"$spire" demo --db "$db" --no-serve >/dev/null 2>&1
token=$("$spire" token create --db "$db" --user sagsbehandler.roskilde --label crash-test 2>/dev/null)
trial=$("$spire" trial list --db "$db" | awk 'NR == 1 { print $1 }')
url="http://127.0.0.1:$port/api/v1/trials/$trial/randomizations"

# One client: randomises fresh youth (unique CPR numbers born 2003) until the
# server stops answering; each request is retried once with its idempotency
# key, as a client that lost the answer would. Acknowledged bodies are kept.
client() {
  local c=$1 round=$2 n=0
  while :; do
    n=$((n + 1))
    # A birth date of 2003 per (round, client) and a serial per request: unique CPR numbers.
    local k=$(((round - 1) * clients + c - 1))
    local cpr body status
    [ "$n" -lt 1000 ] || return 0
    cpr=$(printf '%02d%02d03-4%03d' $((k % 28 + 1)) $((k / 28 % 12 + 1)) "$n")
    body="{\"cpr\":\"$cpr\",\"first_name\":\"Crash\",\"last_name\":\"Test\",\"municipality_code\":265,\"benefit\":\"kontanthjaelp\",\"readiness\":\"jobparat\",\"has_qualification\":false}"
    for attempt in 1 2; do
      status=$(curl -s -o "$work/body-$c-$round" -w '%{http_code}' --max-time 5 \
        -H "authorization: Bearer $token" -H 'content-type: application/json' \
        -H "idempotency-key: crash-$round-$c-$n" -d "$body" "$url" || true)
      case "$status" in
        201) cat "$work/body-$c-$round" >>"$work/acked-$c-$round"; echo >>"$work/acked-$c-$round"; break ;;
        409 | 422) break ;;
        *) [ "$attempt" -eq 2 ] && return 0 ;;
      esac
    done
  done
}

for round in $(seq 1 "$rounds"); do
  # The demo's staff have no two-factor log-in, and their API tokens answer
  # only where the server does not require it.
  "$spire" serve --db "$db" --key-file "$work/crash.key" --bind "127.0.0.1:$port" \
    --require-two-factor false --rate-limit 0 >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
    sleep 0.05
  done
  for c in $(seq 1 "$clients"); do client "$c" "$round" & done
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.5 + r / 32768 * 1.5 }')"
  kill -9 "$server"
  wait "$server" 2>/dev/null || true
  wait
  echo "round $round: killed the server after $(cat "$work"/acked-*-"$round" 2>/dev/null | grep -c allocation_id || true) acknowledged allocations"
done

acked=$(cat "$work"/acked-* 2>/dev/null | grep -c allocation_id || true)
echo "acknowledged in total: $acked"
[ "$acked" -gt 0 ] || { echo "no allocation was acknowledged: the load did not run" >&2; exit 1; }

"$spire" trial verify --db "$db"

# Every acknowledged allocation is in the ledger, at its index, with its leaf hash.
missing=0
while read -r line; do
  [ -n "$line" ] || continue
  id=$(sed -E 's/.*"allocation_id":([0-9]+).*/\1/' <<<"$line")
  leaf=$(sed -E 's/.*"leaf_hash":"([0-9a-f]+)".*/\1/' <<<"$line")
  proof=$("$spire" trial proof --db "$db" --allocation "$id" 2>&1 || true)
  if ! grep -q "^leaf_hash: $leaf$" <<<"$proof" || ! grep -q "^inclusion: verified$" <<<"$proof"; then
    echo "acknowledged allocation $id is not in the ledger as acknowledged" >&2
    missing=$((missing + 1))
  fi
done < <(cat "$work"/acked-*)
[ "$missing" -eq 0 ] || { echo "$missing acknowledged allocations lost" >&2; exit 1; }
echo "crash test passed: $acked acknowledged allocations survived $rounds SIGKILLs, and the ledger verifies"
