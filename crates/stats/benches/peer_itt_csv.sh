#!/usr/bin/env bash
# `spire stats itt` on a CSV file against R estimatr on the same file, whole process against whole
# process (start, read the CSV, fit HC2 with 99 strata absorbed, print), side by side in one
# hyperfine run: lm_robust(y ~ z + x1, fixed_effects = ~s).
# Usage: crates/stats/benches/peer_itt_csv.sh [ROWS]   (default 50,000)
# The CSV is written by make_itt_csv.R (at 50,000 rows it is crates/stats/tests/oracle/data/large.csv,
# 1.3 MB). Needs a release build (cargo build --release -p spire; SPIRE overrides the binary),
# Rscript with estimatr (Debian r-cran-estimatr) and hyperfine. RUNS sets hyperfine's runs (30);
# SPIRE_BEFORE=another spire binary (an earlier build) is timed too, for a before/after.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rows="${1:-50000}"
spire="${SPIRE:-${CARGO_TARGET_DIR:-$root/target}/release/spire}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
csv="$work/itt_$rows.csv"
Rscript "$here/make_itt_csv.R" "$csv" "$rows"
echo "$csv: $rows rows, $(wc -c <"$csv") bytes"
spire_cmd="$spire stats itt --data $csv --outcome y --treatment z --covariates x1 --strata s"
r_cmd="Rscript $here/peer_itt_csv.R $csv"
# Both must give the same effect before they are timed.
$spire_cmd --format table | grep -E '^(estimate|std_error|n) '
$r_cmd
before=()
if [ -n "${SPIRE_BEFORE:-}" ]; then
  before=("${spire_cmd/#$spire/$SPIRE_BEFORE}")
fi
hyperfine -N -w 3 -r "${RUNS:-30}" --export-markdown "$work/result.md" "$spire_cmd" "${before[@]}" "$r_cmd"
cat "$work/result.md"
