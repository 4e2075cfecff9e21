// Many clients at once, so that connections land on different I/O threads (the server runs with
// io_threads: 2): broadcast, presence membership, client events and termination must not depend
// on which thread a connection lives on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import net from 'node:net';
import { assertServerServes, serverSdk } from './lib/clients.mjs';
import { FrameSocket, OP, encodeFrame } from './lib/frames.mjs';
import { RawClient, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';

const server = useServer();
const CLIENTS = 24;

const openMany = (count, options) => Promise.all(Array.from({ length: count }, () => RawClient.open(server, options)));

describe('across I/O threads', () => {
  it(`${CLIENTS} subscribers each receive every event once and in publish order`, async () => {
    const channel = uniqueName('fanout-');
    const clients = await openMany(CLIENTS);
    await Promise.all(clients.map((c) => c.subscribeOk(channel)));
    const sdk = serverSdk(server);
    for (let i = 0; i < 5; i += 1) await sdk.trigger(channel, 'seq', { i });
    await sdk.trigger(channel, 'end', {});
    for (const client of clients) {
      await client.nextEvent('end', channel, { timeout: 5000 });
      const seen = client.messages.filter((m) => m.event === 'seq').map((m) => JSON.parse(m.data).i);
      assert.deepEqual(seen, [0, 1, 2, 3, 4], `socket ${client.socketId}`);
    }
  });

  it('presence: every member sees every later join, and the last joiner sees everyone', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-crowd.');
    const members = [];
    for (let i = 0; i < 12; i += 1) {
      const client = await RawClient.open(server);
      const reply = await client.subscribeSigned(sdk, channel, { user_id: `m${i}` });
      assert.equal(JSON.parse(reply.data).presence.count, i + 1, reply.raw);
      members.push(client);
    }
    for (let i = 0; i < members.length; i += 1) {
      for (let j = i + 1; j < members.length; j += 1) {
        const added = await members[i].next(
          (m) => m.event === 'pusher_internal:member_added' && JSON.parse(m.data).user_id === `m${j}`,
          { what: `member_added m${j} at m${i}` },
        );
        assert.equal(added.channel, channel);
      }
    }
    await members.at(-1).close();
    for (const client of members.slice(0, -1)) {
      await client.next((m) => m.event === 'pusher_internal:member_removed' && JSON.parse(m.data).user_id === 'm11', {
        what: 'member_removed m11',
      });
    }
  });

  it('a client event reaches every other member', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('private-room.');
    const clients = await openMany(10);
    for (const client of clients) await client.subscribeSigned(sdk, channel);
    clients[0].send({ event: 'client-hello', channel, data: { from: 0 } });
    for (const client of clients.slice(1)) await client.nextEvent('client-hello', channel);
  });

  it('terminate_connections reaches all of a user\'s sockets', async () => {
    const sdk = serverSdk(server);
    const user = uniqueName('many-tabs-');
    const tabs = await openMany(6);
    for (const tab of tabs) assert.equal((await tab.signin(sdk, { id: user })).event, 'pusher:signin_success');
    await sdk.terminateUserConnections(user);
    await Promise.all(tabs.map((tab) => tab.waitClosed(3000)));
  });

  it('clients vanishing mid-handshake, mid-frame and mid-broadcast do not disturb the others', async () => {
    const channel = uniqueName('chaos-');
    // Half-written upgrade requests and half-written frames, then the TCP connection drops.
    for (let i = 0; i < 5; i += 1) {
      const socket = server.track(net.connect(server.port, server.host));
      socket.on('error', () => {});
      socket.write(`GET /app/${server.apps.main.key}?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n`);
      const framed = await FrameSocket.open(server);
      framed.socket.write(encodeFrame({ opcode: OP.text, payload: 'x'.repeat(500) }).subarray(0, 100));
      setTimeout(() => {
        socket.destroy();
        framed.close();
      }, 20 * i);
    }
    // Subscribers, half of which disconnect abruptly while events are being published.
    const clients = await openMany(16);
    await Promise.all(clients.map((c) => c.subscribeOk(channel)));
    const [leaving, staying] = [clients.slice(0, 8), clients.slice(8)];
    const sdk = serverSdk(server);
    const publishes = Array.from({ length: 30 }, (_, i) => sdk.trigger(channel, 'storm', { i }));
    leaving.forEach((c, i) => setTimeout(() => c.ws.terminate(), 2 * i));
    await Promise.all(publishes);
    await sdk.trigger(channel, 'calm', {});
    for (const client of staying) {
      await client.nextEvent('calm', channel, { timeout: 5000 });
      const seen = client.messages.filter((m) => m.event === 'storm').map((m) => JSON.parse(m.data).i);
      assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    }
    await assertServerServes(server);
  });
});
