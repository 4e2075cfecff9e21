// Graceful shutdown: SIGTERM tells WebSocket clients to reconnect (4200, not 4009 which would stop
// pusher-js from reconnecting), idle keep-alive HTTP connections do not hold the process, exit 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { signedFetch } from './lib/http.mjs';
import { RawClient } from './lib/raw-client.mjs';
import { startServer } from './lib/server.mjs';
import { orAfter } from './lib/wait.mjs';

it('SIGTERM: clients get close 4200, an idle keep-alive HTTP connection does not delay exit, exit code 0', async () => {
  const server = await startServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const idle = await RawClient.open(server);
    const subscribed = await RawClient.open(server);
    await subscribed.subscribeOk('shutdown-channel');
    await new Promise((resolve, reject) => {
      http
        .get({ host: server.host, port: server.port, path: '/up', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });

    const started = Date.now();
    const stopped = server.stop(); // SIGTERM; rejects unless exit code 0 within 5 s and no sanitizer report
    for (const client of [idle, subscribed]) {
      const closed = await client.waitClosed(5000);
      assert.equal(closed.code, 4200, `close code on shutdown; messages: ${client.summary()}`);
    }
    await stopped;
    const took = Date.now() - started;
    assert.ok(took < 3000, `shutdown took ${took} ms`);
  } finally {
    agent.destroy();
    await server.closeTracked();
    await server.kill();
  }
});

// Lame duck (server.shutdown_delay_ms): a proxy that health-checks /ready must see the server leave
// before anyone is told to reconnect, or reconnecting clients land on a closed port (502s).
it('SIGTERM with shutdown_delay_ms: /ready 503 at once, serving and accepting through the delay, then 4200', async () => {
  const delayMs = 2500;
  const server = await startServer({ server: { shutdown_delay_ms: delayMs } });
  try {
    const early = await RawClient.open(server);
    await early.subscribeOk('lame-duck');

    const started = Date.now();
    const stopped = server.stop({ graceMs: 15000 });
    const ready = await pollUntil(async () => {
      const res = await fetch(`${server.httpUrl}/ready`, { signal: AbortSignal.timeout(1000) });
      return res.status === 503 ? res : null;
    }, 1000);
    assert.match(await ready.text(), /[Dd]raining/);
    const readyAfter = Date.now() - started;
    const health = await fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(1000) });
    assert.equal(health.status, 200, 'liveness stays 200 while draining');
    assert.equal((await health.json()).status, 'draining');

    // Still accepting, subscribing and delivering: a proxy may route a client here until it notices.
    const late = await RawClient.open(server);
    await late.subscribeOk('lame-duck');
    const published = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ name: 'still-serving', channel: 'lame-duck', data: '{"n":1}' }),
    });
    assert.equal(published.status, 200, published.body);
    for (const client of [early, late]) await client.nextEvent('still-serving', 'lame-duck');
    assert.ok(Date.now() - started < delayMs, 'the checks above ran inside the delay; lengthen it if this fails');

    for (const client of [early, late]) {
      const closed = await client.waitClosed(delayMs + 5000);
      assert.equal(closed.code, 4200, `close code after the delay; messages: ${client.summary()}`);
    }
    const closedAfter = Date.now() - started;
    assert.ok(closedAfter >= delayMs - 100, `clients were closed after ${closedAfter} ms, before the ${delayMs} ms delay`);
    await stopped;
    console.log(`# lame duck: /ready 503 after ${readyAfter} ms, clients told to reconnect after ${closedAfter} ms`);
  } finally {
    await server.closeTracked();
    await server.kill();
  }
});

it('SIGINT skips the shutdown delay (a person at a terminal), exit code 0', async () => {
  const server = await startServer({ server: { shutdown_delay_ms: 60000 } });
  try {
    const client = await RawClient.open(server);
    const started = Date.now();
    server.deathExpected = true; // stopped here by SIGINT; stop() below then checks only for sanitizer reports
    server.process.kill('SIGINT');
    const closed = await client.waitClosed(5000);
    assert.equal(closed.code, 4200);
    const exit = await orAfter(server.exited, 5000);
    assert.ok(exit, 'no exit within 5 s of SIGINT');
    assert.equal(exit.code, 0, `exit after SIGINT: ${server.describeExit()}`);
    assert.ok(Date.now() - started < 5000);
    await server.stop();
  } finally {
    await server.kill();
  }
});

async function pollUntil(probe, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const result = await probe().catch(() => null);
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(20);
  }
}
