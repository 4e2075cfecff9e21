// The scale-out bundle for one test file: its own redis-server, N resound-edge processes, one
// resound-api and, on request, resound-auth and resound-monitor, each on a free loopback port with a
// generated config (the integration apps plus any `apps` a file adds), all started by PID and stopped with the same checks as the single server
// (exit code 0 after SIGTERM, no sanitizer report). Every handle is a RunningServer from
// tests/integration/lib/server.mjs, so the integration helpers (pusherJs(edge), serverSdk(api),
// RawClient.open(edge), signedFetch(api, ...)) work on them unchanged.
//
//   import { useCluster } from './lib/cluster.mjs';
//   const cluster = useCluster({ edges: 2, monitor: true });
//   const hooks = useCluster({ monitors: 2, monitorOptions: { webhookLease: 5 }, apps: { hooked } });
//   test('...', async () => { const [a, b] = cluster.edges; ... cluster.api ...; cluster.redis.pause(); });
//
// Node timings are shortened (CLUSTER_TIMINGS) so a killed edge is reaped within ~3.5 s instead of
// the production ~13 s; pass `timings` to change them.
import { after, afterEach, before } from 'node:test';
import { APPS } from '../../integration/lib/apps.mjs';
import { RunningServer, serviceBinary } from '../../integration/lib/server.mjs';
import { eventually } from '../../integration/lib/wait.mjs';
import { RedisServer } from './redis.mjs';

/** scaling.* keys written into every service's config (production defaults: 10000 / 2000 / 3000). */
export const CLUSTER_TIMINGS = Object.freeze({
  node_lease_ms: 3000,
  heartbeat_interval_ms: 500,
  reaper_interval_ms: 500,
});

/** Seconds after which the monitor reports a silent node as down (its --stale-after). */
export const MONITOR_STALE_AFTER_S = 2;

const READY_TIMEOUT_MS = 15000;
const START_HOOK_TIMEOUT_MS = 60000;
const STOP_HOOK_TIMEOUT_MS = 40000;

const SERVICES = {
  edge: { name: 'resound-edge', envVar: 'RESOUND_EDGE_BIN' },
  api: { name: 'resound-api', envVar: 'RESOUND_API_BIN' },
  auth: { name: 'resound-auth', envVar: 'RESOUND_AUTH_BIN' },
  monitor: { name: 'resound-monitor', envVar: 'RESOUND_MONITOR_BIN' },
};

/** GET `path` on a node; {status, body, json}. Bounded by `timeoutMs`. */
export async function getJson(node, path, timeoutMs = 3000) {
  const res = await fetch(`${node.httpUrl}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  const body = await res.text();
  let json;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: res.status, body, json };
}

/**
 * Adds `apps` (short name -> app, as in tests/integration/lib/apps.mjs) to the apps every service of
 * this test process is configured with. RunningServer writes all of APPS into each config and takes
 * no per-server app list, so extending APPS is the one way in; a name already in use is refused so a
 * file cannot silently replace an integration app.
 */
function addApps(apps) {
  for (const [name, app] of Object.entries(apps)) {
    if (name in APPS && APPS[name] !== app) throw new Error(`cluster apps: the name '${name}' is already taken`);
    APPS[name] = app;
  }
}

export class Cluster {
  /**
   * `edges`: how many resound-edge processes; `auth`: start resound-auth; `monitors` (or
   * `monitor: true` for one): how many resound-monitor processes, each started with `monitorOptions`
   * ({webhooks: 'on'|'off', webhookLease: seconds}: its webhook sender options); `apps`: extra apps
   * for every service's config (e.g. with webhook targets); `timings`: scaling.* overrides; `server`:
   * extra server keys for every service; `logLevel`: their log_level; `redisPersistent`: Redis keeps
   * its data across a restart (append-only file, fsync always); `redisUnixSocket`: Redis listens on a
   * Unix socket only and every service's redis.host is its path.
   */
  constructor({
    edges = 2,
    auth = false,
    monitor = false,
    monitors = monitor ? 1 : 0,
    monitorOptions = {},
    apps = {},
    timings = {},
    server = {},
    logLevel,
    redisPersistent = false,
    redisUnixSocket = false,
  } = {}) {
    addApps(apps);
    this.options = { edgeCount: edges, withAuth: auth, monitorCount: monitors, monitorOptions, logLevel };
    this.timings = { ...CLUSTER_TIMINGS, ...timings };
    this.extraServer = server;
    this.redis = new RedisServer({ persistent: redisPersistent, unixSocket: redisUnixSocket });
    this.edges = [];
    this.api = null;
    this.auth = null;
    this.monitors = [];
    this.started = [];
  }

  /** The first monitor (null without one). */
  get monitor() {
    return this.monitors[0] ?? null;
  }

  /** Every service process started so far (not Redis), in start order. */
  get services() {
    return [...this.started];
  }

  /** The services that are still meant to be running (not killed or terminated by a test). */
  get liveServices() {
    return this.started.filter((node) => !node.exit && !node.stopped);
  }

  /** The scaling section every service gets: Redis on our port plus the node timings. */
  scalingConfig() {
    const redis = this.redis.unixSocket ? { host: this.redis.socketPath } : { host: this.redis.host, port: this.redis.port };
    return { enabled: true, redis, ...this.timings };
  }

  /**
   * Starts one service. `port`: listen there instead of a free port (a restart in place);
   * `server`: extra server keys for this process only (on top of the cluster's `server`);
   * `env`: extra environment variables for this process.
   */
  async launch(kind, extraArgs = () => [], { port, server = {}, env } = {}) {
    const { name, envVar } = SERVICES[kind];
    const node = new RunningServer();
    this.started.push(node);
    await node.start({
      name,
      binary: serviceBinary(name, envVar),
      logLevel: this.options.logLevel ?? process.env.RESOUND_IT_LOG_LEVEL ?? 'warn',
      server: { ...this.extraServer, ...server, scaling: this.scalingConfig() },
      args: ({ configPath, port: listenPort }) => ['--config', configPath, ...extraArgs({ port: listenPort })],
      port,
      env,
    });
    return node;
  }

  async start() {
    await this.redis.start();
    this.api = await this.launch('api');
    for (let i = 0; i < this.options.edgeCount; i += 1) this.edges.push(await this.launch('edge'));
    if (this.options.withAuth) this.auth = await this.launch('auth', ({ port }) => ['--port', String(port)]);
    for (let i = 0; i < this.options.monitorCount; i += 1) this.monitors.push(await this.launchMonitor());
    await this.waitReady();
    return this;
  }

  /**
   * A resound-monitor with --stale-after MONITOR_STALE_AFTER_S and the webhook sender options
   * `webhooks` (--webhooks on|off; the monitor's default is on) and `webhookLease` (--webhook-lease,
   * seconds, 5..300; default 10); `env`: extra environment variables (e.g. the dashboard password).
   */
  launchMonitor({ webhooks, webhookLease, env } = this.options.monitorOptions) {
    return this.launch('monitor', ({ port }) => [
      '--port', String(port),
      '--stale-after', String(MONITOR_STALE_AFTER_S),
      ...(webhooks === undefined ? [] : ['--webhooks', webhooks]),
      ...(webhookLease === undefined ? [] : ['--webhook-lease', String(webhookLease)]),
    ], { env });
  }

  /** Starts one more monitor (options as launchMonitor) and waits for its /ready. */
  async addMonitor(options) {
    const monitor = await this.launchMonitor(options);
    this.monitors.push(monitor);
    await this.waitReady({ nodes: [monitor] });
    return monitor;
  }

  /** Starts one more edge (e.g. after a test killed one) and waits for its /ready. */
  async addEdge() {
    const edge = await this.launch('edge');
    this.edges.push(edge);
    await this.waitReady({ nodes: [edge] });
    return edge;
  }

  /**
   * A rolling restart of one edge: SIGTERM (exit code 0 and no sanitizer report expected, within
   * `graceMs`), then a new resound-edge on the same port (`server`: its extra server keys), ready.
   * The new edge takes the old one's place in `edges`. Returns {edge, stopped: {code, signal, ms}}.
   */
  async restartEdge(edge, { server = {}, graceMs } = {}) {
    const index = this.edges.indexOf(edge);
    if (index < 0) throw new Error(`restartEdge: the edge on port ${edge.port} is not one of this cluster's`);
    const stopped = await edge.terminate(graceMs);
    const fresh = await this.launch('edge', () => [], { port: edge.port, server });
    this.edges[index] = fresh;
    await this.waitReady({ nodes: [fresh] });
    return { edge: fresh, stopped };
  }

  /** GET /ready of one node: its HTTP status (0 when it does not answer within the timeout). */
  async readiness(node, timeoutMs = 2000) {
    try {
      return (await getJson(node, '/ready', timeoutMs)).status;
    } catch {
      return 0;
    }
  }

  /** Waits until every node answers /ready with 200 (Redis connected, node registered). */
  async waitReady({ nodes = this.liveServices, ms = READY_TIMEOUT_MS } = {}) {
    for (const node of nodes) {
      await eventually(async () => (await this.readiness(node)) === 200, {
        ms,
        intervalMs: 100,
        what: `${node.name} on port ${node.port} to answer /ready with 200\n--- output ---\n${node.tail()}`,
      });
    }
  }

  /** Closes every client a test opened on any node (what afterEach does). */
  async closeTracked() {
    await Promise.allSettled(this.started.map((node) => node.closeTracked()));
  }

  /**
   * Puts Redis back after a test that stopped or paused it, so the next test starts from a working
   * bundle; then every live node must be ready again.
   */
  async restoreRedis() {
    if (this.redis.paused) this.redis.resume();
    if (!this.redis.running) await this.redis.start();
    await this.waitReady();
  }

  /** Throws if a service died that the tests did not kill. */
  assertRunning() {
    for (const node of this.started) if (!node.deathExpected && !node.stopped) node.assertRunning();
  }

  /**
   * Stops every service (SIGTERM, exit 0 expected, sanitizer output checked) while Redis still runs
   * (a stopping node deregisters itself through it), then Redis. Throws one error naming every
   * problem found.
   */
  async stop() {
    const problems = [];
    if (this.redis.running) {
      if (this.redis.paused) this.redis.resume();
    }
    const stopOrder = [...this.started].reverse();
    const results = await Promise.allSettled(stopOrder.map((node) => node.stop()));
    for (const result of results) if (result.status === 'rejected') problems.push(result.reason.message);
    await this.redis.destroy();
    if (problems.length > 0) throw new Error(problems.join('\n\n'));
  }
}

/** Starts a bundle outside the useCluster() lifecycle; the caller calls stop(). */
export async function startCluster(options = {}) {
  const cluster = new Cluster(options);
  try {
    await cluster.start();
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
  return cluster;
}

/**
 * One bundle for the calling test file: started in `before`, clients closed and Redis restored
 * after each test (`afterEach`), everything stopped and checked in `after`. Returns the Cluster;
 * its fields (edges, api, redis, ...) are filled once `before` has run.
 */
export function useCluster(options = {}) {
  const cluster = new Cluster(options);
  before(
    async () => {
      try {
        await cluster.start();
      } catch (err) {
        cluster.startFailed = true;
        await cluster.stop().catch(() => {});
        throw err;
      }
    },
    { timeout: START_HOOK_TIMEOUT_MS },
  );
  afterEach(
    async () => {
      if (cluster.startFailed) return;
      await cluster.closeTracked();
      await cluster.restoreRedis();
      cluster.assertRunning();
    },
    { timeout: READY_TIMEOUT_MS + 10000 },
  );
  after(
    async () => {
      if (cluster.startFailed) return;
      await cluster.closeTracked();
      await cluster.stop();
    },
    { timeout: STOP_HOOK_TIMEOUT_MS },
  );
  return cluster;
}
