#!/usr/bin/env bash
# Schema-based API fuzzing: schemathesis (from PyPI) against a fresh `spire demo`,
# one bounded run per role that has an API, with the committed openapi.json.
# Fails on any 500 or any answer that breaks its documented schema, status or
# content type.
# Usage: scripts/api-fuzz.sh SPIRE_BINARY [SECONDS_PER_ROLE]
set -euo pipefail
spire=$(realpath "$1")
seconds=${2:-30}
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
venv=${SPIRE_FUZZ_VENV:-$root/.fuzz-venv}
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'schemathesis==4.32.5'
fi
# Below Linux's ephemeral range (32768–60999), where a client socket may sit.
port=$((20000 + RANDOM % 12000))
"$spire" demo --db "$work/demo.db" --no-serve >/dev/null
# The demo's staff have no two-factor log-in; their tokens answer only where
# the server does not require it.
SPIRE_LOG=warn "$spire" serve --db "$work/demo.db" --key-file "$work/demo.key" \
  --bind "127.0.0.1:$port" --require-two-factor false --rate-limit 0 >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
# Wait for the server (up to a minute on a busy machine); if it never
# answers, say why instead of fuzzing a closed port.
up=no
for _ in $(seq 1 600); do
  if curl -fs "http://127.0.0.1:$port/api/v1/openapi.json" >/dev/null 2>&1; then up=yes; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" != yes ]; then
  echo "the server did not answer on port $port; its log:"
  cat "$work/server.log"
  exit 1
fi
status=0
for login in ${SPIRE_FUZZ_LOGINS:-sagsbehandler.roskilde konsulent.roskilde teamleder.roskilde forsker programkontor admin}; do
  token=$("$spire" token create --db "$work/demo.db" --user "$login" --label fuzz)
  echo "== $login =="
  # A token the server refuses would fuzz nothing but the 401 answer.
  if ! curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/me" >/dev/null; then
    echo "$login's token is refused by the server: nothing would be fuzzed"
    status=1
    continue
  fi
  "$venv/bin/st" run "$root/crates/web/openapi.json" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-time "$seconds" --workers 1 --phases examples,coverage,fuzzing \
    --suppress-health-check all --warnings off --no-color \
    || status=1
done
if grep -q "internal error answered with 500" "$work/server.log"; then
  echo "the server answered 500:" && grep -m5 "500" "$work/server.log"
  status=1
fi
exit $status
