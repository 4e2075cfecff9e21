#!/usr/bin/env bash
# Installs what building and testing Resound needs on Debian 12, and nothing when it is all there.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache clang-format-14
  libpoco-dev libyaml-cpp-dev libspdlog-dev libssl-dev
  libgtest-dev
  redis-server python3-yaml
  nginx caddy openssl
  chromium
  nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A machine may already have Node.js from elsewhere (not as the Debian package): that is fine.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
