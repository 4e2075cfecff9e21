// The harness's own checks, on a stand-in server (fixtures/stand-in-server.mjs) instead of a Resound
// binary: a sanitizer report in the output fails the stop even when it arrives cut in two, and a file
// whose first server fails its stop still stops its second one and ends, instead of hanging until
// ctest's timeout.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { alive, portRange } from './lib/ports.mjs';
import { startServer } from './lib/server.mjs';
import { eventually, withTimeout } from './lib/wait.mjs';

const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const standIn = (env = {}) => ({
  binary: process.execPath,
  name: 'stand-in',
  args: ({ port }) => [fixture('stand-in-server.mjs'), '--port', String(port)],
  env,
});

/** The pids of `parent`'s child processes (from /proc). */
function fileProcesses(parent) {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}


describe('the test harness', () => {
  it('fails a stop when the output holds a sanitizer report, even one cut in two', async () => {
    const server = await startServer(standIn({ STAND_IN_SANITIZER_REPORT: '1' }));
    try {
      await eventually(() => server.output.includes('ERROR: Address'), { ms: 3000, what: 'the first half' });
      assert.equal(server.sanitizerReport(), false, 'half a report is no report yet');
      server.signal('SIGUSR1');
      await eventually(() => server.output.includes('heap-use-after-free'), { ms: 3000, what: 'the second half' });
      await assert.rejects(server.stop(), /sanitizer report in server output/);
    } finally {
      await server.kill();
    }
  });

  it('passes a clean stop', async () => {
    const server = await startServer(standIn());
    await assert.doesNotReject(server.stop());
  });

  it('claims ports for a shell script while its owner lives, and clears a dead owner\'s lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    try {
      const locks = join(dir, `resound-test-ports-${process.getuid()}`);
      mkdirSync(locks);
      const [first, last] = portRange();
      const deadPid = 4194305; // above any pid_max: no such process
      const stale = String(first + 7);
      writeFileSync(join(locks, stale), String(deadPid));
      const cli = (owner) =>
        spawnSync(process.execPath, [fileURLToPath(new URL('./lib/ports.mjs', import.meta.url)), '--owner', String(owner)], {
          env: { ...process.env, TMPDIR: dir },
          encoding: 'utf8',
          timeout: 10000,
        });
      assert.equal(cli(deadPid).status, 2, 'a dead owner is refused');
      const claimed = cli(process.pid);
      assert.equal(claimed.status, 0, claimed.stderr);
      const port = Number(claimed.stdout.trim());
      assert.ok(port >= first && port <= last, `port ${claimed.stdout} in ${first}-${last}`);
      assert.equal(readFileSync(join(locks, String(port)), 'utf8'), String(process.pid), 'the lock names its owner');
      assert.ok(
        !existsSync(join(locks, stale)) || readFileSync(join(locks, stale), 'utf8') === String(process.pid),
        "the dead owner's lock was cleared",
      );
      assert.ok(alive(process.pid) && !alive(deadPid));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops a file's other servers when one fails its stop, and the file ends", async () => {
    // A run of its own: without NODE_TEST_CONTEXT, which would make it skip "recursive" files.
    const { NODE_TEST_CONTEXT, ...env } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', fixture('two-servers.fixture.mjs')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await withTimeout(new Promise((resolve) => child.once('exit', resolve)), 30000, 'the fixture file to end').catch(
      (error) => {
        // The runner's file process and the stand-ins it started outlive a killed runner: end them too.
        const started = output.match(/PIDS (\d+) (\d+)/)?.slice(1).map(Number) ?? [];
        for (const pid of [...started, ...fileProcesses(child.pid)]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        child.kill('SIGKILL');
        throw new Error(`${error.message}\n--- its output ---\n${output}`);
      },
    );
    assert.notEqual(code, 0, output);
    assert.match(output, /stand-in exited while tests were running \(killed by SIGKILL\)/);
    const pids = output.match(/PIDS (\d+) (\d+)/);
    assert.ok(pids, output);
    assert.equal(alive(Number(pids[2])), false, 'the second stand-in was stopped');
  });
});
