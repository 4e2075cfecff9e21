// Webhooks in Redis mode, end to end: the cluster bundle (lib/cluster.mjs) with two resound-edge and two
// resound-monitor (candidate webhook senders; the lease makes one of them send) and a real receiver that checks every request with
// the pusher SDK's validator. Each transition must arrive exactly once for the whole cluster: channel
// occupied/vacated and member added/removed with subscribers on both edges, the grace period across
// edges (leave on A, return on B within it: nothing), kill -9 of an edge (vacated/removed once, after
// its node lease: the harness's shortened one), a client event once, and a sender handover when the
// sending monitor stops.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PusherServer } from '../integration/lib/deps.mjs';
import { RawClient, uniqueName } from '../integration/lib/raw-client.mjs';
import { sleep } from '../integration/lib/wait.mjs';
import { startReceiver } from '../integration/lib/webhook-receiver.mjs';
import { getJson, useCluster } from './lib/cluster.mjs';

const GRACE_MS = 3000; // Pusher's grace period, the default
const WEBHOOK_LEASE_S = 5; // the monitors' sender lease: the shortest they accept
const SETTLE_MS = 1500; // after the last expected webhook: time for a duplicate to show up
const PATH = '/hooks';

const receiver = await startReceiver();
const app = {
  id: 'app-cluster-hooks',
  key: 'key-cluster-hooks',
  secret: 'secret-cluster-hooks',
  webhook_grace_ms: GRACE_MS,
  webhooks: [
    {
      url: receiver.url(PATH),
      event_types: ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event'],
    },
  ],
};
const sdk = new PusherServer({ appId: app.id, key: app.key, secret: app.secret });

// Every service gets the app (deploy.md: edges and monitors share apps[].webhooks); the edges forward
// transitions, the monitors are the candidate senders.
const cluster = useCluster({
  edges: 2,
  monitors: 2,
  monitorOptions: { webhooks: 'on', webhookLease: WEBHOOK_LEASE_S },
  apps: { clusterHooks: app },
});
// Registered after useCluster's hook, so the receiver outlives the services; if their stop fails, node
// skips this hook, and the unref keeps the open receiver from holding the test process.
receiver.server.unref();
after(() => receiver.close());

/** Every event of every accepted request so far, each request checked with the SDK's validator. */
function allEvents() {
  for (const request of receiver.accepted(PATH)) {
    const hook = sdk.webhook({ headers: request.headers, rawBody: request.rawBody });
    assert.equal(request.headers['content-type'], 'application/json');
    assert.ok(hook.isValid(), `the pusher SDK rejects ${request.rawBody}`);
  }
  return receiver.events(PATH);
}

const matches = (name, channel, user) => (e) =>
  e.name === name && e.channel === channel && (user === undefined || e.user_id === user);
const count = (name, channel, user) => allEvents().filter(matches(name, channel, user)).length;
const waitFor = (name, channel, user, ms = 8000) =>
  receiver.waitForEvent(PATH, matches(name, channel, user), { ms, what: `${name} ${channel} ${user ?? ''}` });
const open = (edge) => RawClient.open(edge, { key: app.key });

async function leave(client, channel) {
  client.send({ event: 'pusher:unsubscribe', data: { channel } });
  await client.roundTrip(); // the unsubscribe has been handled
}

describe('webhooks across two edges (Redis mode)', () => {
  it('sends channel_occupied and channel_vacated once with subscribers on both edges', { timeout: 30000 }, async () => {
    const [edgeA, edgeB] = cluster.edges;
    const channel = uniqueName('cl-both-');
    const a = await open(edgeA);
    const b = await open(edgeB);
    await a.subscribeOk(channel);
    await b.subscribeOk(channel);
    await waitFor('channel_occupied', channel);
    await leave(a, channel);
    await sleep(GRACE_MS + SETTLE_MS); // edge A's last subscriber left, edge B still has one
    assert.equal(count('channel_vacated', channel), 0, 'vacated while a subscriber is left on edge B');
    await leave(b, channel);
    await waitFor('channel_vacated', channel, undefined, GRACE_MS + 8000);
    await sleep(SETTLE_MS);
    assert.equal(count('channel_occupied', channel), 1);
    assert.equal(count('channel_vacated', channel), 1);
  });

  it('sends member_added and member_removed once per user, whichever edge its connections use', { timeout: 30000 }, async () => {
    const [edgeA, edgeB] = cluster.edges;
    const channel = uniqueName('presence-cl-');
    const a = await open(edgeA); // user u on edge A ...
    const b = await open(edgeB); // ... and on edge B
    const c = await open(edgeB); // user v on edge B
    await a.subscribeSigned(sdk, channel, { user_id: 'u', user_info: { name: 'U' } });
    await b.subscribeSigned(sdk, channel, { user_id: 'u', user_info: { name: 'U' } });
    await c.subscribeSigned(sdk, channel, { user_id: 'v', user_info: { name: 'V' } });
    await waitFor('member_added', channel, 'u');
    await waitFor('member_added', channel, 'v');
    await leave(a, channel);
    await sleep(GRACE_MS + SETTLE_MS);
    assert.equal(count('member_removed', channel, 'u'), 0, 'u removed while connected on edge B');
    await leave(b, channel);
    await leave(c, channel);
    await waitFor('member_removed', channel, 'u', GRACE_MS + 8000);
    await waitFor('member_removed', channel, 'v', GRACE_MS + 8000);
    await waitFor('channel_vacated', channel, undefined, GRACE_MS + 8000);
    await sleep(SETTLE_MS);
    for (const user of ['u', 'v']) {
      assert.equal(count('member_added', channel, user), 1, `member_added ${user}`);
      assert.equal(count('member_removed', channel, user), 1, `member_removed ${user}`);
    }
    assert.equal(count('channel_occupied', channel), 1);
    assert.equal(count('channel_vacated', channel), 1);
  });

  it('applies the grace period across edges: leave on A, return on B within 2 s sends nothing', { timeout: 30000 }, async () => {
    const [edgeA, edgeB] = cluster.edges;
    const channel = uniqueName('presence-grace-');
    const a = await open(edgeA);
    await a.subscribeSigned(sdk, channel, { user_id: 'w', user_info: {} });
    await waitFor('member_added', channel, 'w');
    a.close(); // a page reload: the connection on edge A goes ...
    await sleep(1000);
    const b = await open(edgeB); // ... and the new one lands on edge B
    await b.subscribeSigned(sdk, channel, { user_id: 'w', user_info: {} });
    await sleep(GRACE_MS + SETTLE_MS);
    assert.equal(count('member_removed', channel, 'w'), 0);
    assert.equal(count('channel_vacated', channel), 0);
    assert.equal(count('member_added', channel, 'w'), 1);
    assert.equal(count('channel_occupied', channel), 1);
    await leave(b, channel); // a real leave still comes through, once
    await waitFor('member_removed', channel, 'w', GRACE_MS + 8000);
    await waitFor('channel_vacated', channel, undefined, GRACE_MS + 8000);
    await sleep(SETTLE_MS);
    assert.equal(count('member_removed', channel, 'w'), 1);
    assert.equal(count('channel_vacated', channel), 1);
  });

  it('sends one client_event for a whisper on one edge heard on both', { timeout: 20000 }, async () => {
    const [edgeA, edgeB] = cluster.edges;
    const channel = uniqueName('private-cl-');
    const a = await open(edgeA);
    const b = await open(edgeB);
    const c = await open(edgeA);
    for (const client of [a, b, c]) await client.subscribeSigned(sdk, channel);
    a.send({ event: 'client-typing', channel, data: { who: 'a' } });
    await b.nextEvent('client-typing', channel);
    await c.nextEvent('client-typing', channel);
    const { id, ...event } = await waitFor('client_event', channel);
    assert.equal(typeof id, 'string');
    assert.deepEqual(event, {
      name: 'client_event',
      channel,
      event: 'client-typing',
      data: { who: 'a' },
      socket_id: a.socketId,
    });
    await sleep(SETTLE_MS);
    assert.equal(count('client_event', channel), 1);
  });

  it('sends channel_vacated and member_removed once after an edge is killed with -9', { timeout: 45000 }, async () => {
    const { node_lease_ms: leaseMs, heartbeat_interval_ms: heartbeatMs, reaper_interval_ms: reaperMs } =
      cluster.timings;
    const doomed = await cluster.addEdge();
    const [edgeA] = cluster.edges;
    const lonely = uniqueName('cl-killed-'); // only on the doomed edge
    const shared = uniqueName('presence-killed-'); // user x on the doomed edge, user y on edge A
    const x = await open(doomed);
    const y = await open(edgeA);
    await x.subscribeOk(lonely);
    await x.subscribeSigned(sdk, shared, { user_id: 'x', user_info: {} });
    await y.subscribeSigned(sdk, shared, { user_id: 'y', user_info: {} });
    await waitFor('channel_occupied', lonely);
    await waitFor('member_added', shared, 'x');
    await waitFor('member_added', shared, 'y');

    const killedAt = Date.now();
    doomed.signal('SIGKILL');
    await doomed.exited;
    // Slack for a loaded CI machine (reap, Redis grace hold, claim, delivery); typically 6 s in all.
    const bound = leaseMs + reaperMs + GRACE_MS + 15000;
    await waitFor('channel_vacated', lonely, undefined, bound);
    await waitFor('member_removed', shared, 'x', bound);
    const afterMs = Date.now() - killedAt;
    console.log(`# kill -9 → channel_vacated and member_removed webhooks after ${afterMs} ms ` +
      `(lease ${leaseMs} ms, reaper every ${reaperMs} ms, grace ${GRACE_MS} ms)`);
    // The last heartbeat may be up to one heartbeat interval older than the kill.
    assert.ok(afterMs >= leaseMs - heartbeatMs, `vacated after ${afterMs} ms: before the lease ran out`);
    await sleep(SETTLE_MS);
    assert.equal(count('channel_vacated', lonely), 1);
    assert.equal(count('member_removed', shared, 'x'), 1);
    assert.equal(count('member_removed', shared, 'y'), 0, 'y is still connected on edge A');
    assert.equal(count('channel_vacated', shared), 0, 'y still occupies the presence channel');
  });

  it('hands sending over to the standby monitor when the sender stops', { timeout: 30000 }, async () => {
    const active = async (monitor) => {
      const { status, body } = await getJson(monitor, '/metrics');
      assert.equal(status, 200, body);
      return /^resound_webhook_sender_active 1$/m.test(body);
    };
    const flags = await Promise.all(cluster.monitors.map(active));
    assert.equal(flags.filter(Boolean).length, 1, `exactly one sender among the monitors: ${flags}`);
    const sender = cluster.monitors[flags.indexOf(true)];
    const standby = cluster.monitors[flags.indexOf(false)];
    await sender.terminate(); // SIGTERM, exit 0 and no sanitizer report checked now

    const channel = uniqueName('cl-handover-');
    const a = await open(cluster.edges[0]);
    await a.subscribeOk(channel);
    await waitFor('channel_occupied', channel, undefined, 8000);
    assert.ok(await active(standby), 'the standby did not become the sender');
    await sleep(SETTLE_MS);
    assert.equal(count('channel_occupied', channel), 1);
  });
});
