#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang++, its own build directory) and runs each for a bounded
# time, starting from the checked-in seeds and replaying every saved regression input first.
#
#   scripts/fuzz.sh                       # every target for 60 s
#   scripts/fuzz.sh --seconds 20          # what CTest runs (label `fuzz`)
#   scripts/fuzz.sh --target frame_decoder --seconds 3600 --jobs 2   # a long run of one target
#   scripts/fuzz.sh --replay              # only replay seeds and regressions (seconds, no fuzzing)
#
# Options:
#   --seconds N      fuzzing time per target (default 60)
#   --target NAME    only this target (repeatable); names are fuzz/targets/<name>_fuzz.cpp
#   --build-dir DIR  where to configure and build (default <repo>/build-fuzz)
#   --no-build       use an existing build (CTest builds once in a setup test)
#   --build-only     configure and build, run nothing
#   --replay         run each target once over its seeds and regressions, no fuzzing
#   --jobs N         parallel fuzzing processes per target (libFuzzer -fork=N), default 1
#
# A crash, leak, timeout (> 10 s for one input), out-of-memory (> 2 GB) or failed invariant leaves the
# input in <build-dir>/crashes/<target>/ and makes the script exit 1. Copy it to
# fuzz/regressions/<target>/ (and write a gtest in tests/unit/<module>/) once it is understood: every
# run replays that folder first. New interesting inputs go to <build-dir>/corpus/<target>/, never
# into the checked-in seeds; to grow the seeds, minimise them first (fuzz/README.md).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=60
build_dir="$repo/build-fuzz"
targets=()
build=1
run=1
replay_only=0
jobs=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --target) targets+=("$2"); shift 2 ;;
    --target=*) targets+=("${1#*=}"); shift ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --build-dir=*) build_dir="${1#*=}"; shift ;;
    --no-build) build=0; shift ;;
    --build-only) run=0; shift ;;
    --replay) replay_only=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]]; then
  echo "fuzz.sh: --seconds needs a positive integer" >&2; exit 2
fi
if ! [[ "$jobs" =~ ^[0-9]+$ && "$jobs" -ge 1 ]]; then
  echo "fuzz.sh: --jobs needs a positive integer" >&2; exit 2
fi

if [[ $build -eq 1 ]]; then
  cxx=${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
  if [[ -z "$cxx" ]]; then
    echo "fuzz.sh: clang++ not found (libFuzzer needs clang; set FUZZ_CXX)" >&2; exit 2
  fi
  generator=()
  if command -v ninja >/dev/null; then generator=(-G Ninja); fi
  if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
    cmake -S "$repo/fuzz" -B "$build_dir" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  else
    cmake "$build_dir" >/dev/null  # picks up new targets (shared/redis) and sources
  fi
  cmake --build "$build_dir" --parallel "$(nproc 2>/dev/null || echo 2)"
fi
[[ $run -eq 1 ]] || exit 0

if [[ ! -f "$build_dir/targets.txt" ]]; then
  echo "fuzz.sh: $build_dir is not a fuzz build (run without --no-build)" >&2; exit 2
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets <"$build_dir/targets.txt"
fi

# Longest input libFuzzer may generate, per target (the frame decoder needs room for a whole
# message at its largest size limit plus headers).
max_len_for() {
  case "$1" in
    frame_decoder) echo 24000 ;;
    api_body) echo 8192 ;;
    *) echo 4096 ;;
  esac
}

status=0
summary=()
for target in "${targets[@]}"; do
  binary="$build_dir/fuzz_$target"
  if [[ ! -x "$binary" ]]; then
    echo "fuzz.sh: no binary for target '$target' ($binary)" >&2; status=1; continue
  fi
  seeds="$repo/fuzz/corpus/$target"
  regressions="$repo/fuzz/regressions/$target"
  work="$build_dir/corpus/$target"
  crashes="$build_dir/crashes/$target"
  log="$build_dir/logs/$target.log"
  mkdir -p "$work" "$crashes" "$(dirname "$log")"

  # 1. Replay every checked-in input once: seeds and the inputs of past crashes.
  replay=()
  for dir in "$seeds" "$regressions"; do
    if [[ -d "$dir" ]]; then
      while IFS= read -r -d '' file; do replay+=("$file"); done < <(find "$dir" -type f ! -name '*.md' -print0 | sort -z)
    fi
  done
  if [[ ${#replay[@]} -gt 0 ]]; then
    if ! "$binary" -runs=1 -timeout=10 -rss_limit_mb=2048 "${replay[@]}" >"$log.replay" 2>&1; then
      echo "FAIL $target: a checked-in input crashes (see $log.replay)" >&2
      tail -n 30 "$log.replay" >&2
      status=1; summary+=("$target: REPLAY FAILED"); continue
    fi
  fi
  if [[ $replay_only -eq 1 ]]; then
    summary+=("$target: replayed ${#replay[@]} inputs, ok"); continue
  fi

  # 2. Fuzz for the time given; new inputs go to the work corpus (first directory), seeds are read.
  corpus_dirs=("$work")
  [[ -d "$seeds" ]] && corpus_dirs+=("$seeds")
  [[ -d "$regressions" ]] && corpus_dirs+=("$regressions")
  fork=()
  [[ $jobs -gt 1 ]] && fork=(-fork="$jobs" -ignore_crashes=0)
  set +e
  "$binary" "${corpus_dirs[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_for "$target")" -print_final_stats=1 -artifact_prefix="$crashes/" \
    "${fork[@]}" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -Eo '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -n 1 || true)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1 | grep -Eo '[0-9]+' || true)
  units=$(find "$work" -type f | wc -l)
  found=$(find "$crashes" -type f | wc -l)
  if [[ $rc -ne 0 || $found -gt 0 ]]; then
    echo "FAIL $target (exit $rc, $found inputs in $crashes); log $log" >&2
    grep -E 'ERROR:|fuzz invariant failed|runtime error|SUMMARY' "$log" | head -n 20 >&2 || true
    status=1
    summary+=("$target: FAILED after ${execs:-?} execs, ${found} crash inputs in $crashes")
  else
    summary+=("$target: ${execs:-?} execs in ${seconds}s, coverage ${cov:-?}, work corpus ${units}, 0 crashes")
  fi
done

if [[ $replay_only -eq 1 ]]; then echo "fuzz summary (replay only):"; else echo "fuzz summary (${seconds}s per target):"; fi
for line in "${summary[@]}"; do echo "  $line"; done
exit $status
