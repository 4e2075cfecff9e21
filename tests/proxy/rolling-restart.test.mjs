// Restarts nobody notices (issue 10): Caddy from deploy/proxy/Caddyfile with active health checks on
// /ready every 250 ms and no retries (Caddy's default, kept by the recipe) in front of two edges; 60
// pusher-js clients over wss:// and 20 events/s published with the SDK over https://; each edge
// restarted in turn. First with the edges' shutdown delay at 0 (the "before": figures printed, only
// required to run), then with server.shutdown_delay_ms = 3 health intervals (asserted: zero failed
// handshakes, every client back within 2 s and connected at the end, no duplicate, missed events only
// those published while that client was reconnecting). Then the same through the nginx recipe (no
// active checks: refused handshakes go to the other edge). SIGTERM goes out just after one of Caddy's
// health checks, a whole interval before it can notice. Figures are printed as `# ...` lines.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startCaddy, startNginx } from './lib/proxies.mjs';
import { describeRun, rollingRestart } from './lib/rolling.mjs';
import { figure, useProxySuite } from './lib/suite.mjs';

const HEALTH_INTERVAL_MS = 250;
const SHUTDOWN_DELAY_MS = 3 * HEALTH_INTERVAL_MS;
const CLIENTS = 60;
const RATE = 20;
const MAX_DISCONNECT_MS = 2000;

let proxy;
let nginx;
const suite = useProxySuite({
  async start({ ca, cluster }) {
    proxy = await startCaddy({ ca, cluster, healthIntervalMs: HEALTH_INTERVAL_MS });
    nginx = await startNginx({ ca, cluster });
  },
  async stop() {
    await Promise.allSettled([proxy?.stop(), nginx?.stop()]);
  },
});

const scenario = { suite, clients: CLIENTS, rate: RATE, healthIntervalMs: HEALTH_INTERVAL_MS };

/** What a restart nobody notices means, asserted on the figures of one run. */
function assertUnnoticed(run) {
  for (const restart of run.restarts) {
    assert.ok(restart.connections > 0, `edge ${restart.edge} had clients when it was restarted`);
    assert.equal(restart.readyAfterSigterm, 503, `edge ${restart.edge}: /ready answers 503 during the delay`);
    assert.equal(restart.exit.code, 0);
  }
  assert.equal(run.publishFailures, 0, 'every publish through the proxy answered 200');
  assert.equal(run.handshakes.failed, 0, `failed WebSocket handshakes: ${JSON.stringify(run.handshakes.reasons)}`);
  assert.equal(run.unavailable, 0, 'no client went unavailable or failed');
  assert.equal(run.endConnected, CLIENTS, 'every client ends connected');
  assert.equal(run.clientsWithGap, CLIENTS, 'every client was moved at least once (the restarts touched everyone)');
  assert.ok(run.longestSubscribedMs <= MAX_DISCONNECT_MS, `longest disconnect ${run.longestSubscribedMs} ms (until resubscribed)`);
  assert.equal(run.duplicates, 0, 'no event delivered twice');
  assert.equal(run.missedOtherwise, 0, 'events missed only while the client was reconnecting');
}

it('before: edges without a shutdown delay (figures only)', async () => {
  // The edges being stopped here run with shutdown_delay_ms 0; their replacements get the delay.
  const run = await rollingRestart({
    ...scenario,
    proxy,
    label: 'shutdown_delay_ms 0',
    restartServer: { shutdown_delay_ms: SHUTDOWN_DELAY_MS },
  });
  figure(describeRun(run));
  assert.ok(run.published > 0 && run.restarts.length === 2);
});

it(`after: edges with shutdown_delay_ms ${SHUTDOWN_DELAY_MS}: nobody notices beyond a reconnect`, async () => {
  const run = await rollingRestart({
    ...scenario,
    proxy,
    label: `shutdown_delay_ms ${SHUTDOWN_DELAY_MS}, Caddy health_interval ${HEALTH_INTERVAL_MS}ms, no retries`,
    restartServer: { shutdown_delay_ms: SHUTDOWN_DELAY_MS },
  });
  figure(describeRun(run));
  assertUnnoticed(run);
});

it('nginx recipe (passive checks, refused handshakes passed to the next edge), same edges: unnoticed too', async () => {
  const run = await rollingRestart({
    ...scenario,
    proxy: nginx,
    label: `nginx, shutdown_delay_ms ${SHUTDOWN_DELAY_MS}`,
    restartServer: { shutdown_delay_ms: SHUTDOWN_DELAY_MS },
  });
  figure(describeRun(run));
  assertUnnoticed(run);
});
