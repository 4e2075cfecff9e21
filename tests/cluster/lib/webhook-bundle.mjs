// A minimal Redis-mode bundle for tests/cluster/webhooks.test.mjs: its own redis-server, N resound-edge
// and one or more resound-monitor processes on free loopback ports, all sharing one generated config.
// Written before the shared cluster harness existed; it reuses the integration suite's helpers
// (configs, clients, receiver). kill9() for crashes, stopAll() for checked SIGTERM stops (exit 0, no
// sanitizer report). Every wait is bounded.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APPS, configYaml } from '../../integration/lib/apps.mjs';
import { freePort } from '../../integration/lib/server.mjs';
import { sleep } from '../../integration/lib/wait.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 15000;
const STOP_GRACE_MS = 8000;
const OUTPUT_CAP = 4 * 1024 * 1024;
const SANITIZER_REPORT = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:/;
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** $envVar (set by CTest), else the newest build*\/services/<dir>/<name> in the repo. */
function binary(envVar, dir, name) {
  if (process.env[envVar]) return process.env[envVar];
  const found = readdirSync(REPO)
    .filter((entry) => entry.startsWith('build'))
    .map((entry) => join(REPO, entry, 'services', dir, name))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (found.length === 0) throw new Error(`no ${name} binary: set ${envVar} or build it into build*/`);
  return found[0];
}

/** One child process with captured output. */
class Child {
  constructor(name, command, args, env) {
    this.name = name;
    this.output = '';
    this.exit = null;
    this.process = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.pid = this.process.pid;
    const capture = (chunk) => {
      if (this.output.length < OUTPUT_CAP) this.output += chunk.toString('utf8');
    };
    this.process.stdout.on('data', capture);
    this.process.stderr.on('data', capture);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve((this.exit = { code, signal })));
      this.process.once('error', (err) => resolve((this.exit = { code: null, signal: null, error: err })));
    });
  }

  tail(chars = 6000) {
    return this.output.length <= chars ? this.output : `...${this.output.slice(-chars)}`;
  }

  async kill9() {
    if (!this.exit) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  /** SIGTERM; returns the problems found (empty when it exited 0 in time without sanitizer reports). */
  async stop() {
    const problems = [];
    if (this.exit) {
      if (!this.killedOnPurpose) problems.push(`${this.name} exited early (${JSON.stringify(this.exit)})`);
    } else {
      this.process.kill('SIGTERM');
      const outcome = await Promise.race([this.exited, sleep(STOP_GRACE_MS).then(() => 'timeout')]);
      if (outcome === 'timeout') {
        problems.push(`${this.name} did not exit within ${STOP_GRACE_MS} ms of SIGTERM`);
        await this.kill9();
      } else if (this.exit.code !== 0) {
        problems.push(`${this.name} ended with ${JSON.stringify(this.exit)} after SIGTERM`);
      }
    }
    if (SANITIZER_REPORT.test(this.output)) problems.push(`sanitizer report in ${this.name}'s output`);
    if (problems.length > 0 || process.env.RESOUND_IT_VERBOSE) {
      problems.push(`--- ${this.name} output ---\n${this.tail()}`);
    }
    return problems;
  }
}

async function untilReady(child, url) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (child.exit) throw new Error(`${child.name} exited during start-up\n${child.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code || err.message;
    }
    await sleep(100);
  }
  throw new Error(`${child.name} not ready at ${url} within ${READY_TIMEOUT_MS} ms (${last})\n${child.tail()}`);
}

async function redisAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.setTimeout(500, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}

/** A resound-edge: what RawClient needs from a "server" (wsUrl, track, apps, assertRunning). */
class Edge {
  constructor(child, port) {
    this.child = child;
    this.port = port;
    this.host = HOST;
    this.apps = APPS;
    this.resources = [];
  }

  get httpUrl() {
    return `http://${HOST}:${this.port}`;
  }

  wsUrl(key = APPS.main.key, query = 'protocol=7&client=js&version=8.6.0&flash=false') {
    return `ws://${HOST}:${this.port}/app/${key}${query === null ? '' : `?${query}`}`;
  }

  track(resource) {
    this.assertRunning();
    this.resources.push(resource);
    return resource;
  }

  assertRunning() {
    if (this.child.exit && !this.child.killedOnPurpose) {
      throw new Error(`${this.child.name} is no longer running\n${this.child.tail()}`);
    }
  }

  async closeTracked() {
    for (const r of this.resources.splice(0)) {
      if (typeof r.terminate === 'function') r.terminate();
      else if (typeof r.close === 'function') r.close();
    }
  }

  async kill9() {
    this.child.killedOnPurpose = true;
    await this.child.kill9();
  }
}

export class WebhookBundle {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'resound-cluster-'));
    this.children = [];
    this.edges = [];
    this.monitors = [];
  }

  /** Starts redis-server, `edges` resound-edge processes and `monitors` resound-monitor processes. */
  async start({ edges = 2, monitors = 1, logLevel = process.env.RESOUND_IT_LOG_LEVEL || 'info' } = {}) {
    this.redisPort = await freePort();
    const redis = new Child('redis-server', process.env.REDIS_SERVER_BIN || 'redis-server', [
      '--port', String(this.redisPort), '--bind', HOST, '--save', '', '--appendonly', 'no', '--loglevel', 'warning',
    ], process.env);
    this.redis = redis;
    const deadline = Date.now() + 5000;
    while (!(await redisAnswers(this.redisPort))) {
      if (redis.exit || Date.now() > deadline) throw new Error(`redis-server did not start\n${redis.tail()}`);
      await sleep(50);
    }
    // The config file is the whole truth: drop variables the loader would let override it.
    this.env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(REVERB_|RESOUND_|REDIS_)/.test(name)),
    );
    this.logLevel = logLevel;
    for (let i = 0; i < edges; i += 1) await this.addEdge();
    for (let i = 0; i < monitors; i += 1) await this.addMonitor();
    return this;
  }

  async writeConfig(port) {
    const path = join(this.dir, `config-${port}.yaml`);
    const scaling = { enabled: true, redis: { host: HOST, port: this.redisPort } };
    writeFileSync(path, configYaml({ port, logLevel: this.logLevel, server: { scaling } }));
    return path;
  }

  async addEdge() {
    const port = await freePort();
    const config = await this.writeConfig(port);
    const child = new Child(`resound-edge#${this.edges.length}`, binary('RESOUND_EDGE_BIN', 'edge', 'resound-edge'),
      ['--config', config], this.env);
    this.children.push(child);
    const edge = new Edge(child, port);
    await untilReady(child, `${edge.httpUrl}/ready`);
    this.edges.push(edge);
    return edge;
  }

  async addMonitor(extraArgs = []) {
    const port = await freePort();
    const config = await this.writeConfig(await freePort());
    const child = new Child(`resound-monitor#${this.monitors.length}`,
      binary('RESOUND_MONITOR_BIN', 'monitor', 'resound-monitor'), ['--config', config, '--port', String(port), ...extraArgs],
      this.env);
    this.children.push(child);
    await untilReady(child, `http://${HOST}:${port}/ready`);
    const monitor = { child, port, url: `http://${HOST}:${port}` };
    this.monitors.push(monitor);
    return monitor;
  }

  /** Stops one monitor now (checked like stopAll); the others keep running. */
  async stopMonitor(monitor) {
    this.children = this.children.filter((child) => child !== monitor.child);
    this.monitors = this.monitors.filter((m) => m !== monitor);
    const problems = await monitor.child.stop();
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  async closeClients() {
    for (const edge of this.edges) await edge.closeTracked();
  }

  /** Stops every process (SIGTERM, edges first) and throws with their output if any misbehaved. */
  async stopAll() {
    await this.closeClients();
    const problems = [];
    for (const child of this.children) problems.push(...(await child.stop()));
    await this.redis?.kill9();
    if (problems.length > 0) throw new Error(problems.join('\n'));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
