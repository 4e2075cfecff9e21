// An edge that dies (kill -9) leaves no ghosts: another node reaps it after its lease and the
// other edge announces member_removed; the API stops counting its subscribers. An edge stopped with
// SIGTERM closes its clients with 4200, leaves the cluster at once, and pusher-js reconnects through
// the balancer to the surviving edge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pusherJs, serverSdk, whenSubscribed } from '../integration/lib/clients.mjs';
import { RawClient, uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { Balancer } from './lib/balancer.mjs';
import { CLUSTER_TIMINGS, useCluster } from './lib/cluster.mjs';
import { apiGet, apiUserIds, expectExactly, memberIds, record, subscriber } from './lib/observe.mjs';

const cluster = useCluster({ edges: 2 });

// A dead node's last heartbeat is at most one interval old when it dies; it is reaped once that
// heartbeat is a lease old, at the next reaper pass. 1.5 s of slack for ASan builds and scheduling.
const REAP_BOUND_MS = CLUSTER_TIMINGS.node_lease_ms + CLUSTER_TIMINGS.reaper_interval_ms + 1500;

test('kill -9 of an edge: its members are removed on the other edge within the lease bound', async () => {
  const [survivor, victim] = cluster.edges;
  const channel = uniqueName('presence-crash-');
  const plain = uniqueName('crash-lobby-');
  const watcher = await subscriber(survivor, channel, { user: { id: 'watcher' } });
  await subscriber(victim, channel, { user: { id: 'ghost-1' } });
  await subscriber(victim, channel, { user: { id: 'ghost-2' } });
  await subscriber(victim, channel, { user: { id: 'twice' } });
  await subscriber(survivor, channel, { user: { id: 'twice' } }); // also on the survivor: must stay
  await subscriber(victim, plain);
  await subscriber(survivor, plain);
  await eventually(() => watcher.channel.members.count === 4, { ms: 3000, what: 'four members in the roster' });
  const removed = record(watcher.channel, 'pusher:member_removed');

  const killedAt = Date.now();
  victim.signal('SIGKILL');
  await victim.exited;
  await eventually(() => removed.length >= 2, {
    ms: REAP_BOUND_MS,
    intervalMs: 20,
    what: `member_removed for ghost-1 and ghost-2 within ${REAP_BOUND_MS} ms (have ${JSON.stringify(removed)})`,
  });
  const detectedMs = Date.now() - killedAt;
  console.log(
    `# kill -9 → member_removed on the other edge after ${detectedMs} ms ` +
      `(lease ${CLUSTER_TIMINGS.node_lease_ms} ms, reaper every ${CLUSTER_TIMINGS.reaper_interval_ms} ms)`,
  );
  await expectExactly([removed], 2, { what: 'member_removed' });
  assert.deepEqual(removed.map((m) => m.id).sort(), ['ghost-1', 'ghost-2']);
  assert.deepEqual(memberIds(watcher.channel), ['twice', 'watcher']);

  assert.deepEqual(await apiUserIds(cluster.api, channel), ['twice', 'watcher']);
  const info = await apiGet(cluster.api, `/channels/${channel}`, { info: 'user_count,subscription_count' });
  assert.equal(info.user_count, 2, JSON.stringify(info));
  assert.equal(info.subscription_count, 2, JSON.stringify(info));
  const plainInfo = await apiGet(cluster.api, `/channels/${plain}`, { info: 'subscription_count' });
  assert.equal(plainInfo.subscription_count, 1, JSON.stringify(plainInfo));

  // The survivor still serves the channel.
  const events = record(watcher.channel, 'after-crash');
  assert.equal((await serverSdk(cluster.api).trigger(channel, 'after-crash', {})).status, 200);
  await expectExactly([events], 1, { what: 'after-crash' });
});

test('SIGTERM of an edge: clients get 4200, leave the cluster at once, and pusher-js reconnects to another edge', async () => {
  const leaving = await cluster.addEdge();
  const survivor = cluster.edges.find((edge) => edge !== leaving && !edge.exit);
  const balancer = await new Balancer([leaving, survivor]).start();
  try {
    const channel = uniqueName('presence-deploy-');
    const watcher = await subscriber(survivor, channel, { user: { id: 'watcher' } });
    const raw = await RawClient.open(leaving);
    await raw.subscribeOk(uniqueName('deploy-raw-'));

    // pusher-js reaches the leaving edge through the balancer (it is first in the list).
    const mover = await pusherJs(leaving, { user: { id: 'mover' }, wsPort: balancer.port, wssPort: balancer.port });
    const moverChannel = mover.subscribe(channel);
    await whenSubscribed(moverChannel);
    assert.equal(balancer.routed.at(-1), leaving.port);
    await eventually(() => watcher.channel.members.count === 2, { ms: 3000, what: 'mover in the roster' });
    const removed = record(watcher.channel, 'pusher:member_removed');
    const added = record(watcher.channel, 'pusher:member_added');
    const closes = [];
    mover.connection.bind('state_change', (s) => closes.push(s.current));

    const stoppedAt = Date.now();
    const exit = await leaving.terminate(12000);
    assert.equal(exit.code, 0);
    const close = await raw.waitClosed(1000);
    assert.equal(close.code, 4200, `raw client close code ${close.code} ${close.reason}`);
    console.log(`# SIGTERM → edge exited 0 after ${exit.ms} ms`);

    // member_removed comes from the closing sockets, not from a lease running out.
    await eventually(() => removed.length >= 1, { ms: 3000, what: 'member_removed for mover' });
    const leftMs = Date.now() - stoppedAt;
    console.log(`# SIGTERM → member_removed on the other edge after ${leftMs} ms`);
    assert.ok(leftMs < CLUSTER_TIMINGS.node_lease_ms, `left after ${leftMs} ms, not at once`);
    assert.equal(removed[0].id, 'mover');

    // pusher-js reconnected (4200: at once) through the balancer, now to the survivor, and rejoined.
    await eventually(() => mover.connection.state === 'connected' && moverChannel.subscribed && added.length >= 1, {
      ms: 5000,
      what: `mover back on another edge (state ${mover.connection.state}, changes ${closes})`,
    });
    assert.equal(balancer.routed.at(-1), survivor.port);
    assert.equal(added[0].id, 'mover');
    const events = record(moverChannel, 'after-deploy');
    assert.equal((await serverSdk(cluster.api).trigger(channel, 'after-deploy', { ok: true })).status, 200);
    await expectExactly([events], 1, { what: 'after-deploy on the reconnected client' });
    assert.deepEqual(await apiUserIds(cluster.api, channel), ['mover', 'watcher']);
  } finally {
    await balancer.close();
  }
});
