#!/usr/bin/env bash
# Benchmark of the small HTTP services (issue 13, bench/README.md "HTTP services"): starts a fresh
# resound-auth (and resound-monitor with a private redis-server) pinned to CPU 0 and runs the node load
# client bench/http/http-services.mjs pinned to CPU 1, loopback only. Prints one JSON line per measurement.
#
#   scripts/bench-http.sh [--build-dir DIR] [--no-build] [--auth-bin PATH] [--monitor-bin PATH]
#                         [--scenario auth-concurrency,auth-rate,auth-slowloris,monitor-held]
#
# --auth-bin / --monitor-bin measure other binaries (e.g. a build of an older commit) with the same client.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

build_dir=build-rel
build=1
auth_bin=""
monitor_bin=""
selected="auth-concurrency,auth-rate,auth-slowloris,monitor-held"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=${2:?}; shift ;;
    --no-build) build=0 ;;
    --auth-bin) auth_bin=${2:?}; shift ;;
    --monitor-bin) monitor_bin=${2:?}; shift ;;
    --scenario) selected=${2:?}; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "bench-http.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

if [ "$build" = 1 ] && { [ -z "$auth_bin" ] || [ -z "$monitor_bin" ]; }; then
  [ -f "$build_dir/build.ninja" ] || [ -f "$build_dir/Makefile" ] ||
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target resound-auth resound-monitor >/dev/null
fi
auth_bin=${auth_bin:-$build_dir/services/auth/resound-auth}
monitor_bin=${monitor_bin:-$build_dir/services/monitor/resound-monitor}
client="$repo/bench/http/http-services.mjs"

ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/resound-bench-http.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_health() {
  for _ in $(seq 100); do
    curl -fsS -m 1 -o /dev/null "http://127.0.0.1:$1/health" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench-http.sh: no answer on port $1" >&2
  return 1
}

app_id=bench
jwt_secret=bench-jwt-secret-0123456789abcdef0123456789
cat >"$work/resound.yaml" <<CONF
server: {host: 127.0.0.1, log_level: warn}
apps:
  - {id: $app_id, key: bench-key, secret: bench-secret, jwt_secret: $jwt_secret}
CONF

run_auth() {
  local scenario=$1 port
  port=$(free_port)
  taskset -c 0 "$auth_bin" --config "$work/resound.yaml" --port "$port" >"$work/auth-$scenario.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_health "$port"
  taskset -c 1 timeout 300 node "$client" "$scenario" --port "$port" --app-id "$app_id" --jwt-secret "$jwt_secret"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

run_monitor() {
  local redis_port port
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
  pids+=("$!")
  port=$(free_port)
  REDIS_HOST=127.0.0.1 REDIS_PORT=$redis_port taskset -c 0 "$monitor_bin" --config "$work/resound.yaml" \
    --port "$port" --webhooks off >"$work/monitor.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_health "$port"
  taskset -c 1 timeout 300 node "$client" monitor-held --port "$port"
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

IFS=, read -r -a scenarios <<<"$selected"
for scenario in "${scenarios[@]}"; do
  case "$scenario" in
    auth-*) run_auth "$scenario" ;;
    monitor-held) run_monitor ;;
    *) echo "bench-http.sh: unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
