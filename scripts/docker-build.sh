#!/usr/bin/env bash
# The build stage of the Dockerfile, kept here so that scripts/dockerfile-build-check.sh can run the very
# same steps on a host: a Release build of every service binary (no tests, no benchmark), stripped and
# installed into PREFIX/bin. Fails if any binary of the bundle is missing.
#
# Usage: scripts/docker-build.sh SOURCE_DIR BUILD_DIR PREFIX
set -euo pipefail

src=${1:?usage: docker-build.sh SOURCE_DIR BUILD_DIR PREFIX}
build=${2:?usage: docker-build.sh SOURCE_DIR BUILD_DIR PREFIX}
prefix=${3:?usage: docker-build.sh SOURCE_DIR BUILD_DIR PREFIX}

# Every binary the image must contain (compose files and the Dockerfile refer to these names).
binaries=(resound resound-edge resound-api resound-auth resound-monitor)

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$src" -B "$build" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release -DRESOUND_SANITIZE=OFF -DRESOUND_BUILD_TESTS=OFF -DRESOUND_BUILD_BENCH=OFF
cmake --build "$build" --parallel "$(nproc)" --target "${binaries[@]}"

mkdir -p "$prefix/bin"
for name in "${binaries[@]}"; do
  path=$(find "$build/services" -maxdepth 2 -type f -name "$name" -perm -u+x | head -n 1)
  if [ -z "$path" ]; then
    echo "docker-build: the build produced no '$name' binary" >&2
    exit 1
  fi
  install -m 0755 -s "$path" "$prefix/bin/$name"
done
echo "docker-build: installed ${binaries[*]} into $prefix/bin"
