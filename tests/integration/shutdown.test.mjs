// Graceful shutdown: SIGTERM tells WebSocket clients to reconnect (4200, not 4009 which would stop
// pusher-js from reconnecting), idle keep-alive HTTP connections do not hold the process, exit 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import { it } from 'node:test';
import { RawClient } from './lib/raw-client.mjs';
import { startServer } from './lib/server.mjs';

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
