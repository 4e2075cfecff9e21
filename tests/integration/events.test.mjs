// The HTTP API through the official server SDK: publishing (single, multi-channel, batch,
// exclusion, info), channel queries, terminating a user's connections, and error statuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import net from 'node:net';
import { assertServerServes, echo, httpResult, serverSdk, whenSubscribed } from './lib/clients.mjs';
import { signedFetch } from './lib/http.mjs';
import { RawClient, errorOf, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually, withTimeout } from './lib/wait.mjs';

const server = useServer();
const QUIET_MS = 500;

/** Subscribes `count` fresh raw clients to every channel in `channels`. */
async function subscribers(count, ...channels) {
  const clients = [];
  for (let i = 0; i < count; i += 1) {
    const client = await RawClient.open(server);
    for (const channel of channels) await client.subscribeOk(channel);
    clients.push(client);
  }
  return clients;
}

/**
 * Publishes a sentinel on `channel` and waits for it on every client: anything published earlier
 * on that connection has been delivered by then, so counts taken afterwards are final.
 */
async function flush(clients, channel) {
  const res = await serverSdk(server).trigger(channel, 'flush-sentinel', {});
  assert.equal(res.status, 200);
  for (const client of clients) await client.nextEvent('flush-sentinel', channel);
}

const count = (client, event, channel) =>
  client.messages.filter((m) => m.event === event && (channel === undefined || m.channel === channel)).length;

describe('trigger', () => {
  it('one channel: every subscriber gets the event exactly once, data as published, status 200', async () => {
    const channel = uniqueName('news-');
    const clients = await subscribers(3, channel);
    const res = await serverSdk(server).trigger(channel, 'headline', { title: 'Hello', n: 1 });
    assert.equal(res.status, 200);
    assert.equal(typeof (await res.json()), 'object');
    for (const client of clients) {
      const event = await client.nextEvent('headline', channel);
      assert.equal(event.data, JSON.stringify({ title: 'Hello', n: 1 }), 'data is the published JSON string');
    }
    await flush(clients, channel);
    for (const client of clients) assert.equal(count(client, 'headline'), 1);
  });

  it('string data is relayed verbatim', async () => {
    const channel = uniqueName('text-');
    const [client] = await subscribers(1, channel);
    await serverSdk(server).trigger(channel, 'text', 'plain "quoted" text ✓');
    const event = await client.nextEvent('text', channel);
    assert.equal(event.data, 'plain "quoted" text ✓');
  });

  it('several channels: one copy per subscribed channel', async () => {
    const [a, b, c] = [uniqueName('multi-a-'), uniqueName('multi-b-'), uniqueName('multi-c-')];
    const [both] = await subscribers(1, a, b);
    const [onlyC] = await subscribers(1, c);
    const res = await serverSdk(server).trigger([a, b, c], 'fanout', { x: 1 });
    assert.equal(res.status, 200);
    await both.nextEvent('fanout', a);
    await both.nextEvent('fanout', b);
    await onlyC.nextEvent('fanout', c);
    await flush([both], a);
    await flush([onlyC], c);
    assert.equal(count(both, 'fanout', a), 1);
    assert.equal(count(both, 'fanout', b), 1);
    assert.equal(count(onlyC, 'fanout'), 1);
  });

  it('socket_id excludes that connection (Laravel toOthers)', async () => {
    const channel = uniqueName('others-');
    const [sender, other] = await subscribers(2, channel);
    await serverSdk(server).trigger(channel, 'moved', { to: 'B2' }, { socket_id: sender.socketId });
    await other.nextEvent('moved', channel);
    await flush([sender, other], channel);
    assert.equal(count(sender, 'moved'), 0, 'the excluded socket got the event');
  });

  it('events do not cross apps', async () => {
    const channel = uniqueName('shared-name-');
    const [mine] = await subscribers(1, channel);
    const foreign = await RawClient.open(server, { key: server.apps.other.key });
    await foreign.subscribeOk(channel);
    await serverSdk(server).trigger(channel, 'private-to-app-1', {});
    await mine.nextEvent('private-to-app-1', channel);
    await foreign.expectNothing((m) => m.event === 'private-to-app-1', QUIET_MS, 'event from another app');
  });

  it('info=subscription_count,user_count reports counts per channel', async () => {
    const sdk = serverSdk(server);
    const plain = uniqueName('counted-');
    const presence = uniqueName('presence-counted.');
    await subscribers(2, plain);
    for (const id of ['a', 'b', 'c']) {
      const client = await RawClient.open(server);
      await client.subscribeSigned(sdk, presence, { user_id: id });
    }
    const res = await sdk.trigger(plain, 'counted', {}, { info: 'subscription_count' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { channels: { [plain]: { subscription_count: 2 } } });
    const res2 = await sdk.trigger(presence, 'counted', {}, { info: 'user_count' });
    assert.deepEqual(await res2.json(), { channels: { [presence]: { user_count: 3 } } });
  });
});

describe('what Laravel sends', () => {
  it('Echo listen("OrderShipped") receives the namespaced event App\\Events\\OrderShipped', async () => {
    const e = await echo(server);
    const name = uniqueName('orders.');
    const received = new Promise((resolve) => e.channel(name).listen('OrderShipped', resolve));
    await whenSubscribed(e.connector.pusher.channel(name));
    const payload = { order: { id: 1, note: 'line1\nline2\t"quoted" \\ back\u0001slash ✓ 🚚' } };
    await serverSdk(server).trigger(name, 'App\\Events\\OrderShipped', payload);
    assert.deepEqual(await withTimeout(received, 3000, 'the namespaced event'), payload);
  });

  it('a body sent after "Expect: 100-continue" (PHP curl does this above 1 KiB) is accepted', async () => {
    const channel = uniqueName('curl-');
    const [client] = await subscribers(1, channel);
    const body = JSON.stringify({ name: 'curl', channels: [channel], data: JSON.stringify({ pad: 'c'.repeat(2000) }) });
    const app = server.apps.main;
    const path = `/apps/${app.id}/events`;
    const query = serverSdk(server).createSignedQueryString({ method: 'POST', path, body });
    const socket = net.connect(server.port, server.host);
    server.track(socket);
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString('latin1')));
    socket.write(
      `POST ${path}?${query} HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await eventually(() => /^HTTP\/1\.1 100 /.test(response), { ms: 2000, what: `100 Continue; got "${response}"` });
    socket.write(body);
    await eventually(() => /HTTP\/1\.1 200 /.test(response.replace(/^HTTP\/1\.1 100 [^\r]*\r\n\r\n/, '')), {
      ms: 3000,
      what: 'the final 200',
    }).catch((err) => assert.fail(`${err.message}; response so far: ${JSON.stringify(response)}`));
    await client.nextEvent('curl', channel);
  });
});

describe('triggerBatch', () => {
  it('delivers every event of the batch, honouring per-item socket_id', async () => {
    const [one, two] = [uniqueName('batch-1-'), uniqueName('batch-2-')];
    const [x, y] = await subscribers(2, one, two);
    const res = await serverSdk(server).triggerBatch([
      { channel: one, name: 'first', data: { i: 1 } },
      { channel: two, name: 'second', data: 'two' },
      { channel: one, name: 'third', data: { i: 3 }, socket_id: x.socketId },
    ]);
    assert.equal(res.status, 200);
    for (const client of [x, y]) {
      assert.equal((await client.nextEvent('first', one)).data, '{"i":1}');
      assert.equal((await client.nextEvent('second', two)).data, 'two');
    }
    await y.nextEvent('third', one);
    await flush([x, y], one);
    assert.equal(count(x, 'third'), 0, 'socket_id of a batch item was not excluded');
  });

  it('with info: the reply lists attributes per batch item', async () => {
    const channel = uniqueName('batch-info-');
    await subscribers(2, channel);
    const res = await serverSdk(server).triggerBatch([
      { channel, name: 'a', data: {}, info: 'subscription_count' },
      { channel, name: 'b', data: {} },
    ]);
    const body = await res.json();
    assert.deepEqual(body, { batch: [{ subscription_count: 2 }, {}] });
  });

  it('more than max_batch_size events: 400 and nothing delivered', async () => {
    const channel = uniqueName('batch-big-');
    const [client] = await subscribers(1, channel);
    const batch = Array.from({ length: server.apps.main.max_batch_size + 1 }, (_, i) => ({ channel, name: 'too-many', data: { i } }));
    const result = await httpResult(() => serverSdk(server).triggerBatch(batch));
    assert.equal(result.status, 400, result.body);
    await client.expectNothing((m) => m.event === 'too-many', QUIET_MS, 'events of a rejected batch');
    await assertServerServes(server);
  });
});

describe('channel queries', () => {
  it('GET /channels lists occupied channels only, filter_by_prefix narrows it', async () => {
    const sdk = serverSdk(server);
    const prefix = uniqueName('listed-');
    const [a, b] = [`${prefix}.a`, `${prefix}.b`];
    const client = await RawClient.open(server);
    await client.subscribeOk(a);
    await client.subscribeOk(b);
    await client.subscribeOk(`${prefix}.gone`);
    client.send({ event: 'pusher:unsubscribe', data: { channel: `${prefix}.gone` } });
    await client.roundTrip();
    const all = await (await sdk.get({ path: '/channels' })).json();
    assert.ok(all.channels[a] && all.channels[b], JSON.stringify(all));
    assert.equal(all.channels[`${prefix}.gone`], undefined, 'an empty channel is listed');
    const filtered = await (await sdk.get({ path: '/channels', params: { filter_by_prefix: prefix } })).json();
    assert.deepEqual(Object.keys(filtered.channels).sort(), [a, b]);
  });

  it('GET /channels?filter_by_prefix=presence-&info=user_count gives user counts', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-listed.');
    for (const id of ['1', '2']) {
      const client = await RawClient.open(server);
      await client.subscribeSigned(sdk, channel, { user_id: id });
    }
    const res = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } });
    const body = await res.json();
    assert.deepEqual(body.channels[channel], { user_count: 2 }, JSON.stringify(body));
  });

  it('GET /channels?info=user_count without a presence- filter: 400', async () => {
    const result = await httpResult(() => serverSdk(server).get({ path: '/channels', params: { info: 'user_count' } }));
    assert.equal(result.status, 400, result.body);
  });

  it('GET /channels/{name}: occupied and subscription_count', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('queried-');
    await subscribers(2, channel);
    const res = await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { occupied: true, subscription_count: 2 });
    const empty = await (await sdk.get({ path: `/channels/${uniqueName('nobody-')}` })).json();
    assert.equal(empty.occupied, false, JSON.stringify(empty));
  });

  it('GET /channels/{presence}: user_count; /users lists the distinct users', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-queried.');
    for (const id of ['7', '8', '8']) {
      const client = await RawClient.open(server);
      await client.subscribeSigned(sdk, channel, { user_id: id, user_info: { id } });
    }
    const info = await (await sdk.get({ path: `/channels/${channel}`, params: { info: 'user_count' } })).json();
    assert.equal(info.occupied, true);
    assert.equal(info.user_count, 2, JSON.stringify(info));
    const res = await sdk.get({ path: `/channels/${channel}/users` });
    assert.equal(res.status, 200);
    const { users } = await res.json();
    assert.deepEqual(users.map((u) => String(u.id)).sort(), ['7', '8']);
  });

  it('channel names with every allowed punctuation character work in publish and queries', async () => {
    const sdk = serverSdk(server);
    const channel = `${uniqueName('punct-')}_-=@,.;`;
    const [client] = await subscribers(1, channel);
    await sdk.trigger(channel, 'punct', { ok: true });
    await client.nextEvent('punct', channel);
    const res = await sdk.get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
    assert.deepEqual(await res.json(), { occupied: true, subscription_count: 1 });
  });

  it('GET /channels/{non-presence}/users: 400', async () => {
    const channel = uniqueName('not-presence-');
    await subscribers(1, channel);
    const result = await httpResult(() => serverSdk(server).get({ path: `/channels/${channel}/users` }));
    assert.equal(result.status, 400, result.body);
  });
});

describe('connections', () => {
  it('GET /apps/{id}/connections counts the open connections of that app (Reverb extension)', async () => {
    const sdk = serverSdk(server, server.apps.other);
    const before = (await (await sdk.get({ path: '/connections' })).json()).connections;
    assert.equal(typeof before, 'number');
    await RawClient.open(server, { key: server.apps.other.key });
    await RawClient.open(server, { key: server.apps.other.key });
    const after = (await (await sdk.get({ path: '/connections' })).json()).connections;
    assert.equal(after, before + 2);
  });
});

describe('terminate_connections', () => {
  it("closes every socket of that signed-in user, and only theirs", async () => {
    const sdk = serverSdk(server);
    const victim = uniqueName('victim-');
    const bystander = uniqueName('bystander-');
    const victimTabs = [await RawClient.open(server), await RawClient.open(server)];
    for (const tab of victimTabs) assert.equal((await tab.signin(sdk, { id: victim })).event, 'pusher:signin_success');
    const other = await RawClient.open(server);
    assert.equal((await other.signin(sdk, { id: bystander })).event, 'pusher:signin_success');
    const anonymous = await RawClient.open(server);

    const res = await sdk.terminateUserConnections(victim);
    assert.equal(res.status, 200);
    for (const tab of victimTabs) await tab.waitClosed(3000);
    await other.roundTrip();
    await anonymous.roundTrip();
    assert.ok(other.isOpen && anonymous.isOpen);
  });

  it('also closes presence members with that user id that never signed in (Reverb\'s scope, kept)', async () => {
    const sdk = serverSdk(server);
    const channel = uniqueName('presence-terminate.');
    const victim = uniqueName('member-');
    const member = await RawClient.open(server);
    await member.subscribeSigned(sdk, channel, { user_id: victim });
    const bystander = await RawClient.open(server);
    await bystander.subscribeSigned(sdk, channel, { user_id: uniqueName('other-') });

    assert.equal((await sdk.terminateUserConnections(victim)).status, 200);
    const error = await member.nextEvent('pusher:error');
    assert.equal(errorOf(error).code, 4009, error.raw);
    assert.equal((await member.waitClosed(3000)).code, 4009);
    await bystander.roundTrip();
    assert.ok(bystander.isOpen);
  });

  it('for a user with no connections: still 200', async () => {
    const res = await serverSdk(server).terminateUserConnections(uniqueName('nobody-'));
    assert.equal(res.status, 200);
  });
});

describe('request errors', () => {
  const channel = 'errors-channel';

  it('wrong secret: 401', async () => {
    const sdk = serverSdk(server, { ...server.apps.main, secret: 'wrong-secret' });
    const result = await httpResult(() => sdk.trigger(channel, 'x', {}));
    assert.equal(result.status, 401, result.body);
    await assertServerServes(server);
  });

  it("another app's key with this app's id: 401", async () => {
    const result = await signedFetch(server, { ...server.apps.other, id: server.apps.main.id }, 'POST', '/events', {
      body: JSON.stringify({ name: 'x', channel, data: '{}' }),
    });
    assert.equal(result.status, 401, result.body);
  });

  it('body changed after signing (body_md5 no longer matches): 401', async () => {
    const signed = JSON.stringify({ name: 'x', channels: [channel], data: '{"amount":1}' });
    const tampered = JSON.stringify({ name: 'x', channels: [channel], data: '{"amount":9}' });
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', { body: signed, sentBody: tampered });
    assert.equal(result.status, 401, result.body);
  });

  it('unknown app id: 404', async () => {
    const sdk = serverSdk(server, { ...server.apps.main, id: 'no-such-app' });
    const result = await httpResult(() => sdk.trigger(channel, 'x', {}));
    assert.equal(result.status, 404, result.body);
    await assertServerServes(server);
  });

  it('timestamp older than auth_timestamp_window: 401', async () => {
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ name: 'x', channel, data: '{}' }),
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    assert.equal(result.status, 401, result.body);
  });

  it('a correctly hand-signed request succeeds with exactly 200', async () => {
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ name: 'x', channels: [channel], data: '{}' }),
    });
    assert.equal(result.status, 200, result.body);
    assert.equal(typeof result.json, 'object', `body is not JSON: ${result.body}`);
  });

  it('a single `channel` instead of `channels` is accepted', async () => {
    const target = uniqueName('singular-');
    const [client] = await subscribers(1, target);
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ name: 'singular', channel: target, data: '{"one":1}' }),
    });
    assert.equal(result.status, 200, result.body);
    assert.equal((await client.nextEvent('singular', target)).data, '{"one":1}');
  });

  it('event data larger than max_event_payload_bytes: 413', async () => {
    const target = uniqueName('huge-');
    const [client] = await subscribers(1, target);
    const huge = 'x'.repeat(server.apps.main.max_event_payload_bytes + 100);
    const result = await httpResult(() => serverSdk(server).trigger(target, 'huge', huge));
    assert.equal(result.status, 413, result.body);
    await client.expectNothing((m) => m.event === 'huge', QUIET_MS, 'an oversized event');
    await assertServerServes(server);
  });

  it('invalid JSON body (correctly signed): 400', async () => {
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', { body: '{"name":"x","channels":[' });
    assert.equal(result.status, 400, result.body);
    await assertServerServes(server);
  });

  it('missing event name: 400', async () => {
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ channels: [channel], data: '{}' }),
    });
    assert.equal(result.status, 400, result.body);
  });

  it('more than max_channels_per_event channels: 400', async () => {
    const channels = Array.from({ length: server.apps.main.max_channels_per_event + 1 }, (_, i) => `many-${i}`);
    const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
      body: JSON.stringify({ name: 'x', channels, data: '{}' }),
    });
    assert.equal(result.status, 400, result.body);
    await assertServerServes(server);
  });
});
