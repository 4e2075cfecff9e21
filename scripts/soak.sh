#!/usr/bin/env bash
# Soak test, on demand (not CI): runs the resound binary under mixed traffic for N minutes and samples
# its RSS, CPU and open descriptors every few seconds into a CSV plus an SVG plot.
#
#   scripts/soak.sh --minutes 30
#   scripts/soak.sh --minutes 240 --sample-seconds 10 --subscribers 1000 --out /tmp/soak
#
# Options:
#   --minutes N          how long (default 10)
#   --sample-seconds S   sampling period (default 5)
#   --subscribers N      steady subscribers (default 300); churn, publishes, client events, abusive and
#                        slow clients come on top (tests/robustness/soak/soak.mjs describes the mix)
#   --out DIR            output folder (default build-soak/<timestamp>): soak.csv, soak.svg, summary.json
#   --bin PATH           the server binary (default: $RESOUND_BIN, else the newest build*/services/resound/resound)
#
# Exit status 1 when the server died, did not exit 0 on SIGTERM, printed a sanitizer report, or its
# RSS kept climbing in the second half of the run. Needs node >= 20; nothing else.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
minutes=10
sample=5
subscribers=300
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --sample-seconds) sample="$2"; shift 2 ;;
    --subscribers) subscribers="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --bin) export RESOUND_BIN="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$out" ]] || out="$repo/build-soak/$(date +%Y%m%d-%H%M%S)"
command -v node >/dev/null || { echo "soak.sh: node not found" >&2; exit 2; }
# The soak opens a few thousand sockets over its run; make sure the client side may.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node "$repo/tests/robustness/soak/soak.mjs" --minutes "$minutes" --sample-seconds "$sample" \
  --subscribers "$subscribers" --out "$out"
