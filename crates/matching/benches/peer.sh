#!/usr/bin/env bash
# The matching engine's speed next to its Python peer, in one job on the same machine and the same
# instances. Results and commands go into docs/performance.md ("Matching engine").
#
#   crates/matching/benches/peer.sh [DATA_DIR]
#
# Honours CARGO_TARGET_DIR and CARGO_BUILD_JOBS. Needs python3 (standard library only).
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
data=${1:-${TMPDIR:-/tmp}/spire-match-bench}
target=${CARGO_TARGET_DIR:-$root/target}
cd "$root"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(python3 --version), $(rustc --version)"
echo "== Rust: medians of repeated runs; also writes both instances as spire match input"
cargo bench -q -p spire-matching --bench deferred_acceptance -- --write-json "$data"
cargo build -q --release -p spire
echo "== Python peer (heap DA of the oracle's da_crosscheck.py) on the same instances"
python3 crates/matching/benches/peer.py algorithm "$data/full_2000x200.json" --runs 5
python3 crates/matching/benches/peer.py algorithm "$data/lists20_100000x10000.json" --runs 3
echo "== whole process, JSON in and out"
python3 crates/matching/benches/peer.py compare "$data/lists20_100000x10000.json" --spire "$target/release/spire" --runs 5
echo "== one spire match run with phase timings"
"$target/release/spire" match --input "$data/lists20_100000x10000.json" --output /dev/null --timings
