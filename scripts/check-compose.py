#!/usr/bin/env python3
"""Static checks of the bundle's compose files (no Docker engine needed).

Checks compose.yaml (standalone, Traefik in the stack) and deploy/coolify/compose.yaml (Coolify's proxy):
  * the five services exist; every service has a healthcheck with a short interval, retries and a
    start period; Resound services run an exec-form command naming a binary the CMake build produces
    (services/*/CMakeLists.txt) and probe themselves with `<that binary> healthcheck --url` on the
    port the service listens on;
  * depends_on uses the long form with `condition: service_healthy`, targets services that have a
    healthcheck, has no cycles; every Redis user depends on redis;
  * every ${VAR} is documented in docs/deploy.md (Coolify's SERVICE_* magic variables excepted, but
    they must be well formed); in the standalone file a variable without a default is required
    (${VAR:?...}) and listed in .env.example;
  * ports: Redis and the Resound services are never published (the standalone proxy and a loopback-only
    monitor port are the exceptions); the edge has no container_name (so it scales); the Coolify file
    publishes nothing at all;
  * Traefik: /app/ reaches the edge and /apps/ the API, the API router outranks the edge's, no
    strip-prefix or compress middleware on them, load-balancer ports match the services' ports;
  * build contexts and Dockerfiles exist.

Usage: scripts/check-compose.py [--repo DIR] [--self-test]
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

REQUIRED_SERVICES = ("redis", "api", "edge", "auth", "monitor")
# The port each binary listens on by default, and the variable that changes it.
SERVICE_PORTS = {
    "resound": ("REVERB_SERVER_PORT", 8080),
    "resound-edge": ("REVERB_SERVER_PORT", 8080),
    "resound-api": ("REVERB_SERVER_PORT", 8080),
    "resound-auth": ("RESOUND_AUTH_PORT", 8081),
    "resound-monitor": ("RESOUND_MONITOR_PORT", 9601),
}
REDIS_USERS = ("resound-edge", "resound-api", "resound-monitor")
MAX_INTERVAL_SECONDS = 10  # DEPLOY-NOTES 3: 5-10 s; Docker's 30 s default delays service_healthy
VAR_PATTERN = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
MAGIC_PATTERN = re.compile(
    r"^SERVICE_(URL|FQDN)_[A-Z0-9-]+?(_\d+)?$|^SERVICE_(USER|PASSWORD|PASSWORD_64|BASE64|BASE64_64|BASE64_128"
    r"|REALBASE64_64)_[A-Z0-9]+$"
)


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
    """A compose value with ${VAR:-default} replaced by its default (for port comparisons)."""
    return VAR_PATTERN.sub(lambda m: m.group(3) if m.group(2) in (":-", "-") else "", str(value))


class Checker:
    def __init__(self, repo, binaries, docs_text, env_example):
        self.repo = repo
        self.binaries = binaries
        self.docs_text = docs_text
        self.env_example = env_example
        self.problems = []
        self.checks = 0

    def fail(self, where, message):
        self.problems.append(f"{where}: {message}")

    def expect(self, condition, where, message):
        self.checks += 1
        if not condition:
            self.fail(where, message)
        return condition

    # ---- one compose file -------------------------------------------------------------------------
    def check_file(self, path, data, kind):
        name = os.path.relpath(path, self.repo)
        services = data.get("services") or {}
        for required in REQUIRED_SERVICES:
            self.expect(required in services, name, f"service '{required}' is missing")
        for service_name, service in services.items():
            self.check_service(name, os.path.dirname(path), kind, services, service_name, service or {})
        self.check_dependency_cycles(name, services)
        self.check_variables(name, data, kind, services)
        self.check_routing(name, kind, services)

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

    def check_service(self, name, base, kind, services, service_name, service):
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
                        f"{MAX_INTERVAL_SECONDS}s: service_healthy dependents wait that long")
            self.expect(int(health.get("retries", 0)) >= 3, where, "healthcheck retries must be at least 3")
            self.expect("start_period" in health, where, "healthcheck has no start_period")

        if ours:
            command = service.get("command")
            self.expect(isinstance(command, list) and command, where,
                        "command must be exec form (a list) so SIGTERM reaches the binary")
            if self.expect(binary in self.binaries, where,
                           f"command names '{binary}', which the CMake build does not produce "
                           f"(known: {', '.join(sorted(self.binaries))})"):
                port = self.port_of(service)
                test = (health or {}).get("test") or []
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
                context = os.path.normpath(os.path.join(base, build.get("context", ".")))
                dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
                self.expect(os.path.isdir(context), where, f"build context {context} does not exist")
                self.expect(os.path.isfile(dockerfile), where, f"Dockerfile {dockerfile} does not exist")
            env = as_dict(service.get("environment"))
            if binary in REDIS_USERS:
                self.expect(env.get("REDIS_HOST") in services, where,
                            f"REDIS_HOST={env.get('REDIS_HOST')} is not a service of this file")
                if binary != "resound-monitor":
                    self.expect(env.get("REVERB_SCALING_ENABLED") == "true", where,
                                "REVERB_SCALING_ENABLED must be \"true\" (the service shares state through Redis)")
                depends = service.get("depends_on") or {}
                self.expect(isinstance(depends, dict) and env.get("REDIS_HOST") in depends, where,
                            "uses Redis but does not depend on the redis service")

        self.check_depends_on(where, services, service)
        self.check_ports(where, kind, service_name, service, binary)

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
            self.expect(not ports, where, "publishes ports: on Coolify they bypass the proxy (DEPLOY-NOTES 1.1)")
            self.expect("container_name" not in service, where, "container_name: Coolify names containers itself")
            return
        if service_name == "edge" or binary == "resound-edge":
            self.expect("container_name" not in service, where,
                        "container_name prevents `docker compose up --scale edge=N`")
        for port in ports:
            text = literal(port if isinstance(port, str) else port.get("published", ""))
            loopback = text.startswith("127.0.0.1:") or (isinstance(port, dict) and port.get("host_ip") == "127.0.0.1")
            if service_name == "proxy":
                continue
            if binary == "resound-monitor":
                self.expect(loopback, where, f"monitor port {text} must be bound to 127.0.0.1 only")
                continue
            self.fail(where, f"publishes {text}: only the proxy is reachable from outside (scaling, Redis privacy)")
        self.checks += 1

    # ---- variables ----------------------------------------------------------------------------
    def check_variables(self, name, data, kind, services):
        declared_magic = set()
        for service in services.values():
            for key in as_dict((service or {}).get("environment")):
                if key.startswith("SERVICE_"):
                    declared_magic.add(key)
        for match in (m for text in strings_in(data) for m in VAR_PATTERN.finditer(text)):
            variable, operator = match.group(1), match.group(2)
            where = f"{name}: ${{{variable}}}"
            if variable.startswith("SERVICE_"):
                self.expect(kind == "coolify", where, "Coolify magic variable in a non-Coolify file")
                self.expect(MAGIC_PATTERN.match(variable) is not None, where,
                            "not a Coolify magic variable name (SERVICE_URL/FQDN_<ID>[_PORT], "
                            "SERVICE_USER/PASSWORD[_64]/BASE64[_64|_128]/REALBASE64_64_<ID>)")
                if variable.startswith(("SERVICE_FQDN_", "SERVICE_URL_")):
                    ident = variable.split("_", 2)[2]
                    self.expect(any(re.match(rf"^SERVICE_(URL|FQDN)_{re.escape(ident)}(_\d+)?$", d)
                                    for d in declared_magic), where,
                                f"no service declares SERVICE_URL_{ident} or SERVICE_FQDN_{ident}, so Coolify "
                                "never generates it")
                continue
            self.expect(re.search(rf"`{re.escape(variable)}`", self.docs_text) is not None, where,
                        "not documented in docs/deploy.md (add it to the environment reference)")
            if kind == "standalone":
                if operator is None:
                    self.fail(where, "no default: use ${VAR:-default} or mark it required with ${VAR:?message}")
                if operator in (":?", "?"):
                    self.expect(re.search(rf"^{re.escape(variable)}=", self.env_example, re.M) is not None, where,
                                "required but missing from .env.example")
        self.checks += 1

    # ---- Traefik routing ----------------------------------------------------------------------
    def routers(self, service):
        labels = as_dict(service.get("labels"))
        result = {}
        for key, value in labels.items():
            match = re.match(r"^traefik\.http\.routers\.([^.]+)\.(.+)$", key)
            if match:
                result.setdefault(match.group(1), {})[match.group(2)] = value
        lb_ports = [literal(v) for k, v in labels.items()
                    if re.match(r"^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$", k)]
        return result, lb_ports

    def check_routing(self, name, kind, services):
        priority = {}
        for service_name, service in services.items():
            service = service or {}
            routers, lb_ports = self.routers(service)
            port = self.port_of(service)
            for lb_port in lb_ports:
                self.expect(port is not None and lb_port == str(port), f"{name}: {service_name}",
                            f"Traefik load balancer port {lb_port} differs from the service port {port}")
            for router, settings in routers.items():
                where = f"{name}: {service_name}: router {router}"
                middlewares = settings.get("middlewares", "")
                self.expect("strip" not in middlewares.lower() and "compress" not in middlewares.lower(), where,
                            "no strip-prefix (breaks Pusher signatures) or compress (WebSockets) middleware")
                rule = literal(settings.get("rule", ""))
                if "/apps/" in rule:
                    priority["api"] = int(settings.get("priority", "0") or 0)
                    self.expect(service_name == "api", where, "/apps/ must route to the api service")
                elif "/app/" in rule:
                    priority["edge"] = int(settings.get("priority", "0") or 0)
                    self.expect(service_name == "edge", where, "/app/ must route to the edge service")
                if kind == "coolify":
                    self.expect("https" in settings.get("entrypoints", "") and settings.get("tls") == "true", where,
                                "Coolify routers terminate TLS: entrypoints=https and tls=true")
                    self.expect(len(routers) == 1 or "service" in settings, where,
                                "name the Traefik service explicitly when a container has several routers")
        self.expect("api" in priority, name, "no Traefik router sends /apps/ to the api service")
        if kind == "standalone":
            self.expect("edge" in priority, name, "no Traefik router sends /app/ to the edge service")
            if "edge" in priority and "api" in priority:
                self.expect(priority["api"] > priority["edge"], name,
                            "the /apps/ router must outrank the /app/ router (PathPrefix(/app) also matches /apps)")
        else:
            edge_env = as_dict((services.get("edge") or {}).get("environment"))
            magic = [k for k in edge_env if re.match(r"^SERVICE_(URL|FQDN)_[A-Z0-9-]+_\d+$", k)]
            if self.expect(magic, f"{name}: edge", "declares no SERVICE_URL_<ID>_<PORT>: Coolify would not publish it"):
                self.expect(int(magic[0].rsplit("_", 1)[1]) == self.port_of(services["edge"]), f"{name}: edge",
                            f"{magic[0]} names another port than the edge listens on")
                self.expect(edge_env[magic[0]] in ("", "/"), f"{name}: edge",
                            "the edge's Coolify URL must use the root path (a path gets stripped)")
            for private in ("redis", "monitor"):
                env = as_dict((services.get(private) or {}).get("environment"))
                self.expect(not any(k.startswith(("SERVICE_URL_", "SERVICE_FQDN_")) for k in env), f"{name}: {private}",
                            "must stay private (no SERVICE_URL/FQDN)")


def run_checks(repo, files_override=None):
    binaries = cmake_binaries(repo)
    with open(os.path.join(repo, "docs", "deploy.md"), encoding="utf-8") as f:
        docs_text = f.read()
    env_path = os.path.join(repo, ".env.example")
    env_example = open(env_path, encoding="utf-8").read() if os.path.isfile(env_path) else ""
    checker = Checker(repo, binaries, docs_text, env_example)
    files = files_override or load_files(repo)
    for path, (data, kind) in files.items():
        checker.check_file(path, data, kind)
    return checker


def load_files(repo):
    files = {}
    for relative, kind in (("compose.yaml", "standalone"), ("deploy/coolify/compose.yaml", "coolify")):
        path = os.path.join(repo, relative)
        with open(path, encoding="utf-8") as f:
            files[path] = (yaml.safe_load(f), kind)
    return files


def self_test(repo):
    """Each broken variant of the real files must be caught: proves the checks are not vacuous."""
    originals = load_files(repo)
    standalone = os.path.join(repo, "compose.yaml")
    coolify = os.path.join(repo, "deploy/coolify/compose.yaml")

    def mutated(path, mutate):
        files = copy.deepcopy(originals)
        mutate(files[path][0]["services"])
        return files

    cases = {
        "missing healthcheck": (standalone, lambda s: s["auth"].pop("healthcheck"), "no healthcheck"),
        "unknown binary": (standalone, lambda s: s["api"].__setitem__("command", ["resound-apix"]),
                           "does not produce"),
        "shell-form command": (standalone, lambda s: s["api"].__setitem__("command", "resound-api"),
                               "exec form"),
        "wrong healthcheck port": (standalone, lambda s: s["edge"]["healthcheck"].__setitem__(
            "test", ["CMD", "resound-edge", "healthcheck", "--url", "http://127.0.0.1:9999/ready"]),
            "listens on 8080"),
        "short-form depends_on": (standalone, lambda s: s["edge"].__setitem__("depends_on", ["redis"]),
                                  "long form"),
        "service_started": (standalone, lambda s: s["api"]["depends_on"]["redis"].__setitem__(
            "condition", "service_started"), "service_healthy"),
        "no redis dependency": (standalone, lambda s: s["monitor"].pop("depends_on"),
                                "does not depend on the redis"),
        "published edge": (standalone, lambda s: s["edge"].__setitem__("ports", ["8080:8080"]), "publishes"),
        "edge container_name": (standalone, lambda s: s["edge"].__setitem__("container_name", "edge"),
                                "--scale"),
        "undocumented variable": (standalone, lambda s: s["api"]["environment"].__setitem__(
            "KNOB", "${UNDOCUMENTED_KNOB:-1}"), "not documented"),
        "bare variable": (standalone, lambda s: s["api"]["environment"].__setitem__(
            "REVERB_SERVER_PATH", "${REVERB_SERVER_PATH}"), "no default"),
        "slow healthcheck": (standalone, lambda s: s["redis"]["healthcheck"].__setitem__("interval", "30s"),
                             "longer than"),
        "api outranked": (standalone, lambda s: s["api"]["labels"].__setitem__(
            3, "traefik.http.routers.resound-api.priority=1"), "outrank"),
        "strip prefix": (standalone, lambda s: s["edge"]["labels"].append(
            "traefik.http.routers.resound-ws.middlewares=strip@docker"), "strip-prefix"),
        "coolify ports": (coolify, lambda s: s["api"].__setitem__("ports", ["8080:8080"]), "bypass the proxy"),
        "coolify edge path": (coolify, lambda s: s["edge"]["environment"].__setitem__("SERVICE_URL_WS_8080", "/app"),
                              "root path"),
        "coolify private redis": (coolify, lambda s: s["redis"]["environment"].__setitem__(
            "SERVICE_URL_REDIS_6379", "/"), "must stay private"),
        "bad magic name": (coolify, lambda s: s["api"]["environment"].__setitem__(
            "X", "${SERVICE_SECRET_X}"), "not a Coolify magic"),
        "undeclared fqdn": (coolify, lambda s: s["edge"]["environment"].pop("SERVICE_URL_WS_8080"),
                            "never generates it"),
        "dependency cycle": (standalone, lambda s: s["redis"].__setitem__(
            "depends_on", {"api": {"condition": "service_healthy"}}), "cycle"),
    }
    failures = []
    for label, (path, mutate, expected) in cases.items():
        checker = run_checks(repo, mutated(path, mutate))
        if not any(expected in problem for problem in checker.problems):
            failures.append(f"self-test '{label}': expected a problem containing '{expected}', got {checker.problems}")
    return failures, len(cases)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..")))
    parser.add_argument("--self-test", action="store_true", help="also prove each check catches a broken file")
    args = parser.parse_args()

    checker = run_checks(args.repo)
    for problem in checker.problems:
        print(f"check-compose: {problem}")
    failures = []
    if args.self_test:
        failures, cases = self_test(args.repo)
        for failure in failures:
            print(f"check-compose: {failure}")
        print(f"check-compose: self-test: {cases - len(failures)}/{cases} broken variants caught")
    if checker.problems or failures:
        return 1
    print(f"check-compose: compose.yaml and deploy/coolify/compose.yaml: {checker.checks} checks passed "
          f"(binaries: {', '.join(sorted(checker.binaries))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
