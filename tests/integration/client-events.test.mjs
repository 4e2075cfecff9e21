// Client events (whispers): relayed between members of private and presence channels, never
// echoed, user_id added on presence; refused on public channels, for non-members, when the app
// disables them, and beyond the per-connection rate limit.
//
// Error codes chosen (docs/protocol.md §1.9, §1.13): every refusal is a pusher:error on the sender's
// connection, which stays open. Rate limiting is 4301. For a public channel, a channel the sender
// has not joined and an app with client events off, Pusher documents no single code: the tests
// accept 4301 ("client event rejected") or 4009 ("not authorized") and check it is one of them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertServerServes, echo, serverSdk, whenSubscribed } from './lib/clients.mjs';
import { RawClient, errorOf, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually, sleep, withTimeout } from './lib/wait.mjs';

const server = useServer();
const QUIET_MS = 600;
const REFUSAL_CODES = [4301, 4009];

/** Two raw clients of `app` subscribed (signed) to `channel`; presence channels get user ids. */
async function pair(channel, app = server.apps.main) {
  const sdk = serverSdk(server, app);
  const clients = [];
  for (const id of ['sender', 'receiver']) {
    const client = await RawClient.open(server, { key: app.key });
    const presence = channel.startsWith('presence-') ? { user_id: id } : undefined;
    if (channel.startsWith('private-') || channel.startsWith('presence-')) {
      await client.subscribeSigned(sdk, channel, presence);
    } else {
      await client.subscribeOk(channel);
    }
    clients.push(client);
  }
  return clients;
}

async function expectRefused(sender, receiver, channel) {
  sender.send({ event: 'client-nope', channel, data: { x: 1 } });
  const error = await sender.nextEvent('pusher:error');
  assert.ok(REFUSAL_CODES.includes(errorOf(error).code), `refusal code should be 4301 or 4009: ${error.raw}`);
  await receiver?.expectNothing((m) => m.event === 'client-nope', QUIET_MS, 'a refused client event');
  await sender.roundTrip();
  await assertServerServes(server);
}

describe('whisper through Laravel Echo', () => {
  it('private channel: the other member gets it, the sender does not', async () => {
    const room = uniqueName('chat.');
    const alice = await echo(server, { user: { id: 1, info: { name: 'Alice' } } });
    const bob = await echo(server, { broadcaster: 'pusher', user: { id: 2, info: { name: 'Bob' } } });
    const aliceChannel = alice.private(room);
    const bobChannel = bob.private(room);
    await whenSubscribed(alice.connector.pusher.channel(`private-${room}`));
    await whenSubscribed(bob.connector.pusher.channel(`private-${room}`));
    let echoed = 0;
    aliceChannel.listenForWhisper('typing', () => (echoed += 1));
    const received = new Promise((resolve) => bobChannel.listenForWhisper('typing', resolve));
    aliceChannel.whisper('typing', { name: 'Alice', typing: true });
    assert.deepEqual(await withTimeout(received, 3000, "Bob's whisper"), { name: 'Alice', typing: true });
    await sleep(QUIET_MS);
    assert.equal(echoed, 0, 'the whisper was echoed to its sender');
  });

  it("presence channel: delivered with the sender's user_id", async () => {
    const room = uniqueName('lobby.');
    const alice = await echo(server, { user: { id: 1, info: { name: 'Alice' } } });
    const bob = await echo(server, { user: { id: 2, info: { name: 'Bob' } } });
    const aliceChannel = alice.join(room);
    const bobChannel = bob.join(room);
    await whenSubscribed(alice.connector.pusher.channel(`presence-${room}`));
    await whenSubscribed(bob.connector.pusher.channel(`presence-${room}`));
    const received = new Promise((resolve) => bobChannel.listenForWhisper('wave', (data, meta) => resolve({ data, meta })));
    aliceChannel.whisper('wave', { hand: 'left' });
    const { data, meta } = await withTimeout(received, 3000, "Bob's whisper");
    assert.deepEqual(data, { hand: 'left' });
    assert.equal(String(meta?.user_id), '1', `metadata: ${JSON.stringify(meta)}`);
  });
});

describe('client events on the wire', () => {
  it('presence: relayed with a top-level string user_id, data as sent', async () => {
    const channel = uniqueName('presence-wire.');
    const [sender, receiver] = await pair(channel);
    sender.send({ event: 'client-move', channel, data: { x: 3, y: 4 } });
    const relayed = await receiver.nextEvent('client-move', channel);
    assert.equal(relayed.user_id, 'sender', relayed.raw);
    assert.deepEqual(typeof relayed.data === 'string' ? JSON.parse(relayed.data) : relayed.data, { x: 3, y: 4 });
    await sender.expectNothing((m) => m.event === 'client-move', QUIET_MS, 'an echo of its own client event');
  });

  it('private: relayed to every other member exactly once, no user_id', async () => {
    const channel = uniqueName('private-wire.');
    const [sender, receiver] = await pair(channel);
    const third = await RawClient.open(server);
    await third.subscribeSigned(serverSdk(server), channel);
    sender.send({ event: 'client-note', channel, data: 'just a string' });
    for (const client of [receiver, third]) {
      const relayed = await client.nextEvent('client-note', channel);
      assert.equal(relayed.data, 'just a string');
      assert.equal(relayed.user_id, undefined);
    }
    await receiver.expectNothing((m) => m.event === 'client-note', QUIET_MS, 'a duplicate');
  });
});

describe('refused client events', () => {
  it('on a public channel: pusher:error, not relayed', async () => {
    const channel = uniqueName('public-chat.');
    const [sender, receiver] = await pair(channel);
    await expectRefused(sender, receiver, channel);
  });

  it('on a channel the sender has not subscribed to: pusher:error, not relayed', async () => {
    const channel = uniqueName('private-members-only.');
    const [, receiver] = await pair(channel);
    const outsider = await RawClient.open(server);
    await expectRefused(outsider, receiver, channel);
  });

  it('when the app has client_events: none: pusher:error, not relayed', async () => {
    const channel = uniqueName('private-quiet.');
    const [sender, receiver] = await pair(channel, server.apps.noClientEvents);
    await expectRefused(sender, receiver, channel);
  });

  it('beyond client_event_rate_limit per second: 4301 for the excess, the rest delivered', async () => {
    const limit = server.apps.main.client_event_rate_limit;
    const burst = 2 * limit;
    const channel = uniqueName('private-burst.');
    const [sender, receiver] = await pair(channel);
    const sentAt = Date.now();
    for (let i = 0; i < burst; i += 1) sender.send({ event: 'client-burst', channel, data: { i } });
    const delivered = () => receiver.messages.filter((m) => m.event === 'client-burst').length;
    const rejections = () =>
      sender.messages.filter((m) => m.event === 'pusher:error' && errorOf(m).code === 4301).length;
    await eventually(() => delivered() + rejections() >= burst, { ms: 3000, what: 'every burst event delivered or refused' }).catch(
      () => {}, // the assertions below report the counts
    );
    await sleep(300); // nothing more should trickle in
    const [d, rejected] = [delivered(), rejections()];
    assert.ok(rejected >= 1, `no 4301 after ${burst} client events in a burst (delivered ${d})`);
    assert.ok(d >= 1, 'nothing delivered');
    assert.ok(d <= limit, `${d} delivered within a second, limit ${limit}`);
    assert.equal(d + rejected, burst, `delivered ${d} + rejected ${rejected} != sent ${burst}`);
    assert.ok(sender.isOpen, 'rate limiting closed the connection');
    // A second later the allowance is back.
    await sleep(Math.max(0, sentAt + 1100 - Date.now()));
    sender.send({ event: 'client-later', channel, data: {} });
    await receiver.nextEvent('client-later', channel);
  });
});
