// The robustness suites' server: `resound` with a configuration chosen by each test (limits,
// timeouts, apps) on the shared harness of tests/integration/lib/server.mjs, and the process's RSS,
// CPU time and open descriptors from /proc.
import { readFileSync, readdirSync } from 'node:fs';
import { RunningServer, resoundBinary } from '../../integration/lib/server.mjs';

export { resoundBinary };
export const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 20000; // an ASan build on a busy 2-core machine starts slowly

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

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

/**
 * `resound` with a configuration chosen by the test (limits, timeouts, apps), on the shared harness
 * (tests/integration/lib/server.mjs: start-up, output capture, checked SIGTERM shutdown), plus what
 * the robustness tests read: the resolved apps and /proc statistics.
 * Options: `server` (config overrides), `apps` (app overrides), `env`, `fdLimit` (`ulimit -n`).
 */
export class Resound extends RunningServer {
  constructor(options = {}) {
    super();
    this.options = options;
    this.apps = resolvedApps(options.apps);
  }

  app(index = 0) {
    return this.apps[index];
  }

  stats() {
    return processStats(this.pid);
  }

  start() {
    const { server = {}, apps = [{}], env = {}, fdLimit } = this.options;
    return super.start({
      env,
      fdLimit,
      readyTimeoutMs: READY_TIMEOUT_MS,
      config: ({ port }) => configYaml({ port, server, apps }),
    });
  }

  /** SIGTERM and a checked exit: code 0 within `graceMs`, no sanitizer report. Throws otherwise. */
  stop({ graceMs = 15000 } = {}) {
    return super.stop({ graceMs });
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
