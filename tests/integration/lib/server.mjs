// The one harness that starts the real Resound binaries for every node suite: a generated config on
// a free loopback port, readiness via GET /health, and a checked shutdown (exit status 0, no
// sanitizer reports). RunningServer runs `resound` for tests/integration and tests/dashboard (with
// resound-auth beside it for auth.test.mjs), the scale-out binaries (resound-edge, resound-api,
// resound-auth, resound-monitor) for tests/cluster and tests/proxy (launch() takes the binary, its
// arguments, its config and a service name), and, through tests/robustness/lib/resound.mjs, servers
// with per-test limits and /proc statistics.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { APPS, configYaml } from './apps.mjs';
import { reservePort } from './ports.mjs';
import { orAfter, sleep } from './wait.mjs';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10000;
const STOP_GRACE_MS = 5000;
const OUTPUT_CAP = 4 * 1024 * 1024; // the start of the output kept (start-up, the first errors)
const LATE_OUTPUT_CAP = 64 * 1024; // past the cap, the latest output kept (shutdown, exit reports)
const REPORT_OVERLAP = 256; // characters of the previous chunk scanned again: a report cut in two
export const SANITIZER_REPORT = /ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error:|AddressSanitizer/;

/**
 * The executable `name` (resound, resound-edge, ...): `$envVar` (set by CTest), else the newest
 * build*\/services/<dir>/<name> in the repo.
 */
export function serviceBinary(name, envVar, dir = name.replace(/^resound-/, '')) {
  if (process.env[envVar]) return process.env[envVar];
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const candidates = readdirSync(repo)
    .filter((entry) => entry.startsWith('build'))
    .map((entry) => join(repo, entry, 'services', dir, name))
    .filter((path) => existsSync(path))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (candidates.length === 0) {
    throw new Error(`no ${name} binary: set ${envVar} or build the \`${name}\` target into build*/`);
  }
  return candidates[0];
}

/** RESOUND_BIN (set by CTest), else the newest build*\/services/resound/resound in the repo. */
export function resoundBinary() {
  return serviceBinary('resound', 'RESOUND_BIN');
}

/** A loopback port no other test process of this run holds (see ports.mjs), claimed until this one exits. */
export const freePort = () => reservePort();

/**
 * GET /health on a connection of its own, closed right after: a pooled keep-alive socket (fetch's)
 * would count against the connection limits some tests set. Resolves with the status.
 */
function probeHealth(port) {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      { host: HOST, port, path: '/health', agent: false, headers: { Connection: 'close' }, timeout: 1000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Every binary takes `--config FILE`; auth and monitor also want `--port N`. */
const configArgs = ({ configPath }) => ['--config', configPath];

export class RunningServer {
  constructor() {
    this.name = 'resound';
    this.host = HOST;
    this.apps = APPS;
    this.output = '';
    this.lateOutput = ''; // what came after OUTPUT_CAP, its last LATE_OUTPUT_CAP characters
    this.sanitizerSeen = false; // every byte is scanned, kept or not
    this.scanCarry = '';
    this.exit = null; // { code, signal } once the process has gone
    this.stopping = false;
    this.deathExpected = false; // set by signal('SIGKILL'): the test killed it on purpose
    this.resources = [];
  }

  get httpUrl() {
    return `http://${HOST}:${this.port}`;
  }

  /** ws:// URL for an app key; `query` replaces pusher-js's default query string. */
  wsUrl(key = APPS.main.key, query = 'protocol=7&client=js&version=8.6.0&flash=false') {
    return `ws://${HOST}:${this.port}/app/${key}${query === null ? '' : `?${query}`}`;
  }

  /** Registers something with close()/disconnect() to be closed after the current test. */
  track(resource) {
    this.assertRunning();
    this.resources.push(resource);
    return resource;
  }

  async closeTracked() {
    const resources = this.resources.splice(0);
    await Promise.allSettled(
      resources.map(async (r) => {
        if (typeof r.disconnect === 'function') r.disconnect();
        else if (typeof r.terminate === 'function') r.terminate();
        else if (typeof r.close === 'function') await r.close();
        else if (typeof r.destroy === 'function') r.destroy();
      }),
    );
  }

  /** Throws (with the server's output) if the process has gone; every client helper calls this. */
  assertRunning() {
    if (this.exit && !this.stopping) {
      throw new Error(`${this.name} is no longer running (${this.describeExit()})\n--- server output ---\n${this.tail()}`);
    }
  }

  /** The captured stdout+stderr, last `chars` characters, for failure messages. */
  tail(chars = 4000) {
    const text = this.lateOutput ? `${this.output}\n[... output past ${OUTPUT_CAP} characters ...]\n${this.lateOutput}` : this.output;
    return text.length <= chars ? text : `...${text.slice(-chars)}`;
  }

  describeExit() {
    if (!this.exit) return 'still running';
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  async start(options) {
    try {
      return await this.launch(options);
    } catch (err) {
      this.startFailed = true;
      await this.kill();
      throw err;
    }
  }

  /**
   * `server`: extra keys for the config's server section (e.g. path_prefix, scaling).
   * `binary`, `name`, `args({configPath, port})`: another executable than `resound` (scale-out services).
   * `env`: extra environment variables (the REVERB_/RESOUND_/REDIS_ ones of the test runner are dropped).
   * `config({port, logLevel, server})`: the config file's text, instead of the integration apps' config.
   * `fdLimit`: runs the binary under `ulimit -n N` (soft and hard), e.g. to reach the fd-derived cap.
   * `readyTimeoutMs`: how long GET /health may take to answer 200.
   */
  async launch({
    logLevel = process.env.RESOUND_IT_LOG_LEVEL || 'warn',
    server = {},
    binary,
    name = 'resound',
    args = configArgs,
    env: extraEnv = {},
    port,
    config = configYaml,
    fdLimit,
    readyTimeoutMs = READY_TIMEOUT_MS,
  } = {}) {
    this.name = name;
    this.binary = binary ?? resoundBinary();
    this.port = port ?? (await freePort());
    this.dir = mkdtempSync(join(tmpdir(), `${name}-it-`));
    this.configPath = join(this.dir, 'config.yaml');
    writeFileSync(this.configPath, config({ port: this.port, logLevel, server }));

    // The config file is the whole truth: drop variables the loader would let override it.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([variable]) => !/^(REVERB_|RESOUND_|REDIS_)/.test(variable)),
    );
    const argv = args({ configPath: this.configPath, port: this.port });
    const [command, commandArgs] = fdLimit
      ? ['/bin/sh', ['-c', `ulimit -n ${Number(fdLimit)} && exec "$0" "$@"`, this.binary, ...argv]]
      : [this.binary, argv];
    this.process = spawn(command, commandArgs, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ...extraEnv },
    });
    this.pid = this.process.pid;
    // A sanitizer reports at exit, after whatever a busy server logged: scan everything, keep the
    // start and the latest part.
    const capture = (chunk) => {
      const text = chunk.toString('utf8');
      if (SANITIZER_REPORT.test(this.scanCarry + text)) this.sanitizerSeen = true;
      this.scanCarry = (this.scanCarry + text).slice(-REPORT_OVERLAP);
      if (this.output.length < OUTPUT_CAP) this.output += text;
      else this.lateOutput = (this.lateOutput + text).slice(-LATE_OUTPUT_CAP);
    };
    this.process.stdout.on('data', capture);
    this.process.stderr.on('data', capture);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.process.once('error', (err) => {
        this.output += `\n[spawn error] ${err.message}\n`;
        this.exit = { code: null, signal: null, error: err };
        resolve(this.exit);
      });
    });

    const deadline = Date.now() + readyTimeoutMs;
    let lastError = 'no attempt';
    while (Date.now() < deadline) {
      if (this.exit) {
        const why = this.exit.error ? `could not be started: ${this.exit.error.message}` : this.describeExit();
        const error = new Error(
          `${this.name} exited during start-up (${why}); binary ${this.binary}, ` +
            `config ${this.configPath}\n--- server output ---\n${this.tail()}`,
        );
        error.exit = this.exit; // e.g. code 78: the configuration was refused
        error.output = this.output;
        throw error;
      }
      try {
        const status = await probeHealth(this.port);
        if (status === 200) return this;
        lastError = `GET /health returned ${status}`;
      } catch (err) {
        lastError = err.code || err.message;
      }
      await sleep(50);
    }
    throw new Error(
      `${this.name} did not answer GET /health with 200 within ${readyTimeoutMs} ms (last: ${lastError}); ` +
        `binary ${this.binary}\n--- server output ---\n${this.tail()}`,
    );
  }

  /** Whether the output so far holds a sanitizer report. */
  sanitizerReport() {
    return this.sanitizerSeen;
  }

  /** Waits for the process to end, at most `ms`; returns {code, signal} or null. */
  async waitExit(ms) {
    return orAfter(this.exited, ms);
  }

  async kill() {
    if (!this.exit && this.process) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  /**
   * Sends a signal by PID. SIGKILL marks the death as intended (stop() then only checks the output
   * for sanitizer reports); SIGSTOP/SIGCONT freeze and resume the process.
   */
  signal(name) {
    this.assertRunning();
    if (name === 'SIGKILL') this.deathExpected = true;
    this.process.kill(name);
  }

  /**
   * SIGTERM and wait (bounded) for the exit: the checks of stop() (exit code 0, no sanitizer report)
   * happen at once. Returns {code, signal} and the milliseconds the drain took.
   */
  async terminate(graceMs = STOP_GRACE_MS) {
    const started = Date.now();
    await this.stop({ graceMs });
    return { ...this.exit, ms: Date.now() - started };
  }

  /**
   * SIGTERM, then SIGKILL after a grace period; throws on any sign of a defect. Safe to call again
   * after the process has gone (terminate(), an intended SIGKILL): it then only reports once.
   */
  async stop({ graceMs = STOP_GRACE_MS } = {}) {
    if (!this.process || this.startFailed || this.stopped) return; // start() already reported why
    this.stopped = true;

    const problems = [];
    if (this.exit) {
      if (!this.deathExpected) problems.push(`${this.name} exited while tests were running (${this.describeExit()})`);
    } else {
      this.stopping = true;
      this.process.kill('SIGCONT'); // harmless unless a test left it stopped
      this.process.kill('SIGTERM');
      if ((await orAfter(this.exited, graceMs, 'timeout')) === 'timeout') {
        problems.push(`${this.name} did not exit within ${graceMs} ms of SIGTERM (sent SIGKILL)`);
        await this.kill();
      } else if (this.exit.code !== 0) {
        problems.push(`${this.name} ended with ${this.describeExit()} after SIGTERM (expected exit code 0)`);
      }
    }
    if (this.sanitizerReport()) problems.push('sanitizer report in server output');
    if (process.env.RESOUND_IT_VERBOSE) console.error(`--- ${this.name} output (pid ${this.pid}) ---\n${this.output}`);
    if (problems.length > 0) {
      throw new Error(`${this.name} (pid ${this.pid}): ${problems.join('; ')}\n--- server output ---\n${this.tail(20000)}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// useServer()'s servers of this test process whose `after` hook has not run yet, and the stop
// failures waiting for the last of those hooks (see useServer).
const unstopped = new Set();
const stopFailures = [];

/** Starts a server outside the useServer() lifecycle; the caller stops it (stop() or kill()). */
export async function startServer(options = {}) {
  const server = new RunningServer();
  await server.start(options);
  return server;
}

/**
 * Starts one server for the calling test file (before), closes every client a test tracked
 * (afterEach), and stops the server with its exit checks (after). Returns the handle; its
 * fields (port, apps, ...) are filled in once `before` has run. A file that needs several
 * processes calls it once for each (`options` as for launch()).
 */
export function useServer(options = {}) {
  const server = new RunningServer();
  before(
    () => {
      unstopped.add(server);
      return server.start(options);
    },
    { timeout: READY_TIMEOUT_MS + 5000 },
  );
  afterEach(async () => {
    await server.closeTracked();
    if (!server.startFailed) server.assertRunning();
  });
  after(
    async () => {
      await server.closeTracked();
      try {
        await server.stop();
      } catch (error) {
        stopFailures.push(error);
      } finally {
        unstopped.delete(server);
      }
      // node:test runs no further `after` hook once one throws: a server of this file still running
      // would then keep the process alive until ctest's timeout. So the hook that stops the last one
      // reports every failed stop.
      if (unstopped.size === 0 && stopFailures.length > 0) {
        const failures = stopFailures.splice(0);
        throw failures.length === 1 ? failures[0] : new Error(failures.map((f) => f.message).join('\n\n'));
      }
    },
    { timeout: STOP_GRACE_MS + 5000 },
  );
  return server;
}
