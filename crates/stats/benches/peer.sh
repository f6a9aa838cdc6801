#!/usr/bin/env bash
# spire-stats benchmarks and their peers in one job (same machine, same load), as ratios:
#   R estimatr 1.0.0 lm_robust(y ~ z + x, fixed_effects = ~s) and numpy randomisation loops.
# Usage: crates/stats/benches/peer.sh
# Needs: Rscript with estimatr (Debian r-cran-estimatr) and the oracle venv (.oracle-venv, see
# crates/stats/README.md); PYTHON overrides the interpreter.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
python="${PYTHON:-$root/.oracle-venv/bin/python}"
cd "$root"
echo "== spire-stats =="
cargo bench -q -p spire-stats --bench stats 2>/dev/null | sed -n '/^spire-stats benchmarks/,$p'
echo "== R estimatr =="
Rscript "$here/peer_estimatr.R"
echo "== numpy =="
"$python" "$here/peer_ri.py"
