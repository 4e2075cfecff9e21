#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing (Debian packages, the integration
# tests' npm packages), builds everything with AddressSanitizer + UndefinedBehaviorSanitizer, and runs
# every CTest test (unit, integration with real clients against the real binary, benchmark smoke).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
# clang-format check (enabled after the tree-wide reformat)
# bash scripts/check-format.sh
(cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)

build_dir=${RESOUND_TEST_BUILD_DIR:-build-test}
# ccache (installed by install-deps.sh): a second build of the same sources, in this or another
# checkout, takes seconds instead of ~15 minutes on two cores. Paths are hashed relative to the
# checkout, and not the build directory (the debug info's compile directory may then name another
# checkout: only file names in sanitizer traces are affected).
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=true
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRESOUND_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build "$build_dir"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build_dir" --output-on-failure -j2 --timeout 300
