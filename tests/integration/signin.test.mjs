// User authentication (pusher:signin) and server-to-user messages on #server-to-user-<id>.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { assertServerServes, deferredEvent, pusherJs, serverSdk } from './lib/clients.mjs';
import { RawClient, dataOf, errorOf, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually } from './lib/wait.mjs';

const server = useServer();
const QUIET_MS = 600;

/** A pusher-js client signed in as `id`, with its #server-to-user channel subscribed. */
async function signedInPusher(id) {
  const pusher = await pusherJs(server, { user: { id, info: { name: `User ${id}` } } });
  const success = deferredEvent(pusher, 'pusher:signin_success');
  pusher.signin();
  const data = await success;
  await eventually(() => pusher.user.serverToUserChannel?.subscribed, {
    ms: 5000,
    what: `pusher-js to subscribe #server-to-user-${id}`,
  });
  return { pusher, data };
}

/** Subscribes a raw client to `channel`; resolves with the reply, including a channel-less pusher:error. */
function subscribeReply(client, channel) {
  client.send({ event: 'pusher:subscribe', data: { channel } });
  return client.next(
    (m) =>
      m.event === 'pusher:error' ||
      (m.channel === channel && ['pusher_internal:subscription_succeeded', 'pusher:subscription_error'].includes(m.event)),
    { what: `a reply to subscribing ${channel}` },
  );
}

describe('sign-in', () => {
  it('pusher-js signin() with the SDK authenticateUser → pusher:signin_success', async () => {
    const id = uniqueName('alice-');
    const { pusher, data } = await signedInPusher(id);
    assert.equal(typeof data.user_data, 'string', JSON.stringify(data));
    assert.equal(JSON.parse(data.user_data).id, id);
    assert.equal(pusher.user.user_data.id, id);
  });

  it('signin_success data is an object whose user_data is the exact string sent', async () => {
    const sdk = serverSdk(server);
    const client = await RawClient.open(server);
    const signed = sdk.authenticateUser(client.socketId, { id: 'exact-1', user_info: { tags: ['a', 'b'] } });
    client.send({ event: 'pusher:signin', data: signed });
    const reply = await client.nextEvent('pusher:signin_success');
    assert.equal(typeof reply.data, 'object', `data should be an object: ${reply.raw}`);
    assert.equal(reply.data.user_data, signed.user_data);
  });

  const badSignins = {
    'a wrong signature': (client) => ({
      auth: `${server.apps.main.key}:${'f'.repeat(64)}`,
      user_data: JSON.stringify({ id: 'mallory' }),
    }),
    "another socket's signature": () => serverSdk(server).authenticateUser('1.2', { id: 'mallory' }),
    'a signature by another app': (client) =>
      serverSdk(server, server.apps.other).authenticateUser(client.socketId, { id: 'mallory' }),
    'user_data without an id (correctly signed)': (client) => {
      const userData = JSON.stringify({ name: 'no id' });
      const hmac = createHmac('sha256', server.apps.main.secret).update(`${client.socketId}::user::${userData}`);
      return { auth: `${server.apps.main.key}:${hmac.digest('hex')}`, user_data: userData };
    },
  };
  for (const [label, makeSignin] of Object.entries(badSignins)) {
    it(`${label}: pusher:error 4009`, async () => {
      const client = await RawClient.open(server);
      client.send({ event: 'pusher:signin', data: makeSignin(client) });
      const reply = await client.next((m) => m.event === 'pusher:error' || m.event === 'pusher:signin_success', {
        what: 'a reply to pusher:signin',
      });
      assert.equal(reply.event, 'pusher:error', reply.raw);
      assert.equal(errorOf(reply).code, 4009, reply.raw);
      await assertServerServes(server);
    });
  }
});

describe('server-to-user', () => {
  it('sendToUser reaches every connection of the signed-in user (pusher-js user.bind)', async () => {
    const id = uniqueName('bob-');
    const { pusher } = await signedInPusher(id);
    const secondTab = await RawClient.open(server);
    assert.equal((await secondTab.signin(serverSdk(server), { id })).event, 'pusher:signin_success');
    const ownChannel = `#server-to-user-${id}`;
    const reply = await subscribeReply(secondTab, ownChannel);
    assert.equal(reply.event, 'pusher_internal:subscription_succeeded', reply.raw);

    const got = deferredEvent(pusher.user, 'notice');
    const res = await serverSdk(server).sendToUser(id, 'notice', { text: 'your order shipped' });
    assert.equal(res.status, 200);
    assert.deepEqual(await got, { text: 'your order shipped' });
    const raw = await secondTab.nextEvent('notice', ownChannel);
    assert.deepEqual(dataOf(raw), { text: 'your order shipped' });
  });

  it('a connection not signed in as that user cannot subscribe to #server-to-user-<id>', async () => {
    const id = uniqueName('carol-');
    const { pusher } = await signedInPusher(id);
    const channel = `#server-to-user-${id}`;

    const anonymous = await RawClient.open(server);
    const anonReply = await subscribeReply(anonymous, channel);
    assert.notEqual(anonReply.event, 'pusher_internal:subscription_succeeded', 'anonymous subscription accepted');

    const mallory = await RawClient.open(server);
    assert.equal((await mallory.signin(serverSdk(server), { id: uniqueName('mallory-') })).event, 'pusher:signin_success');
    const malloryReply = await subscribeReply(mallory, channel);
    assert.notEqual(malloryReply.event, 'pusher_internal:subscription_succeeded', "another user's subscription accepted");

    const got = deferredEvent(pusher.user, 'private-note');
    await serverSdk(server).sendToUser(id, 'private-note', { for: id });
    await got;
    await anonymous.expectNothing((m) => m.event === 'private-note', QUIET_MS, "another user's message");
    await mallory.expectNothing((m) => m.event === 'private-note', 0, "another user's message");
    await anonymous.roundTrip();
    await assertServerServes(server);
  });
});
