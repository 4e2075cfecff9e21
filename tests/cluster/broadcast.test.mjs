// Events published through resound-api reach the subscribers of every edge exactly once, and the
// API's channel queries and terminate_connections see every edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSdk } from '../integration/lib/clients.mjs';
import { RawClient, uniqueName } from '../integration/lib/raw-client.mjs';
import { useCluster } from './lib/cluster.mjs';
import { apiGet, apiUserIds, expectExactly, record, subscriber } from './lib/observe.mjs';

const cluster = useCluster({ edges: 2 });
const EVENTS = 10;

for (const prefix of ['public-', 'private-', 'presence-']) {
  test(`an API event on a ${prefix.replace(/-$/, '')} channel reaches subscribers on both edges exactly once`, async () => {
    const [a, b] = cluster.edges;
    const channel = uniqueName(prefix === 'public-' ? 'news-' : prefix);
    const clients = [
      await subscriber(a, channel, { user: { id: 'a1', info: { edge: 'a' } } }),
      await subscriber(a, channel, { user: { id: 'a2', info: { edge: 'a' } } }),
      await subscriber(b, channel, { user: { id: 'b1', info: { edge: 'b' } } }),
    ];
    const lists = clients.map((c) => record(c.channel, 'order-shipped'));

    const sdk = serverSdk(cluster.api);
    for (let i = 0; i < EVENTS; i += 1) {
      const res = await sdk.trigger(channel, 'order-shipped', { i });
      assert.equal(res.status, 200);
    }
    await expectExactly(lists, EVENTS, { what: 'order-shipped events' });
    for (const list of lists) assert.deepEqual(list.map((d) => d.i), [...Array(EVENTS).keys()], 'in publish order');
  });
}

test('batch_events reach each channel on both edges exactly once', async () => {
  const [a, b] = cluster.edges;
  const first = uniqueName('batch-one-');
  const second = uniqueName('private-batch-two-');
  const firstOnA = await subscriber(a, first);
  const firstOnB = await subscriber(b, first);
  const secondOnB = await subscriber(b, second);
  const lists = [record(firstOnA.channel, 'tick'), record(firstOnB.channel, 'tick'), record(secondOnB.channel, 'tick')];

  const res = await serverSdk(cluster.api).triggerBatch([
    { channel: first, name: 'tick', data: JSON.stringify({ n: 1 }) },
    { channel: second, name: 'tick', data: JSON.stringify({ n: 2 }) },
    { channel: first, name: 'tick', data: JSON.stringify({ n: 3 }) },
  ]);
  assert.equal(res.status, 200);
  await expectExactly(lists.slice(0, 2), 2, { what: `ticks on ${first}` });
  await expectExactly(lists.slice(2), 1, { what: `ticks on ${second}` });
  assert.deepEqual(lists[0].map((d) => d.n), [1, 3]);
  assert.deepEqual(lists[1].map((d) => d.n), [1, 3]);
  assert.deepEqual(lists[2].map((d) => d.n), [2]);
});

test('a raw WebSocket client on each edge gets one frame per event', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('raw-');
  const clients = [await RawClient.open(a), await RawClient.open(b)];
  for (const client of clients) await client.subscribeOk(channel);
  const res = await serverSdk(cluster.api).trigger(channel, 'ping-all', { x: 1 });
  assert.equal(res.status, 200);
  for (const client of clients) {
    const event = await client.nextEvent('ping-all', channel);
    assert.deepEqual(JSON.parse(event.data), { x: 1 });
    await client.expectNothing((m) => m.event === 'ping-all', 300, 'duplicate ping-all');
  }
});

test('channel queries on the API count subscribers of both edges', async () => {
  const [a, b] = cluster.edges;
  const presence = uniqueName('presence-room-');
  const plain = uniqueName('lobby-');
  // alice on both edges (two tabs = one user), bob on b.
  await subscriber(a, presence, { user: { id: 'alice' } });
  await subscriber(b, presence, { user: { id: 'alice' } });
  await subscriber(b, presence, { user: { id: 'bob' } });
  await subscriber(a, plain);
  await subscriber(b, plain);

  const info = await apiGet(cluster.api, `/channels/${presence}`, { info: 'user_count,subscription_count' });
  assert.equal(info.occupied, true);
  assert.equal(info.user_count, 2, JSON.stringify(info));
  assert.equal(info.subscription_count, 3, JSON.stringify(info));

  const plainInfo = await apiGet(cluster.api, `/channels/${plain}`, { info: 'subscription_count' });
  assert.equal(plainInfo.subscription_count, 2, JSON.stringify(plainInfo));

  const list = await apiGet(cluster.api, '/channels', { filter_by_prefix: 'presence-room-', info: 'user_count' });
  assert.deepEqual(list.channels[presence], { user_count: 2 }, JSON.stringify(list));
  const all = await apiGet(cluster.api, '/channels');
  assert.ok(all.channels[plain], `GET /channels lists ${plain}: ${JSON.stringify(all)}`);

  assert.deepEqual(await apiUserIds(cluster.api, presence), ['alice', 'bob']);

  // The api answers these from its loop's own Redis connection: the cached event and the cluster-wide
  // connection count (these five clients at least; earlier tests' may still be open).
  const cache = uniqueName('cache-board-');
  assert.equal((await serverSdk(cluster.api).trigger(cache, 'score', { home: 2 })).status, 200);
  const cacheInfo = await apiGet(cluster.api, `/channels/${cache}`, { info: 'cache,subscription_count' });
  assert.equal(cacheInfo.occupied, false, JSON.stringify(cacheInfo));
  assert.equal(cacheInfo.cache.event, 'score', JSON.stringify(cacheInfo));
  assert.deepEqual(JSON.parse(cacheInfo.cache.data), { home: 2 });
  assert.ok(cacheInfo.cache.ttl > 0, JSON.stringify(cacheInfo));
  const { connections } = await apiGet(cluster.api, '/connections');
  assert.ok(connections >= 5, `GET /connections: ${connections}`);
});

test('a publish asking for info gets the counts of both edges (read in the publish\'s own Redis round trip)', async () => {
  const [a, b] = cluster.edges;
  const plain = uniqueName('counted-');
  const presence = uniqueName('presence-counted-');
  await subscriber(a, plain);
  await subscriber(b, plain);
  await subscriber(b, plain);
  await subscriber(a, presence, { user: { id: 'ann' } });
  await subscriber(b, presence, { user: { id: 'ann' } });
  await subscriber(b, presence, { user: { id: 'ben' } });
  const sdk = serverSdk(cluster.api);

  const single = await sdk.trigger([plain, uniqueName('empty-')], 'e', { x: 1 }, { info: 'subscription_count' });
  assert.equal(single.status, 200);
  const body = await single.json();
  assert.equal(body.channels[plain].subscription_count, 3, JSON.stringify(body));
  const [empty] = Object.keys(body.channels).filter((name) => name !== plain);
  assert.deepEqual(body.channels[empty], { subscription_count: 0 }, JSON.stringify(body));

  const batch = await sdk.triggerBatch([
    { channel: presence, name: 'e', data: '{}', info: 'user_count' },
    { channel: plain, name: 'e', data: '{}' },
    { channel: plain, name: 'e', data: '{}', info: 'subscription_count' },
  ]);
  assert.equal(batch.status, 200);
  assert.deepEqual(await batch.json(), { batch: [{ user_count: 2 }, {}, { subscription_count: 3 }] });
});

test('terminate_connections closes the user on both edges and nobody else', async () => {
  const [a, b] = cluster.edges;
  const sdk = serverSdk(cluster.api);
  const victim = uniqueName('victim-');
  const tabs = [await RawClient.open(a), await RawClient.open(b)];
  for (const tab of tabs) assert.equal((await tab.signin(sdk, { id: victim })).event, 'pusher:signin_success');
  const bystanders = [await RawClient.open(a), await RawClient.open(b)];
  for (const other of bystanders) assert.equal((await other.signin(sdk, { id: uniqueName('other-') })).event, 'pusher:signin_success');

  const res = await sdk.terminateUserConnections(victim);
  assert.equal(res.status, 200);
  for (const tab of tabs) await tab.waitClosed(3000);
  for (const other of bystanders) {
    await other.roundTrip();
    assert.ok(other.isOpen);
  }
});
