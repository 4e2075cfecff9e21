// Loopback ports for the servers, proxies and Redis instances the suites start, unique across every
// test process of a run (ctest -j2 runs two suites at once) and never an ephemeral one.
//
// Why not "bind port 0, read it, close": the kernel may offer the same port to the next probe, in this
// process or in the suite running beside it, and it hands ports of that range to outgoing connections
// too, so a port read that way can be taken before the child binds it. (Seen: caddy's admin endpoint
// and its HTTPS listener on one port.) Ports here come from below the ephemeral range, and each is
// claimed with a lock file that names its owner's pid: a port stays claimed while that process
// lives, and is handed out again only once it has gone.
import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HOST = '127.0.0.1';
const LOCK_DIR = join(tmpdir(), 'resound-test-ports');
const LOWEST = 10000; // below: well-known and registered services more often listen
const ATTEMPTS = 200;

/** [first, last] of the ports this module hands out: from LOWEST to just below the ephemeral range. */
export function portRange() {
  let ephemeralLow = 32768;
  try {
    ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    // Not Linux: keep the kernel's usual default.
  }
  if (!(ephemeralLow - 1 - LOWEST >= 1000)) {
    throw new Error(`ports: the ephemeral range starts at ${ephemeralLow}, leaving too few ports below it`);
  }
  return [LOWEST, ephemeralLow - 1];
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM'; // exists, owned by someone else
  }
}

/** Claims `port` for `owner` unless a living process holds it. Returns whether it is now ours. */
function claim(port, owner) {
  const path = join(LOCK_DIR, String(port));
  // Written aside and linked into place, so a lock is never seen without its owner's pid.
  const draft = join(LOCK_DIR, `.draft-${process.pid}-${port}`);
  writeFileSync(draft, String(owner));
  try {
    for (let tries = 0; tries < 2; tries += 1) {
      try {
        linkSync(draft, path);
        return true;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      let holder;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch (error) {
        if (error.code !== 'ENOENT') throw error;
        continue; // released meanwhile: try again
      }
      if (alive(holder)) return false;
      rmSync(path, { force: true }); // its owner has gone (crashed, or killed at a timeout)
    }
    return false;
  } finally {
    rmSync(draft, { force: true });
  }
}

function release(port) {
  rmSync(join(LOCK_DIR, String(port)), { force: true });
}

/** Whether `port` can be listened on at the moment (something else may be using it outside our locks). */
function bindable(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

// Locks whose owner has gone (a killed suite, or a shell script's, which nothing removes), cleared
// once per process so they do not pile up over many runs.
function sweepAbandoned() {
  for (const name of readdirSync(LOCK_DIR)) {
    if (!/^\d+$/.test(name)) continue;
    let holder;
    try {
      holder = Number(readFileSync(join(LOCK_DIR, name), 'utf8'));
    } catch (error) {
      if (error.code === 'ENOENT') continue;
      throw error;
    }
    if (!alive(holder)) rmSync(join(LOCK_DIR, name), { force: true });
  }
}

const ours = new Set();
let cleanupInstalled = false;
let swept = false;

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const port of ours) release(port);
  });
}

/**
 * A free loopback port, claimed until `owner` exits (this process by default; its locks are removed
 * when it exits, and a crashed owner's are taken over). Throws after ATTEMPTS tries.
 */
export async function reservePort({ owner = process.pid } = {}) {
  mkdirSync(LOCK_DIR, { recursive: true });
  if (!swept) {
    swept = true;
    sweepAbandoned();
  }
  const [first, last] = portRange();
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (ours.has(port) || !claim(port, owner)) continue;
    if (!(await bindable(port))) {
      release(port);
      continue;
    }
    if (owner === process.pid) {
      ours.add(port);
      installCleanup();
    }
    return port;
  }
  throw new Error(`ports: no free port found in ${ATTEMPTS} tries (${first}-${last}, locks in ${LOCK_DIR})`);
}

// `node ports.mjs --owner PID` prints one port claimed while PID lives, for shell scripts.
if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--owner');
  const owner = Number(process.argv[at + 1]);
  if (at < 0 || !alive(owner)) {
    console.error('usage: node ports.mjs --owner PID   (PID: a living process that will use the port)');
    process.exit(2);
  }
  console.log(await reservePort({ owner }));
}
