#!/usr/bin/env python3
"""Static checks of the bundle's compose files against the rules of the tools that run them.

No Docker engine needed. Two files, two sets of rules:
  * compose.yaml (standalone, Traefik in the stack): what `docker compose` and Traefik's Docker
    provider do with it: replicas, health checks, lame-duck timing against the proxy's health checks,
    Traefik routes, pinned images, Redis persistence, private monitor and Redis.
  * deploy/coolify/compose.yaml: what Coolify v4 does with a Git "Docker Compose" application
    (coollabsio/coolify, read at 379abb25): where build contexts resolve, which service a magic
    SERVICE_URL_* variable publishes, label escaping, the middlewares Coolify adds to generated routers,
    and what it overrides. Every Coolify rule names the file/function where Coolify decides it.
Rules common to both: five Resound roles wired with exec-form commands of binaries the CMake build
produces, health checks probing the service's own port, depends_on on healthy services, every
${VARIABLE} documented in docs/deploy.md.

--self-test proves that every rule catches the mistake it exists for: each case breaks one thing in a
copy of the real file (or takes the Coolify file from before issue #10) and expects that rule's message.

Usage: scripts/check-compose.py [--repo DIR] [--self-test] [--coolify FILE] [--standalone FILE]
Exit status 0 when every check passes; each problem is printed as `file: service: problem`.
"""
import argparse
import copy
import os
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("check-compose: PyYAML is missing: apt-get install python3-yaml (scripts/install-deps.sh)")

STANDALONE = "compose.yaml"
COOLIFY = "deploy/coolify/compose.yaml"
# The Coolify file as it was when issue #10 was filed: the self-test requires it to fail for the
# issue's four reasons (build context, magic variable name, ${} in labels, public /metrics).
COOLIFY_BEFORE_ISSUE_10 = "tests/packaging/fixtures/coolify-compose-before-issue-10.yaml"

REQUIRED_SERVICES = {
    "standalone": ("redis", "api", "edge", "auth", "monitor", "proxy"),
    "coolify": ("redis", "resound", "auth", "monitor"),
}
# The port each binary listens on by default, and the variable that changes it.
SERVICE_PORTS = {
    "resound": ("REVERB_SERVER_PORT", 8080),
    "resound-edge": ("REVERB_SERVER_PORT", 8080),
    "resound-api": ("REVERB_SERVER_PORT", 8080),
    "resound-auth": ("RESOUND_AUTH_PORT", 8081),
    "resound-monitor": ("RESOUND_MONITOR_PORT", 9601),
}
REDIS_USERS = ("resound-edge", "resound-api", "resound-monitor")
MAX_INTERVAL_SECONDS = 10  # Docker's 30 s default delays service_healthy dependents and routing
# Defaults of the Resound servers (config/resound.yaml: server.shutdown_delay_ms / shutdown_timeout_ms).
DEFAULT_SHUTDOWN_DELAY_MS = 0
DEFAULT_SHUTDOWN_TIMEOUT_MS = 10000
# Traefik applies a provider's new configuration at most every providersThrottleDuration, 2 s by
# default (traefik/traefik cmd/configuration.go); a container that turned unhealthy leaves the
# rotation only with the next applied configuration.
TRAEFIK_PROVIDERS_THROTTLE_S = 2.0
STOP_MARGIN_S = 2.0  # between the end of the drain and Docker's SIGKILL
ROUTING_MARGIN_S = 1.0  # between the proxy's last route to a draining server and the 4200
# Coolify stops the old containers of a compose application with `docker stop --timeout=<Stop Grace
# Period>` (app/Jobs/ApplicationDeploymentJob.php graceful_shutdown_container, dockerStopCommand in
# bootstrap/helpers/docker.php); the setting defaults to DEFAULT_STOP_GRACE_PERIOD_SECONDS = 30
# (bootstrap/helpers/constants.php) and overrides the compose file's stop_grace_period.
COOLIFY_STOP_TIMEOUT_S = 30.0
# Magic value types Coolify can generate (bootstrap/helpers/shared.php generateEnvValue); any other
# type yields an empty value.
COOLIFY_GENERATED_TYPES = {
    "PASSWORD", "PASSWORD_64", "PASSWORDWITHSYMBOLS", "PASSWORDWITHSYMBOLS_64", "BASE64", "BASE64_32",
    "BASE64_64", "BASE64_128", "REALBASE64", "REALBASE64_32", "REALBASE64_64", "REALBASE64_128",
    "HEX_32", "HEX_64", "HEX_128", "USER", "LOWERCASEUSER",
}
VAR_PATTERN = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
ANY_INTERPOLATION = re.compile(r"(?<!\$)\$(\{|[A-Za-z_])")
# Paths a public Resound port must keep serving unchanged, and the ones it must not expose.
PUBLIC_PATHS = ("/app/some-key", "/apps/1/events", "/up", "/ready", "/health")
PRIVATE_PATHS = ("/metrics", "//metrics")


def cmake_binaries(repo):
    names = set()
    services = os.path.join(repo, "services")
    for entry in sorted(os.listdir(services)):
        path = os.path.join(services, entry, "CMakeLists.txt")
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                names.update(re.findall(r"add_executable\(\s*([A-Za-z0-9_.+-]+)", f.read()))
    return names


def seconds(value):
    if isinstance(value, (int, float)):
        return float(value)
    total, matched = 0.0, False
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|us|h|m|s)", str(value)):
        total += float(number) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}[unit]
        matched = True
    return total if matched else None


def as_dict(value):
    """environment / labels in list form ("K=V") or map form -> dict of strings."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): ("" if v is None else str(v)) for k, v in value.items()}
    result = {}
    for item in value:
        key, _, val = str(item).partition("=")
        result[key] = val
    return result


def strings_in(node):
    """Every string of a parsed compose file, keys included (comments are not interpolated)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, str):
        yield node


def literal(value):
    """A compose value with ${VAR:-default} replaced by its default."""
    return VAR_PATTERN.sub(lambda m: m.group(3) if m.group(2) in (":-", "-") else "", str(value))


def coolify_magic_name(key):
    """(service name, port) the way Coolify reads SERVICE_URL_/SERVICE_FQDN_ keys
    (bootstrap/helpers/services.php parseServiceEnvironmentVariable: lower-cased, a numeric last
    segment is the port)."""
    rest = re.sub(r"^SERVICE_(URL|FQDN)_", "", key)
    head, _, last = rest.rpartition("_")
    if head and last.isdigit():
        return head.lower(), int(last)
    return rest.lower(), None


def coolify_find_service(candidate, services):
    """bootstrap/helpers/domains.php findComposeServiceName: the exact name, else the one service whose
    name equals it once '-' and '.' become '_'."""
    if candidate in services:
        return candidate
    normalized = candidate.replace("-", "_").replace(".", "_")
    matches = [s for s in services if s.replace("-", "_").replace(".", "_") == normalized]
    return matches[0] if len(matches) == 1 else None


def coolify_generated_type(variable):
    """bootstrap/helpers/shared.php parseCommandFromMagicEnvVariable: the type is chosen by counting
    underscores (2: SERVICE_<TYPE>_<ID>, 3: SERVICE_<TYPE>_<N>_<ID>), so an identifier with '_' shifts it."""
    if variable.count("_") in (2, 3):
        return variable[len("SERVICE_"):].rpartition("_")[0]
    return None


def rule_paths(rule):
    """Path matchers of a Traefik rule: [(kind, path)]; kind Path or PathPrefix."""
    return re.findall(r"\b(PathPrefix|Path)\(`([^`]*)`\)", rule)


def rule_matches(rule, path):
    matchers = rule_paths(rule)
    if not matchers:
        return True  # no path matcher: every path
    return any(path == p if kind == "Path" else path.startswith(p) for kind, p in matchers)


class Checker:
    def __init__(self, repo, binaries, docs_text, env_example):
        self.repo = repo
        self.binaries = binaries
        self.docs_text = docs_text
        self.env_example = env_example
        self.problems = []
        self.checks = 0

    def fail(self, where, message):
        problem = f"{where}: {message}"
        if problem not in self.problems:
            self.problems.append(problem)

    def expect(self, condition, where, message):
        self.checks += 1
        if not condition:
            self.fail(where, message)
        return condition

    # ---- one compose file -------------------------------------------------------------------------
    def check_file(self, name, data, kind, raw_text):
        services = data.get("services") or {}
        for required in REQUIRED_SERVICES[kind]:
            self.expect(required in services, name, f"service '{required}' is missing")
        for service_name, service in services.items():
            self.check_service(name, kind, services, service_name, service or {})
        self.check_dependency_cycles(name, services)
        self.check_variables(name, data, kind)
        self.check_redis(name, services)
        if kind == "standalone":
            self.check_standalone_routing(name, services)
            self.check_standalone_scaling(name, services)
        else:
            self.check_coolify(name, data, services, raw_text)

    def binary_of(self, service):
        command = service.get("command")
        if isinstance(command, list) and command:
            return str(command[0])
        return None

    def port_of(self, service):
        binary = self.binary_of(service)
        if binary not in SERVICE_PORTS:
            return None
        variable, default = SERVICE_PORTS[binary]
        value = literal(as_dict(service.get("environment")).get(variable, default))
        return int(value) if str(value).isdigit() else None

    def health_path(self, service):
        test = (service.get("healthcheck") or {}).get("test") or []
        if "--url" in test and test.index("--url") + 1 < len(test):
            match = re.match(r"^http://127\.0\.0\.1:\d+(/[a-z]*)$", str(test[test.index("--url") + 1]))
            return match.group(1) if match else None
        return None

    def shutdown_times(self, service):
        """(delay s, drain timeout s) the server reads from its environment."""
        env = as_dict(service.get("environment"))
        delay = literal(env.get("RESOUND_SHUTDOWN_DELAY_MS", DEFAULT_SHUTDOWN_DELAY_MS))
        timeout = literal(env.get("RESOUND_SHUTDOWN_TIMEOUT_MS", DEFAULT_SHUTDOWN_TIMEOUT_MS))
        delay = int(delay) if str(delay).isdigit() else DEFAULT_SHUTDOWN_DELAY_MS
        timeout = int(timeout) if str(timeout).isdigit() else DEFAULT_SHUTDOWN_TIMEOUT_MS
        return delay / 1000.0, timeout / 1000.0

    def check_service(self, name, kind, services, service_name, service):
        where = f"{name}: {service_name}"
        binary = self.binary_of(service)
        ours = "build" in service or (binary or "").startswith("resound")

        health = service.get("healthcheck")
        if self.expect(isinstance(health, dict) and not health.get("disable"), where, "no healthcheck"):
            test = health.get("test")
            self.expect(isinstance(test, list) and test and test[0] in ("CMD", "CMD-SHELL"), where,
                        "healthcheck test must be a list starting with CMD or CMD-SHELL")
            interval = seconds(health.get("interval", "30s"))
            self.expect(interval is not None and interval <= MAX_INTERVAL_SECONDS, where,
                        f"healthcheck interval {health.get('interval', '30s (default)')} is longer than "
                        f"{MAX_INTERVAL_SECONDS}s: service_healthy dependents and the proxy wait that long")
            self.expect(int(health.get("retries", 0)) >= 3, where, "healthcheck retries must be at least 3")
            self.expect("start_period" in health, where, "healthcheck has no start_period")

        if not ours:
            image = str(service.get("image", ""))
            # A floating tag (redis:7-alpine, traefik:v3.6) changes under a redeploy; pin a release.
            self.expect(re.search(r":v?\d+\.\d+\.\d+", image) is not None, where,
                        f"image {image or '(none)'} is not pinned to a release (name:X.Y.Z)")
        else:
            self.check_resound_service(where, kind, services, service, binary)
        self.check_depends_on(where, services, service)
        self.check_ports(where, kind, service_name, service, binary)

    def check_resound_service(self, where, kind, services, service, binary):
        command = service.get("command")
        self.expect(isinstance(command, list) and command, where,
                    "command must be exec form (a list) so SIGTERM reaches the binary")
        if not self.expect(binary in self.binaries, where,
                           f"command names '{binary}', which the CMake build does not produce "
                           f"(known: {', '.join(sorted(self.binaries))})"):
            return
        port = self.port_of(service)
        test = (service.get("healthcheck") or {}).get("test") or []
        self.expect(test[:3] == ["CMD", binary, "healthcheck"], where,
                    f"healthcheck must run `{binary} healthcheck` (slim image: no curl), got {test}")
        if "--url" in test and test.index("--url") + 1 < len(test):
            url = test[test.index("--url") + 1]
            match = re.match(r"^http://127\.0\.0\.1:(\d+)/(health|ready)$", url)
            if self.expect(match is not None, where,
                           f"healthcheck URL {url} must be http://127.0.0.1:PORT/health or /ready"):
                self.expect(int(match.group(1)) == port, where,
                            f"healthcheck probes port {match.group(1)} but the service listens on {port}")
        expose = [int(literal(p)) for p in service.get("expose", []) if literal(p).isdigit()]
        if expose:
            self.expect(port in expose, where, f"expose {expose} does not include the service port {port}")
        build = service.get("build")
        if isinstance(build, str):
            build = {"context": build}
        if isinstance(build, dict):
            self.check_build(where, kind, build)
        env = as_dict(service.get("environment"))
        if binary in REDIS_USERS or (binary == "resound" and env.get("REVERB_SCALING_ENABLED") == "true"):
            self.expect(env.get("REVERB_SCALING_ENABLED") == "true", where,
                        "REVERB_SCALING_ENABLED must be \"true\" (the service shares state through Redis)")
            depends = service.get("depends_on") or {}
            self.expect(isinstance(depends, dict) and env.get("REDIS_HOST") in depends, where,
                        "uses Redis but does not depend on the redis service")
        # Lame duck: the server's drain must end before Docker's SIGKILL.
        delay, timeout = self.shutdown_times(service)
        grace = seconds(service.get("stop_grace_period", "10s")) or 10.0
        self.expect(grace >= delay + timeout + STOP_MARGIN_S, where,
                    f"stop_grace_period {grace:g}s < shutdown delay {delay:g}s + drain {timeout:g}s + "
                    f"{STOP_MARGIN_S:g}s: Docker kills the server before its clients are drained")

    def check_build(self, where, kind, build):
        # Standalone: `docker compose` resolves a relative context from the compose file's folder.
        # Coolify: the application is built with `docker compose --project-directory
        # <checkout>/<Base Directory>` (app/Jobs/ApplicationDeploymentJob.php
        # deploy_docker_compose_buildpack; $this->workdir is built from base_directory in the
        # constructor), so contexts resolve from the repository root (Base Directory "/"), wherever the
        # compose file lives.
        base = self.repo if kind == "coolify" else os.path.dirname(os.path.join(self.repo, STANDALONE))
        context = os.path.normpath(os.path.join(base, str(build.get("context", "."))))
        dockerfile = os.path.join(context, str(build.get("dockerfile", "Dockerfile")))
        hint = " (Coolify resolves it from the repository root: --project-directory)" if kind == "coolify" else ""
        if self.expect(os.path.isdir(context) and os.path.commonpath([context, self.repo]) == self.repo,
                       where, f"build context {build.get('context', '.')} ({context}) is not a folder of the "
                              f"repository{hint}"):
            self.expect(os.path.isfile(dockerfile), where, f"Dockerfile {dockerfile} does not exist{hint}")

    def check_depends_on(self, where, services, service):
        depends = service.get("depends_on")
        if depends is None:
            return
        if not self.expect(isinstance(depends, dict), where,
                           "depends_on must use the long form with condition: service_healthy"):
            return
        for target, spec in depends.items():
            self.expect(target in services, where, f"depends_on names unknown service '{target}'")
            condition = (spec or {}).get("condition") if isinstance(spec, dict) else None
            self.expect(condition == "service_healthy", where,
                        f"depends_on {target}: condition must be service_healthy, got {condition}")
            if target in services:
                self.expect(isinstance((services[target] or {}).get("healthcheck"), dict), where,
                            f"depends_on {target}, which has no healthcheck")

    def check_dependency_cycles(self, name, services):
        state = {}

        def visit(node, trail):
            if state.get(node) == "done":
                return
            if state.get(node) == "active":
                self.fail(name, "depends_on cycle: " + " -> ".join(trail + [node]))
                return
            state[node] = "active"
            depends = (services.get(node) or {}).get("depends_on") or {}
            for target in depends if isinstance(depends, (dict, list)) else []:
                if target in services:
                    visit(target, trail + [node])
            state[node] = "done"

        self.checks += 1
        for service_name in services:
            visit(service_name, [])

    def check_ports(self, where, kind, service_name, service, binary):
        ports = service.get("ports") or []
        if kind == "coolify":
            # applicationParser (bootstrap/helpers/parsers.php) passes `ports:` through unchanged: they
            # publish on the host and bypass Coolify's proxy (no TLS, no routing, clashes).
            self.expect(not ports, where, "publishes ports: on Coolify they bypass the proxy")
            return
        if service_name == "edge" or binary == "resound-edge":
            self.expect("container_name" not in service, where,
                        "container_name allows one container only: the edge cannot have replicas")
        for port in ports:
            text = literal(port if isinstance(port, str) else port.get("published", ""))
            loopback = text.startswith("127.0.0.1:") or (isinstance(port, dict) and port.get("host_ip") == "127.0.0.1")
            if service_name == "proxy":
                continue
            if binary == "resound-monitor":
                self.expect(loopback, where, f"monitor port {text} must be bound to 127.0.0.1 only")
                host = text.split(":")[1] if text.count(":") == 2 else text.split(":")[0]
                # One fixed host port admits one monitor; a second (the standby webhook sender) cannot
                # bind it. Without a host port Docker gives each container a free one. (Host port
                # ranges are no way out: compose v2 hands the whole range to the first replica,
                # docker/compose#8530.)
                self.expect(host == "", where,
                            f"monitor host port {host} is fixed by default: a second monitor cannot start; "
                            "leave the host port empty (127.0.0.1:${RESOUND_MONITOR_HOST_PORT:-}:9601)")
                continue
            self.fail(where, f"publishes {text}: only the proxy is reachable from outside (scaling, Redis privacy)")
        self.checks += 1

    # ---- Redis ----------------------------------------------------------------------------------
    def check_redis(self, name, services):
        redis = services.get("redis") or {}
        where = f"{name}: redis"
        command = [str(c) for c in (redis.get("command") or [])] if isinstance(redis.get("command"), list) else \
            str(redis.get("command", "")).split()

        def option(flag):
            return command[command.index(flag) + 1] if flag in command and command.index(flag) + 1 < len(command) else None

        self.expect(bool(literal(option("--requirepass") or "") or VAR_PATTERN.search(option("--requirepass") or "")),
                    where, "Redis runs without --requirepass")
        # Webhook events wait in a Redis list for the monitor: without persistence a Redis restart
        # loses them.
        self.expect(option("--appendonly") == "yes", where, "Redis runs without --appendonly yes")
        volumes = redis.get("volumes") or []
        targets = [str(v).split(":")[1] if isinstance(v, str) and ":" in str(v) else (v or {}).get("target")
                   for v in volumes]
        self.expect("/data" in targets, where, "Redis keeps its append-only file in /data: mount a volume there")

    # ---- variables ------------------------------------------------------------------------------
    def check_variables(self, name, data, kind):
        for match in (m for text in strings_in(data) for m in VAR_PATTERN.finditer(text)):
            variable, operator = match.group(1), match.group(2)
            where = f"{name}: ${{{variable}}}"
            if variable.startswith("SERVICE_"):
                self.expect(kind == "coolify", where, "Coolify magic variable in a non-Coolify file")
                continue
            self.expect(re.search(rf"`{re.escape(variable)}`", self.docs_text) is not None, where,
                        "not documented in docs/deploy.md (add it to the environment reference)")
            if kind == "standalone":
                if operator is None:
                    self.fail(where, "no default: use ${VAR:-default} or mark it required with ${VAR:?message}")
                if operator in (":?", "?"):
                    self.expect(re.search(rf"^{re.escape(variable)}=", self.env_example, re.M) is not None, where,
                                "required but missing from .env.example")
            else:
                # applicationParser (bootstrap/helpers/parsers.php) turns ${VAR} into an empty variable
                # in the UI and ${VAR:?...} into a required one (is_required): either needs a hand edit
                # before the first deploy works.
                self.expect(operator in (":-", "-"), where,
                            "a user variable without a default (${VAR:-default}) needs a hand edit in Coolify")
        self.checks += 1

    # ---- standalone: Traefik in the stack ------------------------------------------------------
    def routers(self, service):
        labels = as_dict(service.get("labels"))
        result = {}
        for key, value in labels.items():
            match = re.match(r"^traefik\.http\.routers\.([^.]+)\.(.+)$", key)
            if match:
                result.setdefault(match.group(1), {})[match.group(2)] = value
        lb = {}
        for key, value in labels.items():
            match = re.match(r"^traefik\.http\.services\.([^.]+)\.loadbalancer\.(.+)$", key)
            if match:
                lb[match.group(2)] = literal(value)
        return result, lb

    def check_standalone_routing(self, name, services):
        priority = {}
        for service_name, service in services.items():
            service = service or {}
            routers, lb = self.routers(service)
            port = self.port_of(service)
            where = f"{name}: {service_name}"
            if "server.port" in lb:
                self.expect(port is not None and lb["server.port"] == str(port), where,
                            f"Traefik load balancer port {lb['server.port']} differs from the service port {port}")
            for router, settings in routers.items():
                rwhere = f"{where}: router {router}"
                middlewares = settings.get("middlewares", "")
                self.expect("strip" not in middlewares.lower() and "compress" not in middlewares.lower(), rwhere,
                            "no strip-prefix (breaks Pusher signatures) or compress (WebSockets) middleware")
                rule = literal(settings.get("rule", ""))
                for private in PRIVATE_PATHS:
                    self.expect(not rule_matches(rule, private), rwhere,
                                f"rule {rule} also routes {private}: metrics must stay private")
                if "/apps/" in rule:
                    priority["api"] = int(settings.get("priority", "0") or 0)
                    self.expect(service_name == "api", rwhere, "/apps/ must route to the api service")
                elif "/app/" in rule:
                    priority["edge"] = int(settings.get("priority", "0") or 0)
                    self.expect(service_name == "edge", rwhere, "/app/ must route to the edge service")
            if routers:
                self.check_lame_duck(where, service, lb)
        self.expect("monitor" not in services or not self.routers(services["monitor"] or {})[0],
                    f"{name}: monitor", "the monitor must not be routed through the proxy")
        self.expect("api" in priority, name, "no Traefik router sends /apps/ to the api service")
        self.expect("edge" in priority, name, "no Traefik router sends /app/ to the edge service")
        if "edge" in priority and "api" in priority:
            self.expect(priority["api"] > priority["edge"], name,
                        "the /apps/ router must outrank the /app/ router (PathPrefix(/app) also matches /apps)")

    def check_lame_duck(self, where, service, lb):
        """A routed server must stay reachable until the proxy has stopped sending it new connections.

        Traefik's Docker provider drops a container from its routes only when the container is not
        running or its Docker health is not "healthy" (pkg/provider/docker/config.go keepContainer),
        re-reading containers on start, die and health_status events (pdocker.go) and applying the
        result after the providers throttle. Docker reports unhealthy after `retries` failed probes
        `interval` apart. Traefik's own active health check (loadbalancer.healthcheck.*) marks a server
        down after one failed probe (pkg/healthcheck/healthcheck.go), but a reload starts it afresh,
        so the Docker path is the bound the delay must cover."""
        path = self.health_path(service)
        self.expect(path == "/ready", where,
                    f"a routed service must probe /ready (got {path}): /health stays 200 while draining, so the "
                    "proxy would keep routing to it until it exits")
        health = service.get("healthcheck") or {}
        interval = seconds(health.get("interval", "30s")) or 30.0
        retries = int(health.get("retries", 3))
        docker_bound = interval * retries + TRAEFIK_PROVIDERS_THROTTLE_S
        delay, _ = self.shutdown_times(service)
        self.expect(delay >= docker_bound + ROUTING_MARGIN_S, where,
                    f"RESOUND_SHUTDOWN_DELAY_MS {delay * 1000:g} ms is shorter than the time Traefik needs to "
                    f"stop routing to it ({interval:g}s x {retries} Docker probes + {TRAEFIK_PROVIDERS_THROTTLE_S:g}s "
                    f"throttle + {ROUTING_MARGIN_S:g}s margin = {(docker_bound + ROUTING_MARGIN_S) * 1000:g} ms): "
                    "clients told to reconnect (4200) would land on it again")
        if "healthcheck.path" in lb:
            self.expect(lb["healthcheck.path"] == "/ready", where, "Traefik's health check must probe /ready")
            hc = (seconds(lb.get("healthcheck.interval", "30s")) or 30.0) + (seconds(lb.get("healthcheck.timeout", "5s")) or 5.0)
            self.expect(delay >= hc + ROUTING_MARGIN_S, where,
                        f"RESOUND_SHUTDOWN_DELAY_MS {delay * 1000:g} ms is shorter than Traefik's health check "
                        f"interval + timeout ({hc:g}s) + margin")

    def check_standalone_scaling(self, name, services):
        edge = services.get("edge") or {}
        replicas = ((edge.get("deploy") or {}).get("replicas"))
        # `docker compose up -d` sets a service back to deploy.replicas (1 without it), undoing an
        # earlier `--scale edge=N`: the edge count belongs in the file.
        self.expect(isinstance(replicas, int) and replicas >= 1, f"{name}: edge",
                    "no deploy.replicas: the edge count would fall back to 1 on the next `docker compose up -d`")

    # ---- Coolify ----------------------------------------------------------------------------------
    def check_coolify(self, name, data, services, raw_text):
        # Coolify re-reads the file with Symfony YAML (bootstrap/helpers/parsers.php applicationParser,
        # Yaml::parse then Yaml::dump); compose files with anchors and merge keys have failed there
        # (coollabsio/coolify#1771, #2705). Plain YAML only.
        yaml_lines = "\n".join(line for line in raw_text.splitlines() if not line.lstrip().startswith("#"))
        self.expect(re.search(r"(^|\s)[&*][A-Za-z][\w-]*|<<\s*:", yaml_lines, re.M) is None, name,
                    "YAML anchors, aliases or merge keys: Coolify's parser has failed on them; write it out")
        self.checks += 1
        # validateDockerComposeForInjection (bootstrap/helpers/parsers.php) refuses the whole file when a
        # service name, or a volume entry, contains a shell metacharacter (validateShellSafePath in
        # bootstrap/helpers/shared.php).
        unsafe = ("`", "$(", "|", "&", ";", "\n", "\r", "\t", ">", "<")
        for service_name, service in services.items():
            self.expect(not any(c in service_name for c in unsafe + ("${",)), f"{name}: {service_name}",
                        "service name with a shell metacharacter: Coolify refuses the file")
            for volume in (service or {}).get("volumes") or []:
                text = volume if isinstance(volume, str) else " ".join(str(v) for v in (volume or {}).values())
                self.expect(not any(c in text for c in unsafe), f"{name}: {service_name}",
                            f"volume {text} has a shell metacharacter: Coolify refuses the file")
        environment_values = [v for s in services.values() for v in as_dict((s or {}).get("environment")).values()]
        published = {}  # service -> (declaring service, port, path)
        for service_name, service in services.items():
            service = service or {}
            where = f"{name}: {service_name}"
            env = as_dict(service.get("environment"))
            for key, value in env.items():
                for magic in [key] + [m.group(1) for m in VAR_PATTERN.finditer(value)]:
                    if magic.startswith(("SERVICE_URL_", "SERVICE_FQDN_")):
                        self.check_coolify_domain(where, services, service_name, magic,
                                                  value if magic == key else "", published)
            # Coolify overrides container_name with <service>-<uuid> (applicationParser), so at most one
            # container per service can exist: replicas cannot start.
            replicas = (service.get("deploy") or {}).get("replicas", 1)
            self.expect(replicas in (1, None) and "container_name" not in service, where,
                        "replicas or container_name: Coolify names every container <service>-<uuid>, one per service")
            # applicationParser tags a built image <uuid>_<service>:<commit> (what Coolify's rollback
            # redeploys) only when the service sets no image: of its own.
            self.expect(not ("build" in service and "image" in service), where,
                        "build: together with image: disables Coolify's per-commit image tags (rollback)")
            labels = as_dict(service.get("labels"))
            for key, value in labels.items():
                # applicationParser escapes every '$' of a label to '$$' when the application setting
                # is_container_label_escape_enabled is on, the default (migration
                # 2024_05_15_151236_add_container_escape_toggle): compose then hands Traefik the text
                # "${...}" literally instead of a value.
                self.expect(ANY_INTERPOLATION.search(key + "=" + value) is None, where,
                            f"label {key} uses ${{...}}: Coolify escapes $ in labels, Traefik would see it literally")
                if key.startswith("traefik.http.routers."):
                    # A hand-written router needs Host(<your domain>) to stay within this app; the domain
                    # could only come from ${...} (escaped, above). Without Host() it matches every site
                    # behind the server's proxy. Coolify's generated routers carry the host.
                    self.expect(not key.endswith(".rule") or "Host(" in value, where,
                                f"router label {key} has no Host(): it would catch requests for every site on "
                                "the Coolify server; let Coolify generate routers from a SERVICE_URL")
            for text in strings_in(service):
                for match in VAR_PATTERN.finditer(text):
                    variable = match.group(1)
                    if not variable.startswith("SERVICE_"):
                        continue
                    self.check_coolify_generated(where, variable, environment_values)
        for service_name, service in services.items():
            service = service or {}
            binary = self.binary_of(service)
            where = f"{name}: {service_name}"
            if binary == "resound-monitor" or service_name == "redis":
                self.expect(service_name not in published, where, "must stay private (no SERVICE_URL/FQDN)")
            if service_name in published and (binary or "").startswith("resound"):
                self.check_metrics_hidden(where, service, services)
                path = self.health_path(service)
                self.expect(path == "/ready", where,
                            f"a public service must probe /ready (got {path}): Coolify's Traefik routes only "
                            "to healthy containers, and /health stays 200 while draining")
            if (binary or "").startswith("resound"):
                delay, timeout = self.shutdown_times(service)
                self.expect(delay + timeout + STOP_MARGIN_S <= COOLIFY_STOP_TIMEOUT_S, where,
                            f"shutdown delay {delay:g}s + drain {timeout:g}s does not fit Coolify's default stop "
                            f"timeout ({COOLIFY_STOP_TIMEOUT_S:g}s, docker stop --timeout) with {STOP_MARGIN_S:g}s to spare")
        self.expect(any(p in published for p in services if self.binary_of(services[p] or {}) in
                        ("resound", "resound-edge")), name,
                    "no WebSocket service gets a Coolify domain (SERVICE_URL_<service>_<port> naming it)")
        self.check_middleware_conflicts(name, services)

    def check_coolify_domain(self, where, services, declaring, magic, value, published):
        """A SERVICE_URL_<NAME>_<PORT> gives the service named <NAME> a generated domain
        (bootstrap/helpers/parsers.php applicationParser, dockercompose branch: the name goes through
        findComposeServiceName and nothing is attached when no service matches)."""
        candidate, port = coolify_magic_name(magic)
        target = coolify_find_service(candidate, list(services))
        if not self.expect(target is not None, where,
                           f"{magic} names no service ('{candidate}'): Coolify attaches its domain to the "
                           "service of that name only, so nothing gets a domain"):
            published[declaring] = (declaring, port, value)  # still judge what the author meant to publish
            return
        published[target] = (declaring, port, value)
        target_service = services[target] or {}
        if port is not None:
            self.expect(port == self.port_of(target_service), where,
                        f"{magic} names port {port} but {target} listens on {self.port_of(target_service)}: "
                        "Coolify points Traefik's load balancer at that port")
        # fqdnLabelsForTraefik (bootstrap/helpers/docker.php): a domain with a path other than "/" gets a
        # stripprefix middleware (is_stripprefix_enabled, default on, one switch per application) and
        # gzip. Stripping /app or /apps breaks WebSocket routing and Pusher signatures (they cover the
        # path), so the Resound services are published on the root of their own domain.
        self.expect(value in ("", "/"), where,
                    f"{magic}={value}: a path makes Coolify strip it before Resound sees the request; publish on the root path")

    def check_coolify_generated(self, where, variable, environment_values):
        if variable.startswith(("SERVICE_URL_", "SERVICE_FQDN_")):
            return
        kind = coolify_generated_type(variable)
        self.expect(kind in COOLIFY_GENERATED_TYPES, where,
                    f"${{{variable}}}: Coolify reads the type by counting underscores and gets '{kind}', which it "
                    "cannot generate (empty value); the identifier after the type must not contain '_'")
        # applicationParser collects the magic variables to generate from the values of `environment`
        # (and build args) only; one used solely in command:, labels or healthcheck stays empty.
        self.expect(any(f"${{{variable}}}" in v or re.search(rf"\${{{variable}[:?-]", v) for v in environment_values),
                    where, f"${{{variable}}} appears in no service's environment, so Coolify never generates it")

    def check_metrics_hidden(self, where, service, services):
        """Coolify publishes the whole port. fqdnLabelsForTraefik (bootstrap/helpers/docker.php) appends
        every middleware a service defines in its own labels (traefik.http.middlewares.<name>.*) to the
        routers it generates for that service's domains: a replacepathregex there keeps /metrics private."""
        labels = as_dict(service.get("labels"))
        middlewares = {}
        for key, value in labels.items():
            match = re.match(r"^traefik\.http\.middlewares\.([^.]+)\.replacepathregex\.(regex|replacement)$", key)
            if match:
                middlewares.setdefault(match.group(1), {})[match.group(2)] = value
        hides = False
        for settings in middlewares.values():
            try:
                regex = re.compile(settings.get("regex", ""))
            except re.error:
                continue
            replacement = settings.get("replacement", "")
            if all(regex.search(p) for p in PRIVATE_PATHS) and not any(regex.search(p) for p in PUBLIC_PATHS) \
                    and not re.fullmatch(r"/+metrics.*", replacement):
                hides = True
        self.expect(hides, where,
                    "its port is public on a Coolify domain and serves /metrics: define a replacepathregex middleware "
                    "in its labels that rewrites /metrics (and only that) to a path answering 404")

    def check_middleware_conflicts(self, name, services):
        # Traefik drops a middleware that containers define differently
        # (pkg/provider/merge.go: "defined multiple times with different configurations").
        seen = {}
        for service_name, service in services.items():
            for key, value in as_dict((service or {}).get("labels")).items():
                if key.startswith("traefik.http.middlewares."):
                    previous = seen.setdefault(key, (service_name, value))
                    self.expect(previous[1] == value, f"{name}: {service_name}",
                                f"{key} differs from {previous[0]}'s: Traefik drops a middleware defined two ways")


def load_files(repo, standalone=None, coolify=None):
    files = {}
    for path, kind in ((standalone or os.path.join(repo, STANDALONE), "standalone"),
                       (coolify or os.path.join(repo, COOLIFY), "coolify")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        files[os.path.relpath(path, repo)] = (yaml.safe_load(text), kind, text)
    return files


def run_checks(repo, files):
    binaries = cmake_binaries(repo)
    with open(os.path.join(repo, "docs", "deploy.md"), encoding="utf-8") as f:
        docs_text = f.read()
    env_path = os.path.join(repo, ".env.example")
    env_example = open(env_path, encoding="utf-8").read() if os.path.isfile(env_path) else ""
    checker = Checker(repo, binaries, docs_text, env_example)
    for name, (data, kind, text) in files.items():
        checker.check_file(name, data, kind, text)
    return checker


def label_list(service):
    labels = service.setdefault("labels", [])
    return labels


def set_label(service, key, value):
    labels = label_list(service)
    for i, item in enumerate(labels):
        if item.split("=", 1)[0] == key:
            labels[i] = f"{key}={value}"
            return
    labels.append(f"{key}={value}")


def drop_labels(service, prefix):
    service["labels"] = [item for item in label_list(service) if not item.startswith(prefix)]


def self_test(repo):
    """Each broken variant must be caught by the rule written for it: proves the checks are not vacuous."""
    originals = load_files(repo)
    standalone, coolify = STANDALONE, COOLIFY

    def mutated(which, mutate, raw=None):
        files = copy.deepcopy(originals)
        data, kind, text = files[which]
        if raw:
            text = raw(text)
            data = yaml.safe_load(text)
        if mutate:
            mutate(data["services"])
        files[which] = (data, kind, text)
        return files

    def env(service, key, value):
        return lambda s: s[service]["environment"].__setitem__(key, value)

    cases = {
        # --- common ---------------------------------------------------------------------------------
        "missing service": (standalone, lambda s: s.pop("monitor"), "service 'monitor' is missing"),
        "missing coolify service": (coolify, lambda s: s.pop("monitor"), "service 'monitor' is missing"),
        "missing healthcheck": (standalone, lambda s: s["auth"].pop("healthcheck"), "no healthcheck"),
        "healthcheck test as a string": (standalone, lambda s: s["redis"]["healthcheck"].__setitem__(
            "test", "redis-cli ping"), "must be a list"),
        "one healthcheck retry": (standalone, lambda s: s["auth"]["healthcheck"].__setitem__("retries", 1),
                                  "at least 3"),
        "no start_period": (standalone, lambda s: s["api"]["healthcheck"].pop("start_period"), "no start_period"),
        "healthcheck with curl": (standalone, lambda s: s["api"]["healthcheck"].__setitem__(
            "test", ["CMD", "curl", "-f", "http://127.0.0.1:8080/ready"]), "no curl"),
        "healthcheck URL elsewhere": (standalone, lambda s: s["auth"]["healthcheck"].__setitem__(
            "test", ["CMD", "resound-auth", "healthcheck", "--url", "http://auth:8081/ready"]), "must be http://127.0.0.1"),
        "expose without the port": (standalone, lambda s: s["api"].__setitem__("expose", ["9000"]),
                                    "does not include the service port"),
        "missing Dockerfile": (standalone, lambda s: s["api"].__setitem__(
            "build", {"context": ".", "dockerfile": "Dockerfile.missing"}), "does not exist"),
        "scaling off for a Redis user": (standalone, lambda s: s["edge"]["environment"].__setitem__(
            "REVERB_SCALING_ENABLED", "false"), "REVERB_SCALING_ENABLED must be"),
        "depends_on unknown": (standalone, lambda s: s["api"]["depends_on"].__setitem__(
            "cache", {"condition": "service_healthy"}), "unknown service 'cache'"),
        "depends_on unhealthy target": (standalone, lambda s: s["redis"].pop("healthcheck"),
                                        "depends_on redis, which has no healthcheck"),
        "magic variable outside Coolify": (standalone, lambda s: s["api"]["environment"].__setitem__(
            "X", "${SERVICE_PASSWORD_X}"), "non-Coolify file"),
        "required variable not in .env.example": (standalone, lambda s: s["api"]["environment"].__setitem__(
            "REVERB_SERVER_PATH", "${REVERB_SERVER_PATH:?set it}"), "missing from .env.example"),
        "Traefik port differs": (standalone, lambda s: set_label(
            s["api"], "traefik.http.services.resound-api.loadbalancer.server.port", "9000"), "differs from the service port"),
        "/apps/ routed to the edge": (standalone, lambda s: set_label(
            s["edge"], "traefik.http.routers.resound-ws.rule", "PathPrefix(`/apps/`)"), "/apps/ must route to the api"),
        "/app/ routed to the api": (standalone, lambda s: set_label(
            s["api"], "traefik.http.routers.resound-api.rule", "PathPrefix(`/app/`)"), "/app/ must route to the edge"),
        "no /apps/ router": (standalone, lambda s: drop_labels(s["api"], "traefik.http.routers."),
                             "no Traefik router sends /apps/"),
        "no /app/ router": (standalone, lambda s: drop_labels(s["edge"], "traefik.http.routers."),
                            "no Traefik router sends /app/"),
        "unknown binary": (standalone, lambda s: s["api"].__setitem__("command", ["resound-apix"]), "does not produce"),
        "shell-form command": (standalone, lambda s: s["api"].__setitem__("command", "resound-api"), "exec form"),
        "wrong healthcheck port": (standalone, lambda s: s["edge"]["healthcheck"].__setitem__(
            "test", ["CMD", "resound-edge", "healthcheck", "--url", "http://127.0.0.1:9999/ready"]), "listens on 8080"),
        "short-form depends_on": (standalone, lambda s: s["edge"].__setitem__("depends_on", ["redis"]), "long form"),
        "service_started": (standalone, lambda s: s["api"]["depends_on"]["redis"].__setitem__(
            "condition", "service_started"), "service_healthy"),
        "no redis dependency": (standalone, lambda s: s["monitor"].pop("depends_on"), "does not depend on the redis"),
        "dependency cycle": (standalone, lambda s: s["redis"].__setitem__(
            "depends_on", {"api": {"condition": "service_healthy"}}), "cycle"),
        "slow healthcheck": (standalone, lambda s: s["redis"]["healthcheck"].__setitem__("interval", "30s"),
                             "longer than"),
        "undocumented variable": (standalone, env("api", "KNOB", "${UNDOCUMENTED_KNOB:-1}"), "not documented"),
        "bare variable": (standalone, env("api", "REVERB_SERVER_PATH", "${REVERB_SERVER_PATH}"), "no default"),
        "floating redis tag": (standalone, lambda s: s["redis"].__setitem__("image", "redis:7-alpine"), "not pinned"),
        "floating traefik tag": (standalone, lambda s: s["proxy"].__setitem__("image", "traefik:v3.6"), "not pinned"),
        "redis without password": (coolify, lambda s: s["redis"].__setitem__(
            "command", ["redis-server", "--appendonly", "yes"]), "without --requirepass"),
        "redis without AOF": (standalone, lambda s: s["redis"].__setitem__(
            "command", ["redis-server", "--requirepass", "${REDIS_PASSWORD:?x}", "--appendonly", "no"]),
            "--appendonly yes"),
        "redis without volume": (coolify, lambda s: s["redis"].pop("volumes"), "mount a volume"),
        "SIGKILL before drain": (standalone, lambda s: s["edge"].__setitem__("stop_grace_period", "15s"),
                                 "Docker kills the server"),
        # --- standalone: compose and Traefik ------------------------------------------------------
        "published edge": (standalone, lambda s: s["edge"].__setitem__("ports", ["8080:8080"]), "publishes"),
        "edge container_name": (standalone, lambda s: s["edge"].__setitem__("container_name", "edge"),
                                "cannot have replicas"),
        "edge scaled by --scale only": (standalone, lambda s: s["edge"].pop("deploy"), "deploy.replicas"),
        "fixed monitor port": (standalone, lambda s: s["monitor"].__setitem__("ports", ["127.0.0.1:9601:9601"]),
                               "is fixed"),
        "public monitor port": (standalone, lambda s: s["monitor"].__setitem__("ports", ["9601"]),
                                "127.0.0.1 only"),
        "api outranked": (standalone, lambda s: set_label(s["api"], "traefik.http.routers.resound-api.priority", "1"),
                          "outrank"),
        "strip prefix": (standalone, lambda s: set_label(s["edge"], "traefik.http.routers.resound-ws.middlewares",
                                                         "strip@docker"), "strip-prefix"),
        "edge routed on /": (standalone, lambda s: set_label(s["edge"], "traefik.http.routers.resound-ws.rule",
                                                             "PathPrefix(`/`)"), "metrics must stay private"),
        "monitor routed": (standalone, lambda s: s["monitor"].__setitem__("labels", [
            "traefik.enable=true", "traefik.http.routers.m.rule=Path(`/status`)"]), "must not be routed"),
        "edge probes /health": (standalone, lambda s: s["edge"]["healthcheck"].__setitem__(
            "test", ["CMD", "resound-edge", "healthcheck", "--url", "http://127.0.0.1:8080/health"]), "must probe /ready"),
        "delay shorter than Docker health": (standalone, env("edge", "RESOUND_SHUTDOWN_DELAY_MS", "5000"),
                                             "time Traefik needs"),
        "delay shorter than Traefik check": (standalone, lambda s: (
            set_label(s["edge"], "traefik.http.services.resound-ws.loadbalancer.healthcheck.interval", "30s")),
            "Traefik's health check"),
        "Traefik checks /health": (standalone, lambda s: set_label(
            s["edge"], "traefik.http.services.resound-ws.loadbalancer.healthcheck.path", "/health"),
            "must probe /ready"),
        # --- Coolify --------------------------------------------------------------------------------
        "coolify context from the compose folder": (coolify, lambda s: s["resound"].__setitem__(
            "build", {"context": "../..", "dockerfile": "Dockerfile"}), "is not a folder of the repository"),
        "coolify magic name of no service": (coolify, lambda s: (
            s["resound"]["environment"].pop("SERVICE_URL_RESOUND_8080"),
            s["resound"]["environment"].__setitem__("SERVICE_URL_WS_8080", "/")), "names no service"),
        "coolify magic port": (coolify, lambda s: (
            s["resound"]["environment"].pop("SERVICE_URL_RESOUND_8080"),
            s["resound"]["environment"].__setitem__("SERVICE_URL_RESOUND_9601", "/")), "listens on 8080"),
        "coolify domain path": (coolify, env("resound", "SERVICE_URL_RESOUND_8080", "/app"), "strip it"),
        "coolify ${} in label": (coolify, lambda s: set_label(
            s["resound"], "traefik.http.routers.r.rule", "Host(`${SERVICE_FQDN_RESOUND}`) && PathPrefix(`/apps/`)"),
            "escapes $"),
        "coolify router without Host": (coolify, lambda s: set_label(
            s["auth"], "traefik.http.routers.a.rule", "PathPrefix(`/broadcasting/auth`)"), "no Host()"),
        "coolify public /metrics": (coolify, lambda s: drop_labels(s["resound"], "traefik.http.middlewares."),
                                    "serves /metrics"),
        "coolify metrics rule too wide": (coolify, lambda s: (
            set_label(s["resound"], "traefik.http.middlewares.resound-private-metrics.replacepathregex.regex", "^/"),
            set_label(s["auth"], "traefik.http.middlewares.resound-private-metrics.replacepathregex.regex", "^/")),
            "serves /metrics"),
        "coolify middleware defined two ways": (coolify, lambda s: set_label(
            s["auth"], "traefik.http.middlewares.resound-private-metrics.replacepathregex.replacement", "/x"),
            "defined two ways"),
        "coolify public monitor": (coolify, env("monitor", "SERVICE_URL_MONITOR_9601", "/"), "must stay private"),
        "coolify public redis": (coolify, env("redis", "SERVICE_URL_REDIS_6379", "/"), "must stay private"),
        "coolify ports": (coolify, lambda s: s["resound"].__setitem__("ports", ["8080:8080"]), "bypass the proxy"),
        "coolify replicas": (coolify, lambda s: s["resound"].__setitem__("deploy", {"replicas": 2}), "one per service"),
        "coolify container_name": (coolify, lambda s: s["resound"].__setitem__("container_name", "resound"),
                                   "one per service"),
        "coolify underscore identifier": (coolify, env("resound", "REVERB_APP_SECRET", "${SERVICE_PASSWORD_APP_SECRET}"),
                                          "counting underscores"),
        "coolify magic only in command": (coolify, lambda s: s["redis"].__setitem__("command", [
            "redis-server", "--requirepass", "${SERVICE_PASSWORD_CACHE}", "--appendonly", "yes"]), "never generates it"),
        "coolify variable without default": (coolify, env("resound", "RESOUND_LOG_LEVEL", "${RESOUND_LOG_LEVEL}"),
                                             "hand edit"),
        "coolify required variable": (coolify, env("resound", "RESOUND_LOG_LEVEL", "${RESOUND_LOG_LEVEL:?set it}"),
                                      "hand edit"),
        "coolify public service probes /health": (coolify, lambda s: s["resound"]["healthcheck"].__setitem__(
            "test", ["CMD", "resound", "healthcheck", "--url", "http://127.0.0.1:8080/health"]), "must probe /ready"),
        "coolify drain beyond docker stop": (coolify, lambda s: (
            s["resound"]["environment"].__setitem__("RESOUND_SHUTDOWN_DELAY_MS", "25000"),
            s["resound"].__setitem__("stop_grace_period", "60s")), "Coolify's default stop"),
        "coolify no public WebSocket": (coolify, lambda s: s["resound"]["environment"].pop("SERVICE_URL_RESOUND_8080"),
                                        "no WebSocket service"),
        "coolify build with image": (coolify, lambda s: s["auth"].__setitem__("image", "resound:coolify"), "rollback"),
        "coolify unsafe service name": (coolify, lambda s: s.__setitem__("web;x", s.pop("monitor")), "shell metacharacter"),
        "coolify unsafe volume": (coolify, lambda s: s["redis"].__setitem__("volumes", ["data|x:/data"]),
                                  "shell metacharacter"),
        "coolify YAML anchor": (coolify, None, lambda t: t.replace("  auth:\n", "  auth: &auth\n", 1)),
    }
    baseline = run_checks(repo, originals).problems
    failures = []
    for label, (which, mutate, expected) in cases.items():
        raw = None
        if callable(expected):  # a raw-text mutation; the expected text follows from the rule
            raw, expected = expected, "anchors"
        checker = run_checks(repo, mutated(which, mutate, raw))
        # The rule must fire because of this mutation, not because the real file already fails it.
        if not any(expected in problem for problem in checker.problems if problem not in baseline):
            failures.append(f"self-test '{label}': expected a problem containing '{expected}', got {checker.problems}")
    # The Coolify file from before issue #10 fails for each of the issue's four reasons.
    before = os.path.join(repo, COOLIFY_BEFORE_ISSUE_10)
    checker = run_checks(repo, load_files(repo, coolify=before))
    for reason, expected in (("1 build context ../..", "not a folder of the repository"),
                             ("2 SERVICE_URL_WS_8080 names no service", "names no service"),
                             ("3 ${} in labels", "escapes $"),
                             ("4 edge publishes /metrics", "serves /metrics")):
        if not any(expected in problem for problem in checker.problems):
            failures.append(f"self-test 'before #10, reason {reason}': expected '{expected}', got {checker.problems}")
    return failures, len(cases) + 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..")))
    parser.add_argument("--self-test", action="store_true", help="also prove each check catches a broken file")
    parser.add_argument("--coolify", help=f"check this file with the Coolify rules instead of {COOLIFY}")
    parser.add_argument("--standalone", help=f"check this file with the standalone rules instead of {STANDALONE}")
    args = parser.parse_args()
    repo = os.path.abspath(args.repo)

    files = load_files(repo, standalone=args.standalone and os.path.abspath(args.standalone),
                       coolify=args.coolify and os.path.abspath(args.coolify))
    checker = run_checks(repo, files)
    for problem in checker.problems:
        print(f"check-compose: {problem}")
    failures = []
    if args.self_test:
        failures, cases = self_test(repo)
        for failure in failures:
            print(f"check-compose: {failure}")
        print(f"check-compose: self-test: {cases - len(failures)}/{cases} broken variants caught")
    if checker.problems or failures:
        return 1
    print(f"check-compose: {' and '.join(files)}: {checker.checks} checks passed "
          f"(binaries: {', '.join(sorted(checker.binaries))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
