// Starts the real resound binary with a configuration chosen by each test (limits, timeouts, apps),
// on a free loopback port, and watches the process: RSS, CPU time and open descriptors from /proc,
// the captured output (sanitizer reports fail the test), and a checked SIGTERM shutdown.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20000; // an ASan build on a busy 2-core machine starts slowly
const OUTPUT_CAP = 8 * 1024 * 1024;
const SANITIZER_REPORT = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|AddressSanitizer/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** RESOUND_BIN (set by CTest), else the newest build*\/services/resound/resound of the repository. */
export function resoundBinary() {
  if (process.env.RESOUND_BIN) return process.env.RESOUND_BIN;
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const found = readdirSync(repo)
    .filter((name) => name.startsWith('build'))
    .map((name) => join(repo, name, 'services', 'resound', 'resound'))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (found.length === 0) throw new Error('no resound binary: set RESOUND_BIN or build the resound target');
  return found[0];
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * GET /health on a connection of its own that is closed right after (fetch would keep a pooled
 * keep-alive socket open, which counts against the connection limits some tests set).
 */
function probeHealth(port) {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: HOST, port, path: '/health', agent: false, headers: { Connection: 'close' }, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** The default test app; `apps` entries override its fields. */
export const DEFAULT_APP = Object.freeze({ id: 'rob', key: 'rob-key', secret: 'rob-secret' });

function yamlValue(value) {
  return JSON.stringify(value); // JSON scalars and flow arrays are valid YAML
}

/** YAML for `server` overrides and a list of app overrides (each merged over a distinct default app). */
export function configYaml({ port, server = {}, apps = [{}] }) {
  const lines = ['server:', `  host: ${HOST}`, `  port: ${port}`];
  for (const [key, value] of Object.entries({ io_threads: 2, log_level: 'warn', ...server })) {
    lines.push(`  ${key}: ${yamlValue(value)}`);
  }
  lines.push('apps:');
  apps.forEach((app, index) => {
    const base = index === 0 ? DEFAULT_APP : { id: `rob${index}`, key: `rob${index}-key`, secret: `rob${index}-secret` };
    const merged = { ...base, ...app };
    const entries = Object.entries(merged);
    entries.forEach(([key, value], i) => lines.push(`${i === 0 ? '  - ' : '    '}${key}: ${yamlValue(value)}`));
  });
  return `${lines.join('\n')}\n`;
}

export function resolvedApps(apps = [{}]) {
  return apps.map((app, index) => ({
    ...(index === 0 ? DEFAULT_APP : { id: `rob${index}`, key: `rob${index}-key`, secret: `rob${index}-secret` }),
    ...app,
  }));
}

/** Reads /proc/<pid>: VmRSS and VmHWM in KiB, open descriptors, CPU seconds (user+system). */
export function processStats(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field) => Number((status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    fds = -1;
  }
  const threads = Number((status.match(/^Threads:\s+(\d+)/m) || [])[1] || 0);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), cpuSeconds: ticks / 100, fds, threads };
}

export class Resound {
  constructor(options) {
    this.options = options;
    this.output = '';
    this.exit = null;
    this.host = HOST;
  }

  get httpUrl() {
    return `http://${HOST}:${this.port}`;
  }

  app(index = 0) {
    return this.apps[index];
  }

  stats() {
    return processStats(this.pid);
  }

  async start() {
    const { server = {}, apps = [{}], env = {} } = this.options;
    this.binary = resoundBinary();
    this.port = await freePort();
    this.apps = resolvedApps(apps);
    this.dir = mkdtempSync(join(tmpdir(), 'resound-rob-'));
    this.configPath = join(this.dir, 'config.yaml');
    writeFileSync(this.configPath, configYaml({ port: this.port, server, apps }));
    const cleanEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^(REVERB_|RESOUND_|REDIS_)/.test(name)),
    );
    // `fdLimit` runs the server under `ulimit -n` (soft and hard), e.g. to reach the fd-derived cap.
    const [command, args] = this.options.fdLimit
      ? ['/bin/sh', ['-c', `ulimit -n ${Number(this.options.fdLimit)} && exec "$0" "$@"`, this.binary, '--config', this.configPath]]
      : [this.binary, ['--config', this.configPath]];
    this.process = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...cleanEnv, ...env },
    });
    this.pid = this.process.pid;
    const capture = (chunk) => {
      if (this.output.length < OUTPUT_CAP) this.output += chunk.toString('utf8');
    };
    this.process.stdout.on('data', capture);
    this.process.stderr.on('data', capture);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.process.once('error', (err) => {
        this.exit = { code: null, signal: null, error: err };
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no attempt';
    while (Date.now() < deadline) {
      if (this.exit) {
        const error = new Error(`resound exited during start-up (${this.describeExit()})\n${this.tail()}`);
        error.exit = this.exit;
        error.output = this.output;
        throw error;
      }
      try {
        const status = await probeHealth(this.port);
        if (status === 200) return this;
        last = `status ${status}`;
      } catch (err) {
        last = err.code || err.message;
      }
      await sleep(50);
    }
    await this.kill();
    throw new Error(`resound not ready within ${READY_TIMEOUT_MS} ms (last: ${last})\n${this.tail()}`);
  }

  describeExit() {
    if (!this.exit) return 'running';
    if (this.exit.error) return `spawn error ${this.exit.error.message}`;
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  tail(chars = 4000) {
    return this.output.length <= chars ? this.output : `...${this.output.slice(-chars)}`;
  }

  assertRunning() {
    if (this.exit) throw new Error(`resound is no longer running (${this.describeExit()})\n${this.tail()}`);
  }

  sanitizerReport() {
    return SANITIZER_REPORT.test(this.output);
  }

  async kill() {
    if (this.process && !this.exit) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Waits for the process to end, at most `ms`; returns the exit or null. */
  async waitExit(ms) {
    const timer = sleep(ms).then(() => null);
    return Promise.race([this.exited, timer]);
  }

  /** SIGTERM and a checked exit: code 0 within `graceMs`, no sanitizer report. Throws otherwise. */
  async stop({ graceMs = 15000 } = {}) {
    if (!this.process) return;
    const problems = [];
    if (this.exit) {
      problems.push(`resound exited while the test ran (${this.describeExit()})`);
    } else {
      this.process.kill('SIGTERM');
      const exit = await this.waitExit(graceMs);
      if (!exit) {
        problems.push(`resound did not exit within ${graceMs} ms of SIGTERM`);
        await this.kill();
      } else if (exit.code !== 0) {
        problems.push(`resound ended with ${this.describeExit()} after SIGTERM (expected 0)`);
      }
    }
    if (this.sanitizerReport()) problems.push('sanitizer report in the server output');
    if (process.env.RESOUND_ROB_VERBOSE) console.error(`--- resound output ---\n${this.output}`);
    if (problems.length > 0) throw new Error(`${problems.join('; ')}\n--- server output ---\n${this.tail(20000)}`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Starts a server; the caller stops it. */
export async function startResound(options = {}) {
  const server = new Resound(options);
  await server.start();
  return server;
}

/** Formats KiB as MiB with one decimal. */
export const mib = (kib) => (kib / 1024).toFixed(1);
