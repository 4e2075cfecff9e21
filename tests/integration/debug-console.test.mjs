// The all-in-one server's debug console over real sockets: what the edge's I/O threads know about a
// connection reaches the console (its origin on connect; on disconnect the close code and reason of a
// close the client started, of one the server started for a protocol violation, and of a connection
// that just went away), and a console's channel filter keeps the rest out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openConsole } from './lib/console.mjs';
import { RawClient, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually } from './lib/wait.mjs';

const PASSWORD = 'debug-console-password';
const server = useServer({ env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD } });

const row = (events, kind, socketId) => events.find((e) => e.kind === kind && e.socket_id === socketId);

test('connect and disconnect rows carry the origin and the close code and reason', async () => {
  const console_ = await openConsole(server, PASSWORD, { app: server.apps.main.id });
  try {
    const polite = await RawClient.open(server, { origin: 'https://shop.example' });
    const connected = await eventually(() => row(console_.events, 'connected', polite.socketId), {
      ms: 2000,
      what: 'the connected row',
    });
    assert.equal(connected.detail, 'https://shop.example');
    assert.equal(connected.node, '');
    polite.close(4000);
    await polite.closed;
    const left = await eventually(() => row(console_.events, 'disconnected', polite.socketId), {
      ms: 2000,
      what: 'the disconnected row of a client close',
    });
    assert.equal(left.code, 4000);
    assert.equal(left.detail, 'closed by the client');

    const binary = await RawClient.open(server);
    binary.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await binary.closed).code, 1003);
    const refused = await eventually(() => row(console_.events, 'disconnected', binary.socketId), {
      ms: 2000,
      what: 'the disconnected row of a server close',
    });
    assert.equal(refused.code, 1003);
    assert.equal(refused.detail, 'Binary messages are not supported');

    const vanished = await RawClient.open(server);
    vanished.ws.terminate();  // no close frame
    const gone = await eventually(() => row(console_.events, 'disconnected', vanished.socketId), {
      ms: 2000,
      what: 'the disconnected row of a dropped connection',
    });
    assert.equal(gone.code, 0);
  } finally {
    await console_.close();
  }
});

test('a channel filter shows that channel only, and no connection rows', async () => {
  const channel = uniqueName('watched-');
  const console_ = await openConsole(server, PASSWORD, { app: server.apps.main.id, channel: `${channel}*` });
  try {
    const client = await RawClient.open(server);
    await client.subscribeOk(`${channel}-a`);
    await client.subscribeOk(uniqueName('other-'));
    await eventually(() => console_.events.some((e) => e.kind === 'subscribed'), { ms: 2000, what: 'the subscribed row' });
    client.close();
    await client.closed;
    await eventually(() => console_.events.some((e) => e.kind === 'unsubscribed'), { ms: 2000, what: 'the unsubscribed row' });
    assert.deepEqual(
      console_.events.map((e) => `${e.kind} ${e.channel}`),
      [`subscribed ${channel}-a`, `unsubscribed ${channel}-a`],
    );
  } finally {
    await console_.close();
  }
});
