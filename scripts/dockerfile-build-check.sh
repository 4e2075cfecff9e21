#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine (CTest packaging.dockerfile-build):
#   1. its contract: two stages on the same pinned Debian 12 tag (build, runtime -slim), the build stage running scripts/docker-build.sh, a runtime
#      stage with --no-install-recommends and cleaned apt lists, a numeric non-root USER, exec-form CMD
#      and HEALTHCHECK using the `healthcheck` subcommand, STOPSIGNAL SIGTERM, EXPOSE of every port,
#      COPY sources that exist and that .dockerignore does not exclude;
#   2. every apt package of both stages exists in the configured Debian archive (apt-cache show);
#   3. the build stage itself: the files the Dockerfile COPYs are copied into a scratch /src and the
#      stage's RUN line (scripts/docker-build.sh) runs there, paths mapped to the scratch directory;
#   4. every shared library the built binaries load belongs to a runtime-stage package, one of their
#      dependencies, or the slim base (required packages and apt's dependencies);
#   5. the release binaries start: --version, `healthcheck` against themselves, SIGTERM -> exit 0
#      (edge and API against a scratch redis-server when one is installed).
#
# Usage: scripts/dockerfile-build-check.sh [--work DIR]
#   --work DIR  keep the scratch build in DIR (incremental re-runs); default: a temp dir, removed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work=${2:?--work needs a directory}; shift 2 ;;
    --work=*) work=${1#--work=}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "dockerfile-build-check: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$work" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/resound-dockerfile-check.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
work=$(cd "$work" && pwd)

failures=0
fail() { echo "dockerfile-build-check: FAIL: $*" >&2; failures=$((failures + 1)); }
note() { echo "dockerfile-build-check: $*"; }

# --- 1. Parse the Dockerfile and check its contract ------------------------------------------------
facts="$work/dockerfile-facts.sh"
python3 - "$repo" "$facts" <<'PY' || failures=$((failures + 1))
import fnmatch, json, os, re, shlex, sys

repo, out = sys.argv[1], sys.argv[2]
problems = []
text = open(os.path.join(repo, "Dockerfile"), encoding="utf-8").read()
# Join continuation lines, drop comments and the parser directive.
lines, current = [], ""
for raw in text.splitlines():
    stripped = raw.strip()
    if not current and (not stripped or stripped.startswith("#")):
        continue
    if stripped.startswith("#") and current:
        continue
    if stripped.endswith("\\"):
        current += stripped[:-1] + " "
        continue
    lines.append((current + stripped).strip())
    current = ""

stages = []
for line in lines:
    word, _, rest = line.partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.match(r"^(\S+)(?:\s+AS\s+(\S+))?$", rest.strip(), re.I)
        stages.append({"image": m.group(1), "name": (m.group(2) or "").lower(), "ins": []})
    elif stages:
        stages[-1]["ins"].append((word, rest.strip()))

def exec_form(value):
    try:
        parsed = json.loads(value)
        return parsed if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed) else None
    except ValueError:
        return None

def apt_packages(stage):
    packages = []
    for word, rest in stage["ins"]:
        if word != "RUN":
            continue
        for command in re.split(r"&&|;", rest):
            tokens = command.split()
            if "apt-get" in tokens and "install" in tokens:
                if stage is stages[-1] and "--no-install-recommends" not in tokens:
                    problems.append("runtime apt-get install without --no-install-recommends")
                packages += [t for t in tokens[tokens.index("install") + 1:] if not t.startswith("-")]
    return packages

if len(stages) < 2:
    problems.append(f"expected a build and a runtime stage, found {len(stages)} FROM lines")
    build, runtime = (stages + [None, None])[:2]
else:
    build = next((s for s in stages if s["name"] == "build"), stages[0])
    runtime = stages[-1]
binaries = ["resound", "resound-edge", "resound-api", "resound-auth", "resound-monitor"]
facts = {}
if build and runtime:
    # Pinned: a Debian 12 point release (debian:12.11) or a dated bookworm tag (debian:bookworm-20250520),
    # and the runtime stage the -slim flavour of the very same tag.
    pinned = r"^debian:(12\.\d+|bookworm-\d{8})$"
    if not re.match(pinned, build["image"]):
        problems.append(f"build stage image {build['image']} should match {pinned} (a pinned Debian 12 tag)")
    if runtime["image"] != build["image"] + "-slim":
        problems.append(f"runtime stage image {runtime['image']} should be {build['image']}-slim "
                        "(the same Debian release in both stages)")
    def without_run_flags(rest):
        # BuildKit's RUN flags (--mount=type=cache,... --network=...) are not part of the command.
        words = rest.split()
        while words and words[0].startswith("--"):
            words.pop(0)
        return " ".join(words)
    cached = [rest for word, rest in build["ins"] if word == "RUN" and "--mount=type=cache" in rest]
    if not any("docker-build.sh" in rest for rest in cached) or not any("apt-get" in rest for rest in cached):
        problems.append("the build stage should keep apt's downloads and the compiler cache in "
                        "RUN --mount=type=cache mounts (a source change must not rebuild everything)")
    if cached and not text.startswith("# syntax=docker/dockerfile:1"):
        problems.append("RUN --mount needs the parser directive `# syntax=docker/dockerfile:1` on line 1")
    build_runs = [without_run_flags(rest) for word, rest in build["ins"] if word == "RUN" and "docker-build.sh" in rest]
    if len(build_runs) != 1:
        problems.append("the build stage must run scripts/docker-build.sh exactly once")
    else:
        facts["BUILD_RUN"] = build_runs[0]
    facts["BUILD_PACKAGES"] = " ".join(apt_packages(build))
    facts["RUNTIME_PACKAGES"] = " ".join(apt_packages(runtime))
    facts["BUILD_COPIES"] = " ".join(rest.split()[0] for word, rest in build["ins"]
                                     if word == "COPY" and not rest.startswith("--from"))
    runtime_runs = " ".join(rest for word, rest in runtime["ins"] if word == "RUN")
    if "rm -rf /var/lib/apt/lists/*" not in runtime_runs:
        problems.append("the runtime stage keeps /var/lib/apt/lists (add rm -rf /var/lib/apt/lists/*)")
    ins = {}
    for word, rest in runtime["ins"]:
        ins.setdefault(word, []).append(rest)
    user = (ins.get("USER") or [""])[-1].split(":")[0]
    if not user.isdigit() or int(user) == 0:
        problems.append(f"USER must be a numeric non-root uid (got '{user or 'none'}')")
    if (ins.get("STOPSIGNAL") or [""])[-1] != "SIGTERM":
        problems.append("STOPSIGNAL SIGTERM is missing")
    cmd = exec_form((ins.get("CMD") or [""])[-1])
    if not cmd or cmd[0] not in binaries:
        problems.append(f"CMD must be exec form naming one of {binaries}")
    for entry in ins.get("ENTRYPOINT", []):
        if exec_form(entry) is None:
            problems.append("ENTRYPOINT must be exec form (a shell would swallow SIGTERM)")
    health = (ins.get("HEALTHCHECK") or [""])[-1]
    match = re.search(r"(?:^|\s)CMD\s+(.*)$", health)
    health_cmd = exec_form(match.group(1)) if match else None
    if not health_cmd or len(health_cmd) < 2 or health_cmd[0] not in binaries or health_cmd[1] != "healthcheck":
        problems.append("HEALTHCHECK must be exec form running `<binary> healthcheck` (no curl in the image)")
    exposed = set(" ".join(ins.get("EXPOSE", [])).split())
    for port in ("8080", "8081", "9601"):
        if port not in exposed:
            problems.append(f"EXPOSE lacks {port}")
    copies = ins.get("COPY", [])
    if not any(c.startswith("--from=build") and c.split()[-1] == "/usr/local/bin/" for c in copies):
        problems.append("the runtime stage must COPY --from=build the binaries into /usr/local/bin/")
    if not any(c.split()[0] == "config/resound.yaml" and c.split()[-1].startswith("/etc/resound/") for c in copies):
        problems.append("the runtime stage must COPY config/resound.yaml into /etc/resound/")
    # COPY sources exist and survive .dockerignore.
    ignore_path = os.path.join(repo, ".dockerignore")
    patterns = [p.strip().rstrip("/") for p in open(ignore_path).read().splitlines()
                if p.strip() and not p.startswith("#")] if os.path.exists(ignore_path) else []
    def ignored(path):
        parts = path.rstrip("/").split("/")
        for pattern in patterns:
            pattern = pattern.lstrip("/")
            for i in range(1, len(parts) + 1):
                prefix = "/".join(parts[:i])
                if fnmatch.fnmatch(prefix, pattern) or (pattern.startswith("**/") and fnmatch.fnmatch(parts[i - 1], pattern[3:])):
                    return True
        return False
    for stage in stages:
        for word, rest in stage["ins"]:
            if word != "COPY" or rest.startswith("--from"):
                continue
            for source in rest.split()[:-1]:
                if not os.path.exists(os.path.join(repo, source)):
                    problems.append(f"COPY source {source} does not exist")
                elif ignored(source):
                    problems.append(f"COPY source {source} is excluded by .dockerignore")
for problem in problems:
    print(f"dockerfile-build-check: FAIL: Dockerfile: {problem}", file=sys.stderr)
with open(out, "w") as f:
    for key, value in facts.items():
        f.write(f"{key}={shlex.quote(value)}\n")
sys.exit(1 if problems else 0)
PY
# shellcheck disable=SC1090
source "$facts"
note "Dockerfile contract checked"

# --- 2. Packages exist in the archive ---------------------------------------------------------------
for package in $BUILD_PACKAGES $RUNTIME_PACKAGES; do
  if ! apt-cache show --no-all-versions "$package" >/dev/null 2>&1; then
    fail "apt package '$package' does not exist here (apt-cache show); Debian 12 names differ?"
  fi
done
note "packages exist: build [$BUILD_PACKAGES] runtime [$RUNTIME_PACKAGES]"
for package in $BUILD_PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    note "warning: build package $package is not installed on this host (scripts/install-deps.sh)"
done

# --- 3. The build stage on this host -----------------------------------------------------------------
src="$work/src"
rm -rf "$src" && mkdir -p "$src"
for source in $BUILD_COPIES; do
  mkdir -p "$src/$(dirname "$source")"
  cp -a "$repo/$source" "$src/$(dirname "$source")/"
done
# /src, /build and /out of the Dockerfile become scratch directories here.
# Whole words only, in one pass: the scratch paths themselves may contain "/build" or "/src".
run=""
for word in $BUILD_RUN; do
  case "$word" in
    /src) word=$src ;;
    /build) word=$work/build ;;
    /out) word=$work/out ;;
  esac
  run+="${run:+ }$word"
done
note "running the build stage: $run"
rm -rf "$work/out"
# The image's build stage compiles through ccache (in a BuildKit cache mount); so does this run when
# ccache is installed. Paths are hashed relative to the scratch tree, so another checkout (CI's clone)
# finds the same entries.
if command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$work"
fi
(cd "$src" && eval "$run") > "$work/build.log" 2>&1 || {
  tail -n 60 "$work/build.log" >&2
  fail "the build stage failed (log: $work/build.log)"
  exit 1
}
bin="$work/out/bin"
binaries=(resound resound-edge resound-api resound-auth resound-monitor)
for name in "${binaries[@]}"; do
  [ -x "$bin/$name" ] || fail "the build stage produced no $bin/$name"
done
note "build stage produced: $(ls "$bin" | tr '\n' ' ')"

# --- 4. Runtime libraries are provided ------------------------------------------------------------
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
    --no-enhances "$@" 2>/dev/null | grep -v '^ ' | sed 's/:.*//' | sort -u
}
provided=$(closure $RUNTIME_PACKAGES apt)
for binary in "$bin"/*; do
  if ldd "$binary" | grep -q "not found"; then
    fail "$(basename "$binary"): $(ldd "$binary" | grep 'not found' | tr '\n' ' ')"
  fi
  while read -r library; do
    [ -n "$library" ] || continue
    owner=$(dpkg -S "$(readlink -f "$library")" 2>/dev/null || dpkg -S "$library" 2>/dev/null || true)
    package=${owner%%:*}
    if [ -z "$package" ]; then
      fail "$(basename "$binary"): no Debian package owns $library"
      continue
    fi
    if ! grep -qx "$package" <<<"$provided" &&
       ! apt-cache show --no-all-versions "$package" 2>/dev/null | grep -q '^Priority: required'; then
      fail "$(basename "$binary") loads $library from $package, which the runtime stage does not install"
    fi
  done < <(ldd "$binary" | awk '/=>/ && $3 ~ /^\// {print $3}')
done
note "shared libraries of every binary are covered by the runtime packages"

# --- 5. Smoke test of the release binaries --------------------------------------------------------
# A port no other test process holds, claimed while this script runs (the suites' own scheme).
free_port() {
  local port
  port=$(node "$repo/tests/integration/lib/ports.mjs" --owner $$) || return 1
  [[ $port =~ ^[0-9]+$ ]] || { echo "free_port: tests/integration/lib/ports.mjs printed '$port', not a port" >&2; return 1; }
  echo "$port"
}
clean_env=(env -i PATH=/usr/bin:/bin HOME=/nonexistent RESOUND_LOG_LEVEL=warn)

# run_service NAME HEALTH_PATH ARGS... : start, expect healthcheck 0, SIGTERM, expect exit 0.
run_service() {
  local name=$1 port=$2 health=$3; shift 3
  "${clean_env[@]}" "$@" "$bin/$name" > "$work/$name.log" 2>&1 &
  local pid=$!
  local ok=1
  for _ in $(seq 1 100); do
    if "$bin/$name" healthcheck --url "http://127.0.0.1:$port$health" >/dev/null 2>&1; then ok=0; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ "$ok" -eq 0 ] || fail "$name: '$name healthcheck --url http://127.0.0.1:$port$health' never succeeded ($(tail -c 600 "$work/$name.log"))"
  kill -TERM "$pid" 2>/dev/null || true
  local status=0
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || fail "$name: exit status $status after SIGTERM ($(tail -c 600 "$work/$name.log"))"
}

for name in "${binaries[@]}"; do
  "$bin/$name" --version >/dev/null 2>&1 || fail "$name --version failed"
done
dead=$(free_port)
if "$bin/resound-auth" healthcheck --url "http://127.0.0.1:$dead/health" --timeout 500 >/dev/null 2>&1; then
  fail "resound-auth healthcheck succeeded against a closed port"
fi

port=$(free_port)
run_service resound-auth "$port" /health REVERB_SERVER_HOST=127.0.0.1 RESOUND_AUTH_PORT="$port"
port=$(free_port)
# Redis down on purpose: liveness must still be 200.
run_service resound-monitor "$port" /health REVERB_SERVER_HOST=127.0.0.1 RESOUND_MONITOR_PORT="$port" \
  REDIS_HOST=127.0.0.1 REDIS_PORT="$dead"
port=$(free_port)
run_service resound "$port" /health REVERB_SERVER_HOST=127.0.0.1 REVERB_SERVER_PORT="$port" RESOUND_IO_THREADS=1

if command -v redis-server >/dev/null; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --logfile /dev/null \
    --dir "$work" > /dev/null 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
    sleep 0.1
  done
  for name in resound-edge resound-api; do
    port=$(free_port)
    run_service "$name" "$port" /ready REVERB_SERVER_HOST=127.0.0.1 REVERB_SERVER_PORT="$port" \
      RESOUND_IO_THREADS=1 REVERB_SCALING_ENABLED=true REDIS_HOST=127.0.0.1 REDIS_PORT="$redis_port"
  done
  kill -TERM "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
else
  note "redis-server not installed: resound-edge and resound-api were not started"
fi
note "release binaries start, pass their own healthcheck and stop on SIGTERM with status 0"

if [ "$failures" -gt 0 ]; then
  echo "dockerfile-build-check: $failures problem(s)" >&2
  exit 1
fi
note "all checks passed"
