#!/usr/bin/env bash
# Benchmark runner (bench/README.md): builds a Release tree, then for every scenario starts a fresh
# resound with a generated config pinned to CPU 0, runs resound-bench pinned to CPU 1, stops the
# server by its PID, prints one table and writes bench/results/<date>.json.
#
#   scripts/bench.sh [--quick] [--scenario NAME[,NAME...]] [--build-dir DIR] [--duration S] [--no-build]
#                    [--wait-quiet S] [--realtime] [--console off|nomatch|match] [--redis-transport tcp|unix]
#
# --quick runs one small fan-out (50 subscribers, 2 s) and exits non-zero if a delivery was lost or
# duplicated, a publish failed, or the server died: cheap enough for CI.
# --wait-quiet S (default 60, 0 = off; off with --quick) waits up to S seconds before each scenario
# for the machine to be under 15 % busy, because compilers or tests running beside a benchmark
# make its numbers meaningless; the reports say how much CPU other processes used anyway.
# --realtime runs the server and the load generator as SCHED_FIFO (chrt -f 10, needs root) so other
# processes on the same CPUs only run while they sleep (the kernel keeps 5 % for others): on a
# shared machine this approximates a quiet one. Compare realtime runs only with realtime runs.
# --console holds one dashboard debug console open (its SSE stream, read by curl on the load
# generator's CPU) for every scenario: `nomatch` watches app bench with a channel filter no bench
# channel matches, `match` one that matches the bench channels (bench-*): what an open console costs
# the hot path, against `off` (default, no dashboard password: the dashboard is not even mounted).
# --redis-transport (Redis-mode scenarios): how the services reach their redis-server: `tcp` on
# loopback (default, as the compose bundle's containers do) or `unix`, a Unix-domain socket (REDIS_HOST
# set to its path, TCP off), as a Redis on the same host can be reached.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

all_scenarios=(memory fanout-1k fanout-100x100 fanout-10k http-publish http-publish-fixed connections multicore
  subscribe-10 subscribe-5000)
# Redis mode (scripts/bench-cluster.sh): not in the default run, since they need redis-server and take
# longer; `--scenario redis` runs each fan-out embedded and then in Redis mode, for the comparison.
redis_scenarios=(redis-fanout-1k redis-fanout-100x100 redis-fanout-10k connections-100k redis-hang
  redis-subscribe-10 redis-subscribe-5000 redis-http-publish redis-http-publish-fixed)
# The kernel floor (resound-floor, bench/README.md "Kernel floor") for the three fan-out shapes: about
# 3 x --duration, and it calibrates the fan-outs of the same run, so it is a standard scenario.
all_scenarios+=(floor)

usage() {
  cat <<EOF
usage: scripts/bench.sh [--quick] [--scenario NAME[,NAME...]] [--build-dir DIR] [--duration S] [--no-build]
                        [--wait-quiet S] [--realtime] [--console off|nomatch|match]
                        [--redis-transport tcp|unix]
scenarios: quick ${all_scenarios[*]}
Redis mode: ${redis_scenarios[*]}
Kernel floor: floor (= floor-1k floor-100x100 floor-10k, each alone too)
  (redis = fanout-1k redis-fanout-1k fanout-100x100 redis-fanout-100x100 fanout-10k redis-fanout-10k)
  (redis-api = http-publish redis-http-publish http-publish-fixed-1k redis-http-publish-fixed)
EOF
}

quick=0
selected=""
build_dir=build
duration=10
build=1
wait_quiet=60
realtime=0
console=off
redis_transport=tcp
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --scenario) selected=${2:?--scenario needs a name}; shift ;;
    --build-dir) build_dir=${2:?--build-dir needs a directory}; shift ;;
    --duration) duration=${2:?--duration needs seconds}; shift ;;
    --no-build) build=0 ;;
    --wait-quiet) wait_quiet=${2:?--wait-quiet needs seconds}; shift ;;
    --realtime) realtime=1 ;;
    --console) console=${2:?--console needs off, nomatch or match}; shift ;;
    --redis-transport) redis_transport=${2:?--redis-transport needs tcp or unix}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if ! [[ $duration =~ ^[0-9]+$ ]] || [ "$duration" -lt 1 ] || [ "$duration" -gt 600 ]; then
  echo "bench.sh: --duration must be 1..600 seconds" >&2
  exit 2
fi

case "$console" in
  off | nomatch | match) ;;
  *) echo "bench.sh: --console must be off, nomatch or match" >&2; exit 2 ;;
esac

case "$redis_transport" in
  tcp | unix) ;;
  *) echo "bench.sh: --redis-transport must be tcp or unix" >&2; exit 2 ;;
esac

if ! [[ $wait_quiet =~ ^[0-9]+$ ]] || [ "$wait_quiet" -gt 3600 ]; then
  echo "bench.sh: --wait-quiet must be 0..3600 seconds" >&2
  exit 2
fi

if [ "$quick" = 1 ]; then
  scenarios=(quick)
  wait_quiet=0
elif [ -n "$selected" ]; then
  IFS=, read -r -a requested <<<"$selected"
  scenarios=()
  for s in "${requested[@]}"; do
    if [ "$s" = redis ]; then
      scenarios+=(fanout-1k redis-fanout-1k fanout-100x100 redis-fanout-100x100 fanout-10k redis-fanout-10k)
    elif [ "$s" = redis-api ]; then
      scenarios+=(http-publish redis-http-publish http-publish-fixed-1k redis-http-publish-fixed)
    else
      scenarios+=("$s")
    fi
  done
else
  scenarios=("${all_scenarios[@]}")
fi

# ---- build ------------------------------------------------------------------------------------
if [ "$build" = 1 ]; then
  generator=()
  if [ ! -f "$build_dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then generator=(-G Ninja); fi
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build_dir" --target resound resound-edge resound-api resound-bench resound-floor
fi
server_bin=$build_dir/services/resound/resound
bench_bin=$build_dir/bench/resound-bench
needed_bins=("$server_bin" "$bench_bin")
if [[ " ${scenarios[*]} " == *" redis-"* || " ${scenarios[*]} " == *" connections-100k "* ]]; then
  needed_bins+=("$build_dir/services/edge/resound-edge" "$build_dir/services/api/resound-api")
  command -v redis-server >/dev/null || { echo "bench.sh: Redis mode needs redis-server" >&2; exit 1; }
fi
floor_bin=$build_dir/bench/resound-floor
if [[ " ${scenarios[*]} " == *" floor"* ]]; then needed_bins+=("$floor_bin"); fi
for bin in "${needed_bins[@]}"; do
  [ -x "$bin" ] || { echo "bench.sh: $bin is missing (build failed?)" >&2; exit 1; }
done

# ---- environment ------------------------------------------------------------------------------
# As many descriptors as allowed: 19,000 connections need that many on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then
  server_cpus=0 bench_cpus=1 both_cpus=0,1
else
  server_cpus=0 bench_cpus=0 both_cpus=0
  echo "bench.sh: only one CPU, server and load generator share it" >&2
fi

scheduler=()
if [ "$realtime" = 1 ]; then
  if ! command -v chrt >/dev/null || ! chrt -f 10 true 2>/dev/null; then
    echo "bench.sh: --realtime needs chrt and permission for SCHED_FIFO" >&2
    exit 2
  fi
  scheduler=(chrt -f 10)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/resound-bench.XXXXXX")
summary=$work/summary.tsv
: >"$summary"
server_pid=""
console_pid=""
console_name=""
console_password=bench-console
failed=0

# stop_process PID NAME: SIGTERM, then SIGKILL after 10 s. A slow or failing shutdown is reported,
# since it is a server bug the benchmark happens to see.
stop_process() {
  local pid=$1 name=$2 status=0 waited=0
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] &&
      [ "$waited" -lt 100 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if [ "$waited" -ge 100 ]; then
      echo "bench.sh: $name did not exit within 10 s of SIGTERM; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    elif [ "$waited" -ge 30 ]; then
      echo "bench.sh: $name took $((waited / 10)) s to exit after SIGTERM" >&2
    fi
  fi
  wait "$pid" 2>/dev/null || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 143 ] && [ "$status" -ne 137 ]; then
    echo "bench.sh: $name exited with status $status" >&2
  fi
}

stop_server() {
  if [ -n "$console_pid" ]; then
    kill -TERM "$console_pid" 2>/dev/null || true
    wait "$console_pid" 2>/dev/null || true
    console_pid=""
    # What the console saw, so a run says whether its filter really matched the bench's events.
    local debug overviews
    debug=$(grep -c '^event: debug' "$work/$console_name.console.txt" 2>/dev/null || true)
    overviews=$(grep -c '^event: overview' "$work/$console_name.console.txt" 2>/dev/null || true)
    printf '%s console\t-\t--console %s: %s debug events and %s overviews received\n' \
      "$console_name" "$console" "${debug:-0}" "${overviews:-0}" >>"$summary"
  fi
  stop_process "$server_pid" "the server"
  server_pid=""
}

# open_console NAME: the --console stream against the server on $port (curl on the bench CPU).
open_console() {
  local name=$1 filter
  [ "$console" != off ] || return 0
  if [ "$console" = match ]; then filter='bench-*'; else filter='no-such-channel-*'; fi
  local launcher=()
  if command -v taskset >/dev/null; then launcher+=(taskset -c "$bench_cpus"); fi
  console_name=$name
  "${launcher[@]}" curl -sSN -u "admin:$console_password" -o "$work/$name.console.txt" \
    "http://127.0.0.1:$port/dashboard/api/stream?app=bench&channel=$filter" 2>"$work/$name.console.err" &
  console_pid=$!
  sleep 0.5
  if ! kill -0 "$console_pid" 2>/dev/null; then
    echo "bench.sh: $name: the console stream did not stay open: $(cat "$work/$name.console.err")" >&2
    console_pid=""
    return 1
  fi
}

# shellcheck source=scripts/bench-cluster.sh
source "$repo/scripts/bench-cluster.sh"
trap 'stop_server; stop_cluster' EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# health_ok PORT [PATH]: PATH (default /health) answers 200.
health_ok() {
  local path=${2:-/health}
  if command -v curl >/dev/null; then
    curl -fsS -m 2 -o /dev/null "http://127.0.0.1:$1$path" 2>/dev/null
  else
    local line
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
    read -r -t 2 line <&3 || true
    exec 3>&- 3<&-
    [[ $line == *" 200"* ]]
  fi
}

next_port=18700
# free_port: sets $port to a loopback port nothing listens on (and that this run has not handed out).
free_port() {
  while port_in_use "$next_port"; do next_port=$((next_port + 1)); done
  port=$next_port
  next_port=$((next_port + 1))
}

# write_config FILE PORT IO_THREADS: the server config every scenario uses (README, "How a run is set
# up"). Redis mode adds the scaling settings through the environment, as a deployment would.
write_config() {
  cat >"$1" <<EOF
server:
  host: 127.0.0.1
  port: $2
  io_threads: $3
  log_level: warn
  max_queued_bytes_per_connection: 4194304
apps:
  - id: bench
    key: bench-key
    secret: bench-secret
    max_connections: 0
    activity_timeout: 120
    ping_interval: 120
EOF
}

# start_server NAME IO_THREADS CPUS: writes the config, starts resound, waits for /health.
start_server() {
  local name=$1 threads=$2 cpu_list=$3
  free_port
  local config=$work/$name.yaml
  write_config "$config" "$port" "$threads"
  # Started directly (not through a shell function) so that $! is the server's own PID: taskset execs it.
  local launcher=("${scheduler[@]}")
  if command -v taskset >/dev/null; then launcher+=(taskset -c "$cpu_list"); fi
  local password=()
  if [ "$console" != off ]; then password=(env RESOUND_DASHBOARD_PASSWORD="$console_password"); fi
  "${password[@]}" "${launcher[@]}" "$server_bin" --config "$config" >"$work/$name.server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "bench.sh: $name: the server exited during start-up:" >&2
      tail -n 20 "$work/$name.server.log" >&2
      server_pid=""
      return 1
    fi
    if health_ok "$port"; then
      open_console "$name" && return 0
      stop_server
      return 1
    fi
    sleep 0.1
  done
  echo "bench.sh: $name: /health did not answer within 10 s" >&2
  stop_server
  return 1
}

# Percentage of all CPUs busy over one second (from the aggregate line of /proc/stat).
busy_percent() {
  local a b
  read -r -a a </proc/stat
  sleep 1
  read -r -a b </proc/stat
  local busy=$(((b[1] + b[2] + b[3] + b[6] + b[7]) - (a[1] + a[2] + a[3] + a[6] + a[7])))
  local idle=$(((b[4] + b[5] + b[8]) - (a[4] + a[5] + a[8])))
  echo $((busy + idle > 0 ? 100 * busy / (busy + idle) : 0))
}

wait_for_quiet() {
  [ "$wait_quiet" -gt 0 ] || return 0
  local waited=0 busy
  while busy=$(busy_percent); [ "$busy" -gt 15 ]; do
    if [ "$waited" -ge "$wait_quiet" ]; then
      echo "bench.sh: the machine is still ${busy}% busy after ${waited}s; running anyway" >&2
      return 0
    fi
    [ "$waited" -eq 0 ] && echo "bench.sh: waiting for a quiet machine (${busy}% busy)..." >&2
    sleep 4
    waited=$((waited + 5))
  done
}

# run NAME IO_THREADS SERVER_CPUS RESOUND-BENCH-ARGS...
run() {
  local name=$1 threads=$2 cpu_list=$3
  shift 3
  echo "--- $name" >&2
  wait_for_quiet
  if ! start_server "$name" "$threads" "$cpu_list"; then
    printf '%s\tFAIL\tserver did not start\n' "$name" >>"$summary"
    failed=1
    return 0
  fi
  local rc=0
  # The load generator bounds itself (duration, drain, connect timeout); timeout is a last resort.
  local launcher=(timeout --kill-after=10 900 "${scheduler[@]}")
  if command -v taskset >/dev/null; then launcher+=(taskset -c "$bench_cpus"); fi
  "${launcher[@]}" "$bench_bin" --name "$name" --port "$port" --server-pid "resound=$server_pid" \
    --json "$work/$name.json" --summary "$summary" \
    --param "io_threads=$threads" --param "server_cpus=$cpu_list" --param "bench_cpus=$bench_cpus" \
    --param "scheduler=$([ "$realtime" = 1 ] && echo fifo || echo normal)" --param "console=$console" "$@" || rc=$?
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$server_pid/stat" 2>/dev/null)" = Z ]; then
    echo "bench.sh: $name: the server died; last log lines:" >&2
    tail -n 20 "$work/$name.server.log" >&2
    printf '%s\tFAIL\tserver died\n' "$name" >>"$summary"
    rc=1
  fi
  stop_server
  if [ "$rc" -ne 0 ]; then
    failed=1
    [ -s "$work/$name.server.log" ] && { echo "bench.sh: $name server log (tail):" >&2; tail -n 5 "$work/$name.server.log" >&2; }
  fi
  return 0
}

# Reads one metric from a scenario's JSON (one "key": value per line).
metric() { { sed -n "s/^ *\"$2\": \\([-0-9.e]*\\),\\{0,1\\}\$/\\1/p" "$work/$1.json" 2>/dev/null || true; } | head -n 1; }

# ---- kernel floor (bench/README.md, "Kernel floor") ---------------------------------------------
# run_floor NAME SUBSCRIBERS CHANNELS RATE: resound-floor for one fan-out shape. Its sender gets the
# server's CPU and scheduler, its receiver the load generator's; it pins the two itself
# (sched_setaffinity, so no taskset) and bounds itself (set-up, --duration, drain); timeout is a last
# resort. No server is started.
run_floor() {
  local name=$1 subscribers=$2 channels=$3 rate=$4 rc=0
  echo "--- $name" >&2
  wait_for_quiet
  timeout --kill-after=10 900 "${scheduler[@]}" "$floor_bin" --name "$name" --subscribers "$subscribers" \
    --channels "$channels" --rate "$rate" --duration "$duration" \
    --sender-cpu "$server_cpus" --receiver-cpu "$bench_cpus" --json "$work/$name.json" --summary "$summary" \
    --param "sender_cpus=$server_cpus" --param "receiver_cpus=$bench_cpus" \
    --param "scheduler=$([ "$realtime" = 1 ] && echo fifo || echo normal)" || rc=$?
  if [ "$rc" -ne 0 ]; then
    failed=1
    grep -q "^$name"$'\t' "$summary" ||
      printf '%s\tFAIL\tresound-floor exited with status %s\n' "$name" "$rc" >>"$summary"
  fi
}

# compare_resound_to_floor: for each fan-out shape that ran both on Resound and as a floor in this
# invocation, Resound's deliveries per server CPU-second as a share of the floor's deliveries per sender
# CPU-second (a line in the table, "resound_vs_floor" in the JSON).
compare_resound_to_floor() {
  floor_comparison_json=""
  local shape entries=()
  for shape in 1k 100x100 10k; do
    if [ ! -e "$work/fanout-$shape.json" ] || [ ! -e "$work/floor-$shape.json" ]; then continue; fi
    local resound floor line ratio percent text caveat=""
    resound=$(metric "fanout-$shape" deliveries_per_cpu_s)
    floor=$(metric "floor-$shape" deliveries_per_cpu_s)
    line=$(awk -v r="$resound" -v f="$floor" 'BEGIN {
        if (r <= 0 || f <= 0) exit 1
        printf "%.3f %.0f %.1fk vs %.1fk\n", r / f, 100 * r / f, r / 1000, f / 1000 }') || continue
    read -r ratio percent text <<<"$line"
    local run
    for run in "fanout-$shape" "floor-$shape"; do
      if grep -q 'machine busy' "$work/$run.json"; then caveat="$caveat; $run says [machine busy], see its notes"; fi
    done
    # A few percent either way is noise; well above means batching.
    if [ "$percent" -gt 110 ]; then
      caveat="$caveat; well above the floor: Resound must have sent several frames per sendmsg() (a loop that is behind batches), which the floor never does"
    fi
    printf 'fanout-%s vs floor-%s\t-\tResound at %s %% of the kernel floor (%s deliveries/CPU-s)%s\n' \
      "$shape" "$shape" "$percent" "$text" "$caveat" >>"$summary"
    entries+=("$(printf '"fanout-%s": {"ratio": %s, "resound_deliveries_per_cpu_s": %s, "floor_deliveries_per_cpu_s": %s}' \
      "$shape" "$ratio" "$resound" "$floor")")
  done
  if [ "${#entries[@]}" -gt 0 ]; then
    floor_comparison_json=$(printf ',\n  "resound_vs_floor": {%s}' "$(IFS=,; echo "${entries[*]}")")
  fi
}

d=$duration
for s in "${scenarios[@]}"; do
  case "$s" in
    quick)
      run quick 1 "$server_cpus" --mode fanout --subscribers 50 --channels 1 --rate 50 --duration 2 \
        --drain 5 --settle 0.2 --publish-connections 4 --require-lossless ;;
    memory)
      run memory 1 "$server_cpus" --mode connect --subscribers 10000 --channels 100 --settle 2 ;;
    fanout-1k)
      run fanout-1k 1 "$server_cpus" --mode fanout --subscribers 1000 --channels 1 --rate 100 --duration "$d" ;;
    fanout-100x100)
      run fanout-100x100 1 "$server_cpus" --mode fanout --subscribers 10000 --channels 100 --rate 1000 --duration "$d" ;;
    fanout-10k)
      run fanout-10k 1 "$server_cpus" --mode fanout --subscribers 10000 --channels 1 --rate 100 --duration "$d" ;;
    http-publish)
      run http-publish 1 "$server_cpus" --mode publish --publish-connections 16 --rate 0 --duration "$d" ;;
    http-publish-fixed)
      run http-publish-fixed 1 "$server_cpus" --mode publish --publish-connections 16 --rate 2000 --duration "$d" ;;
    # Issue 12's HTTP publish comparison: the bundle's api service + redis-server against the embedded
    # server, closed loop (the same load as http-publish) and at a fixed 1,000 requests/s.
    http-publish-fixed-1k)
      run http-publish-fixed-1k 1 "$server_cpus" --mode publish --publish-connections 16 --rate 1000 --duration "$d" ;;
    redis-http-publish)
      run_cluster_api redis-http-publish --mode publish --publish-connections 16 --rate 0 --duration "$d" ;;
    redis-http-publish-fixed)
      run_cluster_api redis-http-publish-fixed --mode publish --publish-connections 16 --rate 1000 --duration "$d" ;;
    connections)
      run connections 1 "$server_cpus" --mode connect --subscribers 19000 --channels 100 --settle 2 ;;
    multicore)
      # Two workloads that saturate one io thread, then the same with two io threads allowed on both
      # CPUs. The load generator keeps CPU 1 in both runs, so the two-thread server shares that CPU
      # with it: the factor is what a 2-core box gives, not what two free cores would.
      # Publish: signed HTTP API requests on 32 keep-alive connections (spread over both threads by
      # SO_REUSEPORT), no subscribers. Batch: the same with batch_events of 10, so the server's work
      # per request dwarfs the load generator's. Fan-out: one channel, 10,000 subscribers, 200
      # events/s offered (a backlog builds; --drain 10 lets it arrive instead of counting it lost).
      run multicore-publish-1thread 1 "$server_cpus" --mode publish --publish-connections 32 --rate 0 --duration "$d"
      run multicore-publish-2threads 2 "$both_cpus" --mode publish --publish-connections 32 --rate 0 --duration "$d"
      run multicore-batch-1thread 1 "$server_cpus" --mode publish --publish-connections 32 --batch 10 --channels 100 \
        --rate 0 --duration "$d"
      run multicore-batch-2threads 2 "$both_cpus" --mode publish --publish-connections 32 --batch 10 --channels 100 \
        --rate 0 --duration "$d"
      run multicore-fanout-1thread 1 "$server_cpus" --mode fanout --subscribers 10000 --channels 1 --rate 200 \
        --publish-connections 16 --drain 10 --duration "$d"
      run multicore-fanout-2threads 2 "$both_cpus" --mode fanout --subscribers 10000 --channels 1 --rate 200 \
        --publish-connections 16 --drain 10 --duration "$d" ;;
    redis-fanout-1k)
      run_cluster_fanout redis-fanout-1k 2 --mode fanout --subscribers 1000 --channels 1 --rate 100 --duration "$d" ;;
    redis-fanout-100x100)
      run_cluster_fanout redis-fanout-100x100 2 --mode fanout --subscribers 10000 --channels 100 --rate 1000 \
        --duration "$d" ;;
    redis-fanout-10k)
      run_cluster_fanout redis-fanout-10k 2 --mode fanout --subscribers 10000 --channels 1 --rate 100 --duration "$d" ;;
    connections-100k)
      # 6 edges x 16,667: each process (edge and load generator) stays under the 20,000-descriptor limit.
      run_connections_spread connections-100k 6 100000 100 ;;
    redis-hang)
      run_cluster_hang redis-hang ;;
    # Issue 12's connect+subscribe figures: 8,000 connections each subscribing, over 10 channels (the
    # channels exist after the first few) and over 5,000 (most subscribes create one), on one io
    # thread; in Redis mode against one edge.
    subscribe-10)
      run subscribe-10 1 "$server_cpus" --mode connect --subscribers 8000 --channels 10 --settle 1 ;;
    subscribe-5000)
      run subscribe-5000 1 "$server_cpus" --mode connect --subscribers 8000 --channels 5000 --settle 1 ;;
    redis-subscribe-10)
      run_cluster_connect redis-subscribe-10 --mode connect --subscribers 8000 --channels 10 --settle 1 ;;
    redis-subscribe-5000)
      run_cluster_connect redis-subscribe-5000 --mode connect --subscribers 8000 --channels 5000 --settle 1 ;;
    floor)
      run_floor floor-1k 1000 1 100
      run_floor floor-100x100 10000 100 1000
      run_floor floor-10k 10000 1 100 ;;
    floor-1k) run_floor floor-1k 1000 1 100 ;;
    floor-100x100) run_floor floor-100x100 10000 100 1000 ;;
    floor-10k) run_floor floor-10k 10000 1 100 ;;
    *) echo "bench.sh: unknown scenario $s (known: quick ${all_scenarios[*]} ${redis_scenarios[*]} http-publish-fixed-1k redis redis-api floor-1k floor-100x100 floor-10k)" >&2; exit 2 ;;
  esac
done

# One line and one JSON entry per multicore workload: "<kind> <metric>" pairs.
multicore_json=""
multicore_factor() {
  local kind=$1 key=$2 unit=$3
  local one two factor caveat=""
  one=$(metric "multicore-$kind-1thread" "$key")
  two=$(metric "multicore-$kind-2threads" "$key")
  [ -n "$one" ] && [ -n "$two" ] || return 0
  factor=$(awk -v a="$one" -v b="$two" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "null" }')
  # The factor only means something if one io thread was saturated (used nearly all of its CPU)
  # and the load generator was not itself the limit.
  local busy1 client2 skipped sent
  busy1=$(metric "multicore-$kind-1thread" server_cpu_utilisation)
  client2=$(metric "multicore-$kind-2threads" client_cpu_utilisation)
  if awk -v u="${busy1:-0}" 'BEGIN { exit !(u < 0.9) }'; then
    caveat="one io thread was not saturated (${busy1} of a CPU), so this says little about scaling"
  elif awk -v b="${client2:-0}" 'BEGIN { exit !(b > 0.95) }'; then
    caveat="the load generator used more than 95 percent of its CPU in the 2-thread run, so it may be the limit"
  fi
  printf 'multicore-%s\t-\tio_threads 2 vs 1: %sx %s (%s vs %s)%s\n' "$kind" "$factor" "$unit" "$two" "$one" \
    "${caveat:+; $caveat}" >>"$summary"
  multicore_json+=$(printf ',\n  "multicore_%s_factor": %s,\n  "multicore_%s_caveat": "%s"' "$kind" "$factor" "$kind" "$caveat")
}
multicore_factor publish publish_rate_achieved "signed publish requests/s"
multicore_factor batch publish_rate_achieved "batch_events requests/s (10 events each)"
multicore_factor fanout deliveries_per_s "deliveries/s"

compare_redis_to_embedded
compare_api_to_embedded
compare_resound_to_floor

# ---- table and JSON ---------------------------------------------------------------------------
echo
if command -v column >/dev/null; then
  { printf 'scenario\tstatus\tresult\n'; cat "$summary"; } | column -t -s $'\t'
else
  { printf 'scenario\tstatus\tresult\n'; cat "$summary"; }
fi

mkdir -p bench/results
stamp=$(date +%Y-%m-%d-%H%M%S)
out=bench/results/$stamp.json
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The server was built from the work tree: say whether it differed from the commit.
if [ -n "$(git status --porcelain -- shared services CMakeLists.txt 2>/dev/null | head -n 1)" ]; then
  commit="$commit+uncommitted"
fi
{
  printf '{\n  "date": "%s",\n  "commit": "%s",\n  "quick": %s,\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$commit" \
    "$([ "$quick" = 1 ] && echo true || echo false)"
  printf '  "machine": {"cpus": %s, "kernel": "%s"},\n  "realtime": %s,\n' "$cpus" "$(uname -r)" \
    "$([ "$realtime" = 1 ] && echo true || echo false)"
  printf '  "scenarios": ['
  first=1
  for f in "$work"/*.json; do
    [ -e "$f" ] || continue
    [ "$first" = 1 ] || printf ','
    first=0
    printf '\n'
    sed 's/^/    /' "$f" | sed '$ s/[[:space:]]*$//'
  done
  printf '\n  ]'
  printf '%s' "$multicore_json"
  printf '%s' "$redis_comparison_json"
  printf '%s' "$api_comparison_json"
  printf '%s' "$floor_comparison_json"
  printf '\n}\n'
} >"$out"
echo
echo "results: $out"

if [ "$failed" = 0 ]; then
  rm -rf "$work"
else
  echo "bench.sh: some scenarios failed; configs and server logs kept in $work" >&2
fi
exit "$failed"
