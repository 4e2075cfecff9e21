# shellcheck shell=bash disable=SC2154,SC2034  # variables shared with bench.sh, which sources this
# Redis-mode scenarios of scripts/bench.sh (bench/README.md, "Redis mode" and "100k connections").
# Sourced by bench.sh, whose variables and helpers it uses: work, scheduler, server_cpus, bench_cpus,
# build_dir, bench_bin, realtime, redis_transport, summary, failed, free_port, write_config, health_ok,
# stop_process, wait_for_quiet, metric.
#
# A cluster is one redis-server of our own (free loopback port, no persistence, a directory under
# $work), N resound-edge processes and optionally one resound-api, all started like the embedded
# server (pinned to the server CPUs, SCHED_FIFO with --realtime) with io_threads: 1 and the scaling
# settings in the environment (REVERB_SCALING_ENABLED, REDIS_HOST, REDIS_PORT), as docs/deploy.md
# does. With --redis-transport unix, Redis listens on a Unix socket only (TCP off) and REDIS_HOST is
# its path. resound-bench measures all of them as one server: the CPU figures are their sum.

edge_bin=$build_dir/services/edge/resound-edge
api_bin=$build_dir/services/api/resound-api

cluster_names=()  # every process of the running cluster, in start order (redis first)
cluster_pids=()
edge_ports=()
edge_pids=()
api_port=""
api_pid=""
redis_port=""
redis_socket=""
redis_pid=""

# launch_on_server_cpus LOG COMMAND...: starts COMMAND in the background like the embedded server and
# sets launched_pid. chrt, taskset and env all exec, so $! is the command's own PID.
launch_on_server_cpus() {
  local log=$1
  shift
  local launcher=("${scheduler[@]}")
  if command -v taskset >/dev/null; then launcher+=(taskset -c "$server_cpus"); fi
  "${launcher[@]}" "$@" >"$log" 2>&1 &
  launched_pid=$!
}

redis_ok() {
  if [ -n "$redis_socket" ]; then
    [ "$(redis-cli -s "$redis_socket" ping 2>/dev/null)" = PONG ]
    return
  fi
  local line
  exec 4<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
  printf 'PING\r\n' >&4
  read -r -t 2 line <&4 || true
  exec 4>&- 4<&-
  [[ $line == +PONG* ]]
}

# wait_ready NAME PID CHECK...: runs CHECK every 0.1 s for up to 10 s while PID lives.
wait_ready() {
  local name=$1 pid=$2
  shift 2
  for _ in $(seq 100); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "bench.sh: $name exited during start-up:" >&2
      tail -n 20 "$work/$name.log" >&2
      return 1
    fi
    "$@" && return 0
    sleep 0.1
  done
  echo "bench.sh: $name was not ready within 10 s" >&2
  return 1
}

start_redis() {
  local name=$1.redis
  mkdir -p "$work/$name"
  local listen=()
  if [ "$redis_transport" = unix ]; then
    redis_port=0
    redis_socket=$work/$name/redis.sock
    listen=(--port 0 --unixsocket "$redis_socket" --unixsocketperm 700)
  else
    free_port
    redis_port=$port
    redis_socket=""
    listen=(--port "$redis_port" --bind 127.0.0.1)
  fi
  launch_on_server_cpus "$work/$name.log" redis-server "${listen[@]}" \
    --save '' --appendonly no --dir "$work/$name" --daemonize no --protected-mode yes
  redis_pid=$launched_pid
  cluster_names+=("$name")
  cluster_pids+=("$redis_pid")
  wait_ready "$name" "$redis_pid" redis_ok "$redis_port"
}

# start_role NAME BINARY: one resound-edge or resound-api on a free port, ready (Redis connected);
# sets role_port and role_pid.
start_role() {
  local name=$1 binary=$2
  free_port
  role_port=$port
  write_config "$work/$name.yaml" "$role_port" 1
  local redis_host=127.0.0.1 redis_port_env=$redis_port
  if [ -n "$redis_socket" ]; then redis_host=$redis_socket redis_port_env=6379; fi
  launch_on_server_cpus "$work/$name.log" env REVERB_SCALING_ENABLED=true REDIS_HOST="$redis_host" \
    REDIS_PORT="$redis_port_env" "$binary" --config "$work/$name.yaml"
  role_pid=$launched_pid
  cluster_names+=("$name")
  cluster_pids+=("$role_pid")
  wait_ready "$name" "$role_pid" health_ok "$role_port" /ready
}

# start_cluster NAME EDGES WITH_API(0|1)
start_cluster() {
  local name=$1 edges=$2 with_api=$3 i
  edge_ports=()
  edge_pids=()
  api_port=""
  api_pid=""
  start_redis "$name" || return 1
  for ((i = 1; i <= edges; i++)); do
    start_role "$name.edge$i" "$edge_bin" || return 1
    edge_ports+=("$role_port")
    edge_pids+=("$role_pid")
  done
  if [ "$with_api" = 1 ]; then
    start_role "$name.api" "$api_bin" || return 1
    api_port=$role_port
    api_pid=$role_pid
  fi
}

# Stops the cluster in reverse start order, so the nodes leave Redis while it is still there.
stop_cluster() {
  local i
  for ((i = ${#cluster_pids[@]} - 1; i >= 0; i--)); do
    stop_process "${cluster_pids[i]}" "${cluster_names[i]}"
  done
  cluster_names=()
  cluster_pids=()
}

# cluster_alive: every process of the cluster runs and is not a zombie; names the first dead one.
cluster_alive() {
  local i
  for i in "${!cluster_pids[@]}"; do
    if ! kill -0 "${cluster_pids[i]}" 2>/dev/null ||
      [ "$(awk '{print $3}' "/proc/${cluster_pids[i]}/stat" 2>/dev/null)" = Z ]; then
      dead_name=${cluster_names[i]}
      return 1
    fi
  done
}

cluster_fail() {
  local name=$1 reason=$2 i
  printf '%s\tFAIL\t%s\n' "$name" "$reason" >>"$summary"
  failed=1
  for i in "${cluster_names[@]}"; do
    [ -s "$work/$i.log" ] && { echo "bench.sh: $i log (tail):" >&2; tail -n 5 "$work/$i.log" >&2; }
  done
}

bench_launcher() {
  bench_run=(timeout --kill-after=10 900 "${scheduler[@]}")
  if command -v taskset >/dev/null; then bench_run+=(taskset -c "$bench_cpus"); fi
}

common_params() {
  printf -- '--param\nredis_transport=%s\n' "$redis_transport"
  printf -- '--param\nserver_mode=redis\n--param\nio_threads=1\n--param\nserver_cpus=%s\n--param\nbench_cpus=%s\n--param\nscheduler=%s\n' \
    "$server_cpus" "$bench_cpus" "$([ "$realtime" = 1 ] && echo fifo || echo normal)"
}

# run_cluster_bench NAME EDGES WITH_API RESOUND-BENCH-ARGS...: starts EDGES edges and, when WITH_API is
# 1, the api, on one redis-server; runs resound-bench against them and reports CPU and memory summed
# over every process started. The load goes to the api when there is one (subscribers round-robin over
# the edges), else to the first edge.
run_cluster_bench() {
  local name=$1 edges=$2 with_api=$3 i rc=0
  shift 3
  echo "--- $name" >&2
  wait_for_quiet
  if ! start_cluster "$name" "$edges" "$with_api"; then
    cluster_fail "$name" "cluster did not start"
    stop_cluster
    return 0
  fi
  local servers=() target=()
  for i in "${!edge_pids[@]}"; do servers+=(--server-pid "edge$((i + 1))=${edge_pids[i]}"); done
  if [ "$with_api" = 1 ]; then
    servers+=(--server-pid "api=$api_pid")
    target=(--port "$api_port")
    if [ "$edges" -gt 0 ]; then target+=(--ws-ports "$(IFS=,; echo "${edge_ports[*]}")"); fi
  else
    target=(--port "${edge_ports[0]}")
  fi
  servers+=(--server-pid "redis=$redis_pid")
  local params
  mapfile -t params < <(common_params)
  bench_launcher
  "${bench_run[@]}" "$bench_bin" --name "$name" "${target[@]}" "${servers[@]}" \
    --json "$work/$name.json" --summary "$summary" "${params[@]}" --param "edges=$edges" "$@" || rc=$?
  if ! cluster_alive; then
    cluster_fail "$name" "$dead_name died"
  elif [ "$rc" -ne 0 ]; then
    failed=1
  fi
  stop_cluster
  return 0
}

# run_cluster_fanout NAME EDGES RESOUND-BENCH-ARGS...: subscribers round-robin over the edges, events
# published to the api; CPU = edges + api + redis-server.
run_cluster_fanout() {
  local name=$1 edges=$2
  shift 2
  run_cluster_bench "$name" "$edges" 1 "$@"
}

# run_cluster_connect NAME RESOUND-BENCH-ARGS...: one edge (no api) and its redis-server; the load
# generator connects and subscribes against the edge (connect mode); CPU = edge + redis-server.
run_cluster_connect() {
  local name=$1
  shift
  run_cluster_bench "$name" 1 0 "$@"
}

# run_cluster_api NAME RESOUND-BENCH-ARGS...: one resound-api (no edge) and its redis-server; the load
# generator sends signed HTTP publishes to the api (publish mode); CPU = api + redis-server.
run_cluster_api() {
  local name=$1
  shift
  run_cluster_bench "$name" 0 1 "$@"
}

# run_cluster_hang NAME: one edge (no api) and its redis-server; bench/redis-hang.mjs holds 1,000
# subscribed clients pinging, SIGSTOPs that redis-server (the runner's own) for 6 s while new clients
# connect, then SIGCONTs it: ping->pong and connect->established during the hang, and the edge's
# event-loop iterations over 5 ms (/metrics). Node is the load generator here (a few hundred pings/s).
run_cluster_hang() {
  local name=$1 rc=0
  echo "--- $name" >&2
  command -v node >/dev/null || { cluster_fail "$name" "needs node"; return 0; }
  wait_for_quiet
  if ! start_cluster "$name" 1 0; then
    cluster_fail "$name" "cluster did not start"
    stop_cluster
    return 0
  fi
  bench_launcher
  "${bench_run[@]}" node "$repo/bench/redis-hang.mjs" --name "$name" --port "${edge_ports[0]}" \
    --redis-pid "$redis_pid" --clients 1000 --channels 100 --ping-rate 200 --connect-rate 20 \
    --before 3 --hang 6 --after 3 --redis-transport "$redis_transport" --json "$work/$name.json" \
    --summary "$summary" >"$work/$name.out" 2>&1 || rc=$?
  kill -CONT "$redis_pid" 2>/dev/null || true
  if ! cluster_alive; then
    cluster_fail "$name" "$dead_name died"
  elif [ "$rc" -ne 0 ]; then
    failed=1
    grep -q "^$name"$'\t' "$summary" || cluster_fail "$name" "redis-hang.mjs exited with status $rc"
  fi
  stop_cluster
  return 0
}

# CPU seconds (utime + stime) of every cluster process, summed.
cluster_cpu_seconds() {
  local ticks=0 pid t
  for pid in "${cluster_pids[@]}"; do
    t=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    ticks=$((ticks + t))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# Open WebSocket connections summed over the edges (their resound_connections gauges).
edges_open_connections() {
  local total=0 p n
  for p in "${edge_ports[@]}"; do
    n=$(curl -fsS -m 2 "http://127.0.0.1:$p/metrics" 2>/dev/null | awk '$1 == "resound_connections" { print $2 }')
    total=$((total + ${n:-0}))
  done
  echo "$total"
}

# run_connections_spread NAME EDGES TOTAL CHANNELS: TOTAL subscribed connections spread over EDGES
# edges of one cluster (no api), one resound-bench process per edge since each process may hold
# only 20,000 descriptors. They start together, each with an equal share of the handshake
# concurrency; the runner merges their connect->subscribed samples into exact percentiles and sums
# their memory figures. Every load generator holds its connections --hold seconds after its own
# measurement, so that all TOTAL are open at once; the runner checks that on the edges' gauges.
run_connections_spread() {
  local name=$1 edges=$2 total=$3 channels=$4 i rc=0
  local parts=$work/$name.parts hold=12 concurrency=$((256 / edges + 1))
  echo "--- $name" >&2
  wait_for_quiet
  if ! start_cluster "$name" "$edges" 0; then
    cluster_fail "$name" "cluster did not start"
    stop_cluster
    return 0
  fi
  mkdir -p "$parts"
  local params
  mapfile -t params < <(common_params)
  bench_launcher
  local per=$(((total + edges - 1) / edges)) left=$total n bench_pids=()
  local redis_before cpu_before start
  redis_before=$(rss_kb "$redis_pid")
  cpu_before=$(cluster_cpu_seconds)
  start=$(date +%s%N)
  for i in "${!edge_ports[@]}"; do
    n=$((left < per ? left : per))
    left=$((left - n))
    "${bench_run[@]}" "$bench_bin" --name "$name.edge$((i + 1))" --mode connect --port "${edge_ports[i]}" \
      --server-pid "edge$((i + 1))=${edge_pids[i]}" --subscribers "$n" --channels "$channels" \
      --settle 2 --hold "$hold" --connect-concurrency "$concurrency" --connect-timeout 120 \
      --connect-latencies "$parts/edge$((i + 1)).ns" --json "$parts/edge$((i + 1)).json" \
      --summary "$parts/summary.tsv" "${params[@]}" --param "edges=$edges" >"$parts/edge$((i + 1)).out" 2>&1 &
    bench_pids+=($!)
  done

  # Until every connection is open on the edges (or every load generator has ended, or 150 s).
  local peak=0 open cpu_after="" reached="" waited=0 alive
  while [ "$waited" -lt 300 ]; do
    open=$(edges_open_connections)
    [ "$open" -gt "$peak" ] && peak=$open
    if [ "$open" -ge "$total" ] && [ -z "$reached" ]; then
      cpu_after=$(cluster_cpu_seconds)
      reached=$((($(date +%s%N) - start) / 1000000))
      break
    fi
    alive=0
    for i in "${bench_pids[@]}"; do kill -0 "$i" 2>/dev/null && alive=1; done
    [ "$alive" = 1 ] || break
    sleep 0.5
    waited=$((waited + 1))
  done
  local redis_after
  redis_after=$(rss_kb "$redis_pid")
  for i in "${bench_pids[@]}"; do wait "$i" || rc=1; done
  if ! cluster_alive; then
    cluster_fail "$name" "$dead_name died"
    stop_cluster
    return 0
  fi
  stop_cluster
  summarize_connections_spread "$name" "$edges" "$total" "$channels" "$parts" "$peak" "$reached" \
    "$cpu_before" "${cpu_after:-}" "$redis_before" "$redis_after" "$rc"
}

# Merges the per-edge reports of run_connections_spread into one line of the table and one JSON
# report in the same shape as resound-bench's (so `metric` and the results file treat it alike).
summarize_connections_spread() {
  local name=$1 edges=$2 total=$3 channels=$4 parts=$5 peak=$6 reached=$7 cpu_before=$8 cpu_after=$9
  local redis_before=${10} redis_after=${11} rc=${12}
  local subscribed=0 weighted_rss=0 weighted_anon=0 phase=0 i f s
  for ((i = 1; i <= edges; i++)); do
    f=$parts/edge$i.json
    s=$(sed -n 's/^ *"subscribed": \([0-9]*\).*/\1/p' "$f" 2>/dev/null | head -n 1)
    s=${s:-0}
    subscribed=$((subscribed + s))
    weighted_rss=$(awk -v a="$weighted_rss" -v s="$s" -v b="$(part_metric "$f" bytes_per_connection_rss)" 'BEGIN { print a + s * b }')
    weighted_anon=$(awk -v a="$weighted_anon" -v s="$s" -v b="$(part_metric "$f" bytes_per_connection_anon)" 'BEGIN { print a + s * b }')
    phase=$(awk -v a="$phase" -v b="$(part_metric "$f" connect_phase_s)" 'BEGIN { print (b > a ? b : a) }')
  done
  local percentiles
  percentiles=$(cat "$parts"/edge*.ns 2>/dev/null | sort -n | awk '
    { v[NR] = $1 }
    function at(q,  r) { r = int(q * NR); if (r < q * NR) r++; if (r < 1) r = 1; return v[r] / 1e6 }
    END { if (NR == 0) { print "null null null null null"; exit }
          printf "%.3f %.3f %.3f %.3f %.3f\n", at(0.5), at(0.9), at(0.99), at(0.999), v[NR] / 1e6 }')
  local p50 p90 p99 p999 pmax
  read -r p50 p90 p99 p999 pmax <<<"$percentiles"
  local per_conn per_anon cpu_per_conn="null" rate="null" redis_per_conn
  per_conn=$(awk -v w="$weighted_rss" -v n="$subscribed" 'BEGIN { if (n > 0) printf "%.0f", w / n; else print "null" }')
  per_anon=$(awk -v w="$weighted_anon" -v n="$subscribed" 'BEGIN { if (n > 0) printf "%.0f", w / n; else print "null" }')
  redis_per_conn=$(awk -v a="$redis_after" -v b="$redis_before" -v n="$subscribed" 'BEGIN { if (n > 0) printf "%.1f", (a - b) * 1024 / n; else print "null" }')
  if [ -n "$cpu_after" ] && [ "$subscribed" -gt 0 ]; then
    cpu_per_conn=$(awk -v a="$cpu_after" -v b="$cpu_before" -v n="$subscribed" 'BEGIN { printf "%.1f", (a - b) * 1e6 / n }')
  fi
  [ -n "$reached" ] && rate=$(awk -v n="$total" -v ms="$reached" 'BEGIN { printf "%.0f", n * 1000 / ms }')

  local status=ok failures=() notes=()
  [ "$rc" -ne 0 ] && failures+=("a load generator reported a failure (see notes)")
  [ "$subscribed" -lt "$total" ] && failures+=("$((total - subscribed)) of $total subscribers did not get subscribed")
  [ "$peak" -lt "$total" ] && failures+=("the edges never held all $total connections at once (peak $peak)")
  [ "${#failures[@]}" -gt 0 ] && status=FAIL && failed=1
  while IFS= read -r line; do notes+=("$line"); done <"$parts/summary.tsv"

  local headline="$subscribed/$total subscribed over $edges edges (peak $peak open), connect->subscribed p50 $p50 ms p99 $p99 ms, $per_conn B/conn (edges' VmRSS), ${rate} subscribed/s"
  printf '%s\t%s\t%s\n' "$name" "$status" "$headline" >>"$summary"
  {
    printf '{\n  "scenario": "%s",\n  "ok": %s,\n  "headline": "%s",\n' "$name" \
      "$([ "$status" = ok ] && echo true || echo false)" "$headline"
    printf '  "params": {\n    "mode": "connect",\n    "server_mode": "redis",\n    "edges": %s,\n    "subscribers": %s,\n    "channels": %s,\n    "load_generators": %s,\n    "scheduler": "%s"\n  },\n' \
      "$edges" "$total" "$channels" "$edges" "$([ "$realtime" = 1 ] && echo fifo || echo normal)"
    printf '  "metrics": {\n'
    printf '    "subscribed": %s,\n    "peak_open_connections": %s,\n' "$subscribed" "$peak"
    printf '    "all_open_after_ms": %s,\n    "connect_rate_per_s": %s,\n' "${reached:-null}" "$rate"
    printf '    "slowest_connect_phase_s": %s,\n' "$phase"
    printf '    "connect_to_subscribed_p50_ms": %s,\n    "connect_to_subscribed_p90_ms": %s,\n' "$p50" "$p90"
    printf '    "connect_to_subscribed_p99_ms": %s,\n    "connect_to_subscribed_p999_ms": %s,\n' "$p99" "$p999"
    printf '    "connect_to_subscribed_max_ms": %s,\n' "$pmax"
    printf '    "bytes_per_connection_rss": %s,\n    "bytes_per_connection_anon": %s,\n' "$per_conn" "$per_anon"
    printf '    "redis_rss_before_kb": %s,\n    "redis_rss_after_kb": %s,\n' "$redis_before" "$redis_after"
    printf '    "redis_bytes_per_connection_rss": %s,\n' "$redis_per_conn"
    printf '    "connect_server_cpu_us_per_connection": %s\n  },\n' "$cpu_per_conn"
    printf '  "notes": ['
    local first=1 item
    for item in "${notes[@]}"; do
      [ "$first" = 1 ] || printf ', '
      first=0
      printf '"%s"' "$(printf '%s' "$item" | tr '\t' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g')"
    done
    printf '],\n  "failures": ['
    first=1
    for item in "${failures[@]}"; do
      [ "$first" = 1 ] || printf ', '
      first=0
      printf '"%s"' "$item"
    done
    printf ']\n}\n'
  } >"$work/$name.json"
}

part_metric() { { sed -n "s/^ *\"$2\": \\([-0-9.e]*\\),\\{0,1\\}\$/\\1/p" "$1" 2>/dev/null || true; } | head -n 1; }

# For each fan-out that ran in both modes: Redis-mode efficiency relative to embedded, and the extra
# server CPU the Redis hop costs per published event and per delivery. Appends to the summary and
# sets redis_comparison_json.
compare_redis_to_embedded() {
  redis_comparison_json=""
  local s entries=()
  for s in fanout-1k fanout-100x100 fanout-10k; do
    if [ ! -e "$work/$s.json" ] || [ ! -e "$work/redis-$s.json" ]; then continue; fi
    local line
    line=$(awk -v ee="$(metric "$s" deliveries_per_cpu_s)" -v re="$(metric "redis-$s" deliveries_per_cpu_s)" \
      -v ec="$(metric "$s" server_cpu_s)" -v rc="$(metric "redis-$s" server_cpu_s)" \
      -v en="$(metric "$s" events_accepted)" -v rn="$(metric "redis-$s" events_accepted)" \
      -v ed="$(metric "$s" deliveries)" -v rd="$(metric "redis-$s" deliveries)" 'BEGIN {
        if (ee <= 0 || en <= 0 || rn <= 0 || ed <= 0 || rd <= 0) exit 1
        printf "%.3f %.1f %.2f\n", re / ee, (rc / rn - ec / en) * 1e6, (rc / rd - ec / ed) * 1e6 }') || continue
    local ratio per_event per_delivery verdict
    read -r ratio per_event per_delivery <<<"$line"
    verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.7 ? "meets" : "misses") }')
    printf 'redis-%s vs %s\t-\tRedis mode at %s%% of embedded efficiency (%s target 70%%); the Redis hop costs %s us server CPU per event, %s us per delivery\n' \
      "$s" "$s" "$(awk -v r="$ratio" 'BEGIN { printf "%.0f", r * 100 }')" "$verdict" "$per_event" "$per_delivery" >>"$summary"
    entries+=("$(printf '"%s": {"efficiency_ratio": %s, "extra_cpu_us_per_event": %s, "extra_cpu_us_per_delivery": %s}' \
      "$s" "$ratio" "$per_event" "$per_delivery")")
  done
  if [ "${#entries[@]}" -gt 0 ]; then
    redis_comparison_json=$(printf ',\n  "redis_vs_embedded": {%s}' "$(IFS=,; echo "${entries[*]}")")
  fi
}

# For each HTTP publish load that ran in both modes: the bundle's publishes per server CPU-second
# (api + redis-server) relative to the embedded server's (issue 12's target: 60 %). Appends to the
# summary and sets api_comparison_json.
compare_api_to_embedded() {
  api_comparison_json=""
  local pair entries=()
  for pair in http-publish:redis-http-publish http-publish-fixed-1k:redis-http-publish-fixed; do
    local embedded=${pair%%:*} bundle=${pair##*:}
    if [ ! -e "$work/$embedded.json" ] || [ ! -e "$work/$bundle.json" ]; then continue; fi
    local line ratio e r
    e=$(metric "$embedded" requests_per_cpu_s)
    r=$(metric "$bundle" requests_per_cpu_s)
    line=$(awk -v e="$e" -v r="$r" 'BEGIN { if (e <= 0 || r <= 0) exit 1; printf "%.3f\n", r / e }') || continue
    ratio=$line
    printf '%s vs %s\t-\tthe bundle at %s%% of embedded publishes per server CPU-s (%s target 60%%): %.1fk vs %.1fk\n' \
      "$bundle" "$embedded" "$(awk -v r="$ratio" 'BEGIN { printf "%.0f", r * 100 }')" \
      "$(awk -v r="$ratio" 'BEGIN { print (r >= 0.6 ? "meets" : "misses") }')" \
      "$(awk -v r="$r" 'BEGIN { print r / 1000 }')" "$(awk -v e="$e" 'BEGIN { print e / 1000 }')" >>"$summary"
    entries+=("$(printf '"%s": {"ratio": %s, "bundle_requests_per_cpu_s": %s, "embedded_requests_per_cpu_s": %s}' \
      "$bundle" "$ratio" "$r" "$e")")
  done
  if [ "${#entries[@]}" -gt 0 ]; then
    api_comparison_json=$(printf ',\n  "api_vs_embedded": {%s}' "$(IFS=,; echo "${entries[*]}")")
  fi
}
