// Loopback ports for the servers, proxies and Redis instances the suites start, unique across every
// test process of a run (ctest -j2 runs two suites at once) and, where the kernel's settings allow,
// never an ephemeral one.
//
// Why not "bind port 0, read it, close": the kernel may offer the same port to the next probe, in this
// process or in the suite running beside it, and it hands ports of that range to outgoing connections
// too, so a port read that way can be taken before the child binds it. (Seen: caddy's admin endpoint
// and its HTTPS listener on one port.) Ports here come from outside the ephemeral range, and each is
// claimed with a lock file that names its owner's pid: a port stays claimed while that process
// lives, and is handed out again only once it has gone. The locks are per user (another user's
// processes are kept apart only by the bind check).
import { linkSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const LOCK_DIR = join(tmpdir(), `resound-test-ports-${process.getuid?.() ?? 'user'}`);
const LOWEST = 10000; // below: well-known and registered services more often listen
const HIGHEST = 65535;
const ENOUGH = 1000;
const ATTEMPTS = 200;

/**
 * [first, last] of the ports handed out: from LOWEST to just below the ephemeral range, else from just
 * above it (a range tuned to start low), else, with a warning, LOWEST to HIGHEST (a range covering
 * nearly everything: the kernel may then give one of ours to an outgoing connection).
 */
export function portRange() {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    // Not Linux: keep the kernel's usual default.
  }
  if (low - 1 - LOWEST >= ENOUGH) return [LOWEST, low - 1];
  if (HIGHEST - (high + 1) >= ENOUGH) return [Math.max(LOWEST, high + 1), HIGHEST];
  if (!portRange.warned) {
    portRange.warned = true;
    console.warn(`ports: the ephemeral range ${low}-${high} leaves too few ports outside it; using ${LOWEST}-${HIGHEST}`);
  }
  return [LOWEST, HIGHEST];
}

/** Whether a process `pid` exists (owned by anyone). */
export function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM'; // exists, owned by someone else
  }
}

const lockPath = (port) => join(LOCK_DIR, String(port));

/** The pid a lock file names, or null when it has gone meanwhile. */
function holderOf(path) {
  try {
    return Number(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
}

let renames = 0;

/**
 * Removes `port`'s lock only if it still names `expected`. Read-then-remove would race: between the
 * read and the remove another process may have replaced a dead owner's lock with its own. So the lock
 * is first moved aside (one mover wins), read there, and put back if it turned out to be another's.
 */
function removeLockOf(port, expected) {
  const aside = join(LOCK_DIR, `.aside-${process.pid}-${port}-${(renames += 1)}`);
  try {
    renameSync(lockPath(port), aside);
  } catch (error) {
    if (error.code === 'ENOENT') return false;
    throw error;
  }
  try {
    if (holderOf(aside) === expected) return true;
    try {
      linkSync(aside, lockPath(port)); // not the one we meant: give it back
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    return false;
  } finally {
    rmSync(aside, { force: true });
  }
}

/** Claims `port` for `owner` unless a living process holds it. Returns whether it is now ours. */
function claim(port, owner) {
  // Written aside and linked into place, so a lock is never seen without its owner's pid.
  const draft = join(LOCK_DIR, `.draft-${process.pid}-${port}`);
  writeFileSync(draft, String(owner));
  try {
    for (let tries = 0; tries < 2; tries += 1) {
      try {
        linkSync(draft, lockPath(port));
        return true;
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      const holder = holderOf(lockPath(port));
      if (holder !== null && alive(holder)) return false;
      // Its owner has gone (crashed, or killed at a timeout); take it over only if nobody else did.
      if (holder !== null && !removeLockOf(port, holder)) return false;
    }
    return false;
  } finally {
    rmSync(draft, { force: true });
  }
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
    const holder = holderOf(join(LOCK_DIR, name));
    if (holder !== null && !alive(holder)) removeLockOf(Number(name), holder);
  }
}

const ours = new Set();
let cleanupInstalled = false;
let swept = false;

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.once('exit', () => {
    for (const port of ours) removeLockOf(port, process.pid);
  });
}

/**
 * A free loopback port, claimed until `owner` exits (this process by default; its locks are removed
 * when it exits, and a crashed owner's are taken over). Throws after ATTEMPTS tries.
 */
export async function reservePort({ owner = process.pid } = {}) {
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o700 });
  if (!swept) {
    swept = true;
    sweepAbandoned();
  }
  const [first, last] = portRange();
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const port = first + Math.floor(Math.random() * (last - first + 1));
    if (ours.has(port) || !claim(port, owner)) continue;
    if (!(await bindable(port))) {
      removeLockOf(port, owner);
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
const runAsScript = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (runAsScript) {
  const at = process.argv.indexOf('--owner');
  const owner = Number(process.argv[at + 1]);
  if (at < 0 || !alive(owner)) {
    console.error('usage: node ports.mjs --owner PID   (PID: a living process that will use the port)');
    process.exit(2);
  }
  console.log(await reservePort({ owner }));
}
