#!/usr/bin/env bash
# Quick start: install what is missing, build a release binary, run the all-in-one server
# (embedded mode, no Redis) on port 8080. Extra arguments go to the server (e.g. --config FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DRESOUND_BUILD_TESTS=OFF >/dev/null
cmake --build build --target resound
if [ $# -eq 0 ]; then
  set -- --config config/resound.yaml
fi
exec build/services/resound/resound "$@"
