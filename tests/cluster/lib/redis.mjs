// A private redis-server for one test file: a free loopback port, no persistence (or, with
// `persistent: true`, an append-only file fsynced at every write, as the compose Redis keeps its data),
// its own temp directory, started and signalled by PID only. It dies with the test process (setpriv --pdeathsig)
// so a test runner killed by a CTest timeout leaves no Redis behind.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTied } from '../../integration/lib/child.mjs';
import { freePort } from '../../integration/lib/server.mjs';
import { sleep, withTimeout } from '../../integration/lib/wait.mjs';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 3000;
const COMMAND_TIMEOUT_MS = 2000;

/** REDIS_SERVER_BIN (CTest sets it), else redis-server on PATH. */
function redisServerBinary() {
  return process.env.REDIS_SERVER_BIN || 'redis-server';
}

/** redis-cli next to redis-server (Debian ships both in redis-tools/redis-server). */
function redisCliBinary() {
  if (process.env.REDIS_CLI_BIN) return process.env.REDIS_CLI_BIN;
  const server = redisServerBinary();
  const sibling = server.includes('/') ? join(server, '..', 'redis-cli') : 'redis-cli';
  return server.includes('/') && existsSync(sibling) ? sibling : 'redis-cli';
}

export class RedisServer {
  /**
   * `persistent`: --appendonly yes --appendfsync always, so a restart (same dir) keeps every key.
   * `unixSocket`: listen on a Unix-domain socket in its directory only (TCP off: --port 0), as a
   * co-located Redis can; `socketPath` names it and redis-cli uses it.
   */
  constructor({ persistent = false, unixSocket = false } = {}) {
    this.persistent = persistent;
    this.unixSocket = unixSocket;
    this.socketPath = null;
    this.host = HOST;
    this.output = '';
    this.process = null;
    this.exit = null;
    this.paused = false;
  }

  /** Starts redis-server (on `port` when given: a restart keeps the port the services know). */
  async start({ port } = {}) {
    this.dir ??= mkdtempSync(join(tmpdir(), 'resound-cluster-redis-'));
    if (this.unixSocket) {
      this.port = 0;
      this.socketPath = join(this.dir, 'redis.sock');
    } else {
      this.port = port ?? this.port ?? (await freePort());
    }
    this.exit = null;
    this.paused = false;
    const args = [
      '--port', String(this.port),
      '--bind', HOST,
      ...(this.unixSocket ? ['--unixsocket', this.socketPath, '--unixsocketperm', '700'] : []),
      '--save', '',
      '--appendonly', this.persistent ? 'yes' : 'no',
      ...(this.persistent ? ['--appendfsync', 'always'] : []),
      '--dir', this.dir,
      '--daemonize', 'no',
      '--logfile', '',
      '--loglevel', 'warning',
    ];
    // The PID we signal is redis-server's own (see spawnTied).
    spawnTied(this, redisServerBinary(), args);

    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = 'no attempt';
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`redis-server exited during start-up (${JSON.stringify(this.exit)})\n${this.output}`);
      try {
        if ((await this.command('PING')) === 'PONG') return this;
      } catch (err) {
        last = err.message;
      }
      await sleep(50);
    }
    throw new Error(`redis-server on ${this.address} did not answer PING within ${START_TIMEOUT_MS} ms (${last})\n${this.output}`);
  }

  /** Where the services reach it: the socket path, or host:port. */
  get address() {
    return this.unixSocket ? this.socketPath : `${HOST}:${this.port}`;
  }

  /** redis-cli's arguments that reach this server. */
  cliTarget() {
    return this.unixSocket ? ['-s', this.socketPath] : ['-h', HOST, '-p', String(this.port)];
  }

  get running() {
    return this.process !== null && this.exit === null;
  }

  /** One command through redis-cli; resolves with its raw output, trimmed. Bounded by a timeout. */
  command(...args) {
    return new Promise((resolve, reject) => {
      execFile(
        redisCliBinary(),
        [...this.cliTarget(), '--no-raw', ...args.map(String)],
        { timeout: COMMAND_TIMEOUT_MS },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
          else resolve(stdout.trim().replace(/^"(.*)"$/s, '$1'));
        },
      );
    });
  }

  /** Lines of redis-cli --raw output (for ZRANGE / HGETALL / KEYS). */
  rawLines(...args) {
    return new Promise((resolve, reject) => {
      execFile(
        redisCliBinary(),
        [...this.cliTarget(), '--raw', ...args.map(String)],
        { timeout: COMMAND_TIMEOUT_MS },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
          else resolve(stdout.split('\n').filter((line) => line.length > 0));
        },
      );
    });
  }

  /** Stops redis-server (SIGTERM, SIGKILL after a grace period) and waits for the exit. */
  async stop() {
    if (!this.running) return this.exit;
    if (this.paused) this.resume();
    this.process.kill('SIGTERM');
    try {
      await withTimeout(this.exited, STOP_GRACE_MS, 'redis-server to exit after SIGTERM');
    } catch {
      this.process.kill('SIGKILL');
      await this.exited;
    }
    return this.exit;
  }

  /** A hung Redis: the socket still accepts (the kernel does), nothing answers. */
  pause() {
    if (!this.running) throw new Error('redis-server is not running');
    this.process.kill('SIGSTOP');
    this.paused = true;
  }

  resume() {
    if (!this.running) throw new Error('redis-server is not running');
    this.process.kill('SIGCONT');
    this.paused = false;
  }

  /** Stops and removes the data directory; for the end of the test file. */
  async destroy() {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
