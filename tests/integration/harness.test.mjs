// The harness's own checks, on a stand-in server (fixtures/stand-in-server.mjs) instead of a Resound
// binary: a sanitizer report in the output fails the stop even when it arrives cut in two, and a file
// whose first server fails its stop still stops its second one and ends, instead of hanging until
// ctest's timeout.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startServer } from './lib/server.mjs';
import { withTimeout } from './lib/wait.mjs';

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

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the test harness', () => {
  it('fails a stop when the output holds a sanitizer report, even one cut in two', async () => {
    const server = await startServer(standIn({ STAND_IN_SANITIZER_REPORT: '1' }));
    await withTimeout(
      new Promise((resolve) => {
        const poll = setInterval(() => {
          if (server.output.includes('heap-use-after-free')) resolve(clearInterval(poll));
        }, 20);
      }),
      3000,
      "the stand-in's report",
    );
    await assert.rejects(server.stop(), /sanitizer report in server output/);
  });

  it('passes a clean stop', async () => {
    const server = await startServer(standIn());
    await server.stop();
    assert.equal(server.exit.code, 0);
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
