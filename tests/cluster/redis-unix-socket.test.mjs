// The bundle with Redis on a Unix-domain socket (redis.host = its path, as phpredis reads
// REDIS_HOST): redis-server listens on the socket only (TCP off), so every Redis client of every
// service — the edges' and the api's loop connections, their blocking pools and subscribers, the
// monitor's node reader and webhook clients (Poco) — must use it for anything below to work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSdk } from '../integration/lib/clients.mjs';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { getJson, useCluster } from './lib/cluster.mjs';
import { apiUserIds, expectExactly, record, subscriber } from './lib/observe.mjs';

// log_level info: the start-up line (config::describe) names the Redis address.
const cluster = useCluster({ edges: 2, monitor: true, redisUnixSocket: true, logLevel: 'info' });

test('Redis listens on its socket only: the start-up line names the socket', async () => {
  assert.equal(cluster.redis.port, 0);
  assert.match(cluster.redis.socketPath, /redis\.sock$/);
  // The api and each edge log their configuration once at start (config::describe).
  for (const node of [cluster.api, ...cluster.edges]) {
    assert.ok(node.output.includes(`scaling=unix://${cluster.redis.socketPath}?db=0`), `${node.name}:\n${node.tail()}`);
  }
});

test('API events reach subscribers on both edges exactly once, in order, and presence spans the edges', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('presence-socket-');
  const clients = [
    await subscriber(a, channel, { user: { id: 'alice' } }),
    await subscriber(b, channel, { user: { id: 'bob' } }),
  ];
  const lists = clients.map((c) => record(c.channel, 'tick'));
  const sdk = serverSdk(cluster.api);
  for (let i = 0; i < 5; i += 1) assert.equal((await sdk.trigger(channel, 'tick', { i })).status, 200);
  await expectExactly(lists, 5, { what: 'ticks' });
  for (const list of lists) assert.deepEqual(list.map((d) => d.i), [0, 1, 2, 3, 4]);
  assert.deepEqual((await apiUserIds(cluster.api, channel)).sort(), ['alice', 'bob']);
});

test('the monitor reads every node through the socket', async () => {
  const health = await eventually(
    async () => {
      const res = await getJson(cluster.monitor, '/health');
      return res.status === 200 && res.json.redis === 'up' && res.json.nodes_up === 3 ? res.json : false;
    },
    { ms: 6000, what: 'monitor /health: redis up, 3 nodes up' },
  );
  assert.deepEqual(health.nodes.map((n) => n.service).sort(), ['resound-api', 'resound-edge', 'resound-edge']);
});

test('Redis restarted on the same socket: every service reconnects and events flow again', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('after-restart-');
  await cluster.redis.stop();
  await cluster.redis.start(); // the same path: redis-server replaces the stale socket file
  await cluster.waitReady();
  const clients = [await subscriber(a, channel), await subscriber(b, channel)];
  const probes = clients.map((c) => record(c.channel, 'probe'));
  const lists = clients.map((c) => record(c.channel, 'back'));
  // The edges resubscribe once their links are back; publish probes until both edges deliver, then
  // count one event of another name exactly.
  await eventually(
    async () => {
      assert.equal((await serverSdk(cluster.api).trigger(channel, 'probe', {})).status, 200);
      return probes.every((l) => l.length > 0);
    },
    { ms: 8000, intervalMs: 300, what: 'delivery on both edges after the Redis restart' },
  );
  assert.equal((await serverSdk(cluster.api).trigger(channel, 'back', { n: 1 })).status, 200);
  await expectExactly(lists, 1, { what: 'the event after the restart' });
});
