// Subscribing: public, private, presence (per-user membership), encrypted and cache channels,
// auth failures and invalid names, unsubscribing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertServerServes,
  deferredEvent,
  echo,
  pusherJs,
  serverSdk,
  whenSubscribed,
} from './lib/clients.mjs';
import { RawClient, dataOf, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually, sleep, withTimeout } from './lib/wait.mjs';

const server = useServer();
const QUIET_MS = 700; // how long "nothing arrives" is watched for

/** Publishes through the HTTP API and checks the response status. */
async function publish(channel, event, data) {
  const res = await serverSdk(server).trigger(channel, event, data);
  assert.equal(res.status, 200);
}

describe('public channels', () => {
  it('subscribe → subscription_succeeded with the channel and string data', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('public-');
    const reply = await client.subscribe(channel);
    assert.equal(reply.event, 'pusher_internal:subscription_succeeded', reply.raw);
    assert.equal(reply.channel, channel);
    assert.equal(typeof reply.data, 'string', `data must be a JSON string: ${reply.raw}`);
  });

  it('subscribing twice is idempotent: succeeds again, events still arrive once', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('twice-');
    await client.subscribeOk(channel);
    await client.subscribeOk(channel);
    await publish(channel, 'once', { n: 1 });
    await client.nextEvent('once', channel);
    await client.expectNothing((m) => m.event === 'once', QUIET_MS, 'second copy of the event');
  });

  it('pusher-js receives events on a public channel', async () => {
    const pusher = await pusherJs(server);
    const channel = await whenSubscribed(pusher.subscribe(uniqueName('pjs-')));
    const got = deferredEvent(channel, 'greeting');
    await publish(channel.name, 'greeting', { hello: 'world' });
    assert.deepEqual(await got, { hello: 'world' });
  });
});

describe('private channels', () => {
  it('pusher-js with a valid signature subscribes and receives events', async () => {
    const pusher = await pusherJs(server);
    const channel = await whenSubscribed(pusher.subscribe(uniqueName('private-orders.')));
    const got = deferredEvent(channel, 'shipped');
    await publish(channel.name, 'shipped', { id: 7 });
    assert.deepEqual(await got, { id: 7 });
  });

  it('Laravel Echo .error() fires on a bad signature, and the connection stays usable', async () => {
    const badSigner = serverSdk(server, { ...server.apps.main, secret: 'not-the-secret' });
    const e = await echo(server, { signer: badSigner });
    const name = uniqueName('orders.');
    const failure = new Promise((resolve) => e.private(name).error(resolve));
    const error = await withTimeout(failure, 5000, 'Echo .error() callback');
    assert.ok(error, 'error callback received no payload');
    const pusher = e.connector.pusher;
    assert.equal(pusher.connection.state, 'connected');
    assert.equal(pusher.channel(`private-${name}`)?.subscribed ?? false, false);
    // The same connection can still subscribe to a public channel and receive events.
    const channelName = uniqueName('after-error-');
    const received = new Promise((resolve) => e.channel(channelName).listen('.ping', resolve));
    await whenSubscribed(pusher.channel(channelName));
    await publish(channelName, 'ping', { ok: 1 });
    assert.deepEqual(await withTimeout(received, 3000, 'event after a failed subscription'), { ok: 1 });
  });

  const badAuths = {
    'no auth at all': () => undefined,
    'a wrong signature': (c, ch) => `${server.apps.main.key}:${'0'.repeat(64)}`,
    "another socket's signature": (c, ch) => serverSdk(server).authorizeChannel('1234.5678', ch).auth,
    'a valid signature under another app key': (c, ch) =>
      `${server.apps.other.key}:${serverSdk(server).authorizeChannel(c.socketId, ch).auth.split(':')[1]}`,
    "another app's signature": (c, ch) => serverSdk(server, server.apps.other).authorizeChannel(c.socketId, ch).auth,
  };
  for (const [label, makeAuth] of Object.entries(badAuths)) {
    it(`${label}: pusher:subscription_error on that channel, connection stays open`, async () => {
      const client = await RawClient.open(server);
      const channel = uniqueName('private-bad.');
      const reply = await client.subscribe(channel, { auth: makeAuth(client, channel) });
      assert.equal(reply.event, 'pusher:subscription_error', reply.raw);
      assert.equal(reply.channel, channel);
      const data = dataOf(reply);
      assert.equal(typeof data, 'object', `subscription_error data: ${reply.raw}`);
      assert.equal(typeof data.status, 'number', `subscription_error without status: ${reply.raw}`);
      await publish(channel, 'leak', { secret: true });
      await client.expectNothing((m) => m.event === 'leak', QUIET_MS, 'event on a refused channel');
      await client.roundTrip();
      await assertServerServes(server);
    });
  }
});

describe('presence channels', () => {
  const member = (id, name) => ({ user_id: id, user_info: { name } });

  it('Laravel Echo join(): here, joining and leaving', async () => {
    const room = uniqueName('room.');
    const alice = await echo(server, { user: { id: 1, info: { name: 'Alice' } } });
    const aliceHere = new Promise((resolve) => {
      const ch = alice.join(room);
      ch.here(resolve);
    });
    const joined = new Promise((resolve) => alice.join(room).joining(resolve));
    const left = new Promise((resolve) => alice.join(room).leaving(resolve));
    assert.deepEqual(await withTimeout(aliceHere, 5000, 'Alice here()'), [{ name: 'Alice' }]);

    const bob = await echo(server, { broadcaster: 'pusher', user: { id: 2, info: { name: 'Bob' } } });
    const bobHere = new Promise((resolve) => bob.join(room).here(resolve));
    const here = await withTimeout(bobHere, 5000, 'Bob here()');
    assert.deepEqual(here.map((m) => m.name).sort(), ['Alice', 'Bob']);
    assert.deepEqual(await withTimeout(joined, 5000, 'Alice joining()'), { name: 'Bob' });

    bob.leave(room);
    assert.deepEqual(await withTimeout(left, 5000, 'Alice leaving()'), { name: 'Bob' });
    const members = alice.connector.pusher.channel(`presence-${room}`).members;
    assert.equal(members.count, 1);
  });

  it('Laravel Echo: a user in two tabs joins once and leaves when the last tab leaves', async () => {
    const room = uniqueName('tabs.');
    const alice = await echo(server, { user: { id: 1, info: { name: 'Alice' } } });
    const joins = [];
    const leaves = [];
    const aliceChannel = alice.join(room).joining((m) => joins.push(m)).leaving((m) => leaves.push(m));
    await whenSubscribed(alice.connector.pusher.channel(`presence-${room}`));
    const tabs = [];
    for (let i = 0; i < 2; i += 1) {
      const tab = await echo(server, { user: { id: 2, info: { name: 'Bob' } } });
      tab.join(room);
      await whenSubscribed(tab.connector.pusher.channel(`presence-${room}`));
      tabs.push(tab);
    }
    await eventually(() => joins.length >= 1, { what: 'Alice joining() for Bob' });
    await sleep(QUIET_MS);
    assert.deepEqual(joins, [{ name: 'Bob' }], 'joining() must fire once for a user with two tabs');
    assert.equal(aliceChannel.subscription.members.count, 2);

    tabs[0].leave(room);
    await sleep(QUIET_MS);
    assert.deepEqual(leaves, [], 'leaving() fired while Bob still had a tab in the room');
    tabs[1].disconnect();
    await eventually(() => leaves.length >= 1, { what: 'Alice leaving() for Bob' });
    assert.deepEqual(leaves, [{ name: 'Bob' }]);
    assert.equal(aliceChannel.subscription.members.count, 1);
  });

  it('subscription_succeeded carries ids, hash and count including the subscriber', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-hash.');
    const first = await RawClient.open(server);
    await first.subscribeSigned(sdk, channel, member('u-1', 'One'));
    const second = await RawClient.open(server);
    const reply = await second.subscribeSigned(sdk, channel, member('u-2', 'Two'));
    assert.equal(typeof reply.data, 'string', `data must be a JSON string: ${reply.raw}`);
    const { presence } = JSON.parse(reply.data);
    assert.equal(presence.count, 2, reply.raw);
    assert.deepEqual(presence.hash, { 'u-1': { name: 'One' }, 'u-2': { name: 'Two' } });
    assert.deepEqual([...presence.ids].map(String).sort(), ['u-1', 'u-2']);
    const self = (m) => m.event === 'pusher_internal:member_added' && JSON.parse(m.data).user_id === 'u-2';
    await first.next(self, { what: 'member_added u-2 at u-1' });
    await second.expectNothing(self, QUIET_MS, 'member_added about itself');
  });

  it('numeric user_id: hash keyed by its string form, member_added carries it', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-numeric.');
    const observer = await RawClient.open(server);
    await observer.subscribeSigned(sdk, channel, member('observer', 'O'));
    const numeric = await RawClient.open(server);
    const reply = await numeric.subscribeSigned(sdk, channel, member(42, 'Forty-two'));
    const { presence } = JSON.parse(reply.data);
    assert.deepEqual(presence.hash['42'], { name: 'Forty-two' }, reply.raw);
    assert.equal(presence.count, 2);
    const added = await observer.nextEvent('pusher_internal:member_added', channel);
    assert.equal(typeof added.data, 'string', added.raw);
    const data = JSON.parse(added.data);
    assert.equal(String(data.user_id), '42');
    assert.deepEqual(data.user_info, { name: 'Forty-two' });
  });

  it('the same user on two sockets counts once: one member_added, member_removed after the last leaves', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-dedup.');
    const observer = await RawClient.open(server);
    await observer.subscribeSigned(sdk, channel, member('watcher', 'W'));

    const tab1 = await RawClient.open(server);
    await tab1.subscribeSigned(sdk, channel, member('dup', 'Dup'));
    const added = await observer.nextEvent('pusher_internal:member_added', channel);
    assert.equal(JSON.parse(added.data).user_id, 'dup');

    const tab2 = await RawClient.open(server);
    const reply = await tab2.subscribeSigned(sdk, channel, member('dup', 'Dup'));
    const { presence } = JSON.parse(reply.data);
    assert.equal(presence.count, 2, `two distinct users (watcher, dup): ${reply.raw}`);
    assert.deepEqual(Object.keys(presence.hash).sort(), ['dup', 'watcher']);
    await observer.expectNothing((m) => m.event === 'pusher_internal:member_added', QUIET_MS, 'second member_added');
    assert.equal((await httpUsers(channel)).length, 2);

    tab1.send({ event: 'pusher:unsubscribe', data: { channel } });
    await observer.expectNothing((m) => m.event === 'pusher_internal:member_removed', QUIET_MS, 'early member_removed');

    await tab2.close(); // the last socket of that user goes away by disconnecting
    const removed = await observer.nextEvent('pusher_internal:member_removed', channel);
    assert.equal(typeof removed.data, 'string', removed.raw);
    assert.equal(JSON.parse(removed.data).user_id, 'dup');
  });

  it('disconnecting removes the user from every presence channel it was in', async () => {
    const sdk = serverSdk(server);
    const rooms = [uniqueName('presence-a.'), uniqueName('presence-b.')];
    const observers = [];
    for (const room of rooms) {
      const observer = await RawClient.open(server);
      await observer.subscribeSigned(sdk, room, member('observer', 'O'));
      observers.push(observer);
    }
    const roamer = await RawClient.open(server);
    for (const room of rooms) await roamer.subscribeSigned(sdk, room, member('roamer', 'R'));
    await roamer.close();
    for (const [i, room] of rooms.entries()) {
      const removed = await observers[i].nextEvent('pusher_internal:member_removed', room);
      assert.equal(JSON.parse(removed.data).user_id, 'roamer');
    }
    assert.equal((await httpUsers(rooms[0])).length, 1);
  });

  it('channel_data other than the signed one is refused', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('presence-forged.');
    const signed = serverSdk(server).authorizeChannel(client.socketId, channel, member('honest', 'H'));
    const forged = JSON.stringify(member('admin', 'A'));
    const reply = await client.subscribe(channel, { auth: signed.auth, channel_data: forged });
    assert.equal(reply.event, 'pusher:subscription_error', reply.raw);
    await client.roundTrip();
  });

  it('presence subscribe without channel_data is refused', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('presence-nodata.');
    const reply = await client.subscribe(channel, { auth: serverSdk(server).authorizeChannel(client.socketId, channel).auth });
    assert.equal(reply.event, 'pusher:subscription_error', reply.raw);
    await client.roundTrip();
  });

  async function httpUsers(channel) {
    const res = await serverSdk(server).get({ path: `/channels/${channel}/users` });
    return (await res.json()).users;
  }
});

describe('invalid channel names', () => {
  const names = {
    'a space': 'bad channel',
    'an exclamation mark': 'bad!channel',
    '201 characters': `x${'y'.repeat(200)}`,
  };
  for (const [label, channel] of Object.entries(names)) {
    it(`name with ${label}: pusher:subscription_error, connection stays open`, async () => {
      const client = await RawClient.open(server);
      const reply = await client.subscribe(channel);
      assert.equal(reply.event, 'pusher:subscription_error', reply.raw);
      await client.roundTrip();
      await assertServerServes(server);
    });
  }

  it('a 200-character name is valid', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('long-').padEnd(200, 'z');
    await client.subscribeOk(channel);
  });
});

describe('end-to-end encrypted channels', () => {
  it('pusher-js decrypts what the SDK encrypted; the server relays only ciphertext', async () => {
    const name = uniqueName('private-encrypted-vault.');
    const pusher = await pusherJs(server);
    const channel = await whenSubscribed(pusher.subscribe(name));
    const raw = await RawClient.open(server);
    await raw.subscribeSigned(serverSdk(server), name);

    const secret = { pin: '4711', note: 'top secret' };
    const got = deferredEvent(channel, 'sealed');
    await publish(name, 'sealed', secret);
    assert.deepEqual(await got, secret);

    const relayed = await raw.nextEvent('sealed', name);
    assert.equal(typeof relayed.data, 'string', relayed.raw);
    const envelope = JSON.parse(relayed.data);
    assert.deepEqual(Object.keys(envelope).sort(), ['ciphertext', 'nonce']);
    assert.ok(!relayed.raw.includes('4711'), 'plaintext visible on the wire');
  });
});

describe('cache channels', () => {
  it('nothing cached: pusher:cache_miss after subscription_succeeded', async () => {
    const client = await RawClient.open(server);
    const channel = uniqueName('cache-empty.');
    await client.subscribeOk(channel);
    const miss = await client.nextEvent('pusher:cache_miss', channel);
    assert.equal(miss.channel, channel);
  });

  it('the last published event is replayed to a new subscriber, right after subscription_succeeded', async () => {
    const channel = uniqueName('cache-scores.');
    await publish(channel, 'score', { n: 1 });
    await publish(channel, 'score', { n: 2 });
    const client = await RawClient.open(server);
    await client.subscribeOk(channel);
    const replay = await client.nextEvent('score', channel);
    assert.deepEqual(JSON.parse(replay.data), { n: 2 });
    const order = client.messages.map((m) => m.event);
    assert.ok(order.indexOf('pusher_internal:subscription_succeeded') < order.indexOf('score'), order.join(','));
    await client.expectNothing((m) => m.event === 'score' || m.event === 'pusher:cache_miss', QUIET_MS, 'more cache replies');
  });

  it('private cache channels replay too', async () => {
    const channel = uniqueName('private-cache-state.');
    await publish(channel, 'state', { on: true });
    const client = await RawClient.open(server);
    await client.subscribeSigned(serverSdk(server), channel);
    const replay = await client.nextEvent('state', channel);
    assert.deepEqual(JSON.parse(replay.data), { on: true });
  });
});

describe('unsubscribe', () => {
  it('stops delivery to that connection only', async () => {
    const channel = uniqueName('unsub-');
    const leaver = await RawClient.open(server);
    const stayer = await RawClient.open(server);
    await leaver.subscribeOk(channel);
    await stayer.subscribeOk(channel);
    leaver.send({ event: 'pusher:unsubscribe', data: { channel } });
    await leaver.roundTrip(); // the unsubscribe has been processed
    await publish(channel, 'after', { n: 1 });
    await stayer.nextEvent('after', channel);
    await leaver.expectNothing((m) => m.event === 'after', QUIET_MS, 'event after unsubscribe');
    assert.ok(leaver.isOpen);
  });
});
