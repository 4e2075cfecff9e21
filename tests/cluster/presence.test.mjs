// Presence and client events across edges: rosters include members of every edge, member_added /
// member_removed cross edges exactly once, a user on two edges leaves only with their last socket,
// and whispers reach the other edge without being echoed to the sender.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually, sleep } from '../integration/lib/wait.mjs';
import { useCluster } from './lib/cluster.mjs';
import { QUIET_MS, apiUserIds, expectExactly, memberIds, record, subscriber } from './lib/observe.mjs';

const cluster = useCluster({ edges: 2 });

test('members of both edges appear in each other’s rosters', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('presence-team-');
  const alice = await subscriber(a, channel, { user: { id: 'alice', info: { name: 'Alice' } } });
  const bob = await subscriber(b, channel, { user: { id: 'bob', info: { name: 'Bob' } } });
  const carol = await subscriber(a, channel, { user: { id: 'carol', info: { name: 'Carol' } } });

  for (const client of [alice, bob, carol]) {
    await eventually(() => memberIds(client.channel).join() === 'alice,bob,carol', {
      ms: 3000,
      what: `roster alice,bob,carol (have ${memberIds(client.channel)})`,
    });
  }
  // The roster a late joiner gets (subscription_succeeded) carries user_info from the other edge.
  assert.deepEqual(carol.channel.members.get('bob').info, { name: 'Bob' });
  assert.equal(carol.channel.members.count, 3);
});

test('member_added and member_removed cross edges exactly once', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('presence-watch-');
  const watcherA = await subscriber(a, channel, { user: { id: 'watcher-a' } });
  const watcherB = await subscriber(b, channel, { user: { id: 'watcher-b' } });
  await eventually(() => watcherA.channel.members.count === 2, { ms: 3000, what: 'watcher-b in watcher-a’s roster' });
  const added = [record(watcherA.channel, 'pusher:member_added'), record(watcherB.channel, 'pusher:member_added')];
  const removed = [record(watcherA.channel, 'pusher:member_removed'), record(watcherB.channel, 'pusher:member_removed')];

  const dave = await subscriber(b, channel, { user: { id: 'dave', info: { name: 'Dave' } } });
  await expectExactly(added, 1, { what: 'member_added' });
  for (const list of added) assert.equal(list[0].id, 'dave');
  assert.deepEqual(added[0][0].info, { name: 'Dave' });

  dave.pusher.disconnect();
  await expectExactly(removed, 1, { what: 'member_removed' });
  for (const list of removed) assert.equal(list[0].id, 'dave');
  assert.deepEqual(await apiUserIds(cluster.api, channel), ['watcher-a', 'watcher-b']);
});

test('a user connected to both edges is removed only when their last connection leaves', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('presence-tabs-');
  const watcher = await subscriber(a, channel, { user: { id: 'watcher' } });
  const added = record(watcher.channel, 'pusher:member_added');
  const removed = record(watcher.channel, 'pusher:member_removed');

  const tabOnA = await subscriber(a, channel, { user: { id: 'erin' } });
  const tabOnB = await subscriber(b, channel, { user: { id: 'erin' } });
  await expectExactly([added], 1, { what: 'member_added (two tabs = one member)' });
  assert.equal(tabOnB.channel.members.count, 2, 'erin’s second tab sees watcher + erin');

  tabOnA.pusher.disconnect();
  await sleep(QUIET_MS + 300);
  assert.equal(removed.length, 0, `erin still has a tab on edge b, got member_removed: ${JSON.stringify(removed)}`);
  assert.deepEqual(await apiUserIds(cluster.api, channel), ['erin', 'watcher']);

  tabOnB.pusher.disconnect();
  await expectExactly([removed], 1, { what: 'member_removed after the last tab' });
  assert.equal(removed[0].id, 'erin');
  assert.deepEqual(await apiUserIds(cluster.api, channel), ['watcher']);
});

test('whispers cross edges and are not echoed to the sender', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('private-chat-');
  const sender = await subscriber(a, channel, { user: { id: 'sender' } });
  const sameEdge = await subscriber(a, channel, { user: { id: 'near' } });
  const otherEdge = await subscriber(b, channel, { user: { id: 'far' } });
  const echoes = record(sender.channel, 'client-typing');
  const lists = [record(sameEdge.channel, 'client-typing'), record(otherEdge.channel, 'client-typing')];

  for (let i = 0; i < 3; i += 1) assert.ok(sender.channel.trigger('client-typing', { i }), 'pusher-js sent the whisper');
  await expectExactly(lists, 3, { what: 'client-typing whispers' });
  for (const list of lists) assert.deepEqual(list.map((d) => d.i), [0, 1, 2]);
  assert.equal(echoes.length, 0, `the sender received its own whisper: ${JSON.stringify(echoes)}`);
});

test('whispers on a presence channel carry the sender’s user_id on the other edge', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('presence-whisper-');
  const sender = await subscriber(a, channel, { user: { id: 'speaker' } });
  const listener = await subscriber(b, channel, { user: { id: 'listener' } });
  const received = [];
  listener.channel.bind('client-wave', (data, metadata) => received.push({ data, userId: metadata?.user_id }));
  const echoes = record(sender.channel, 'client-wave');

  sender.channel.trigger('client-wave', { hand: 'left' });
  await expectExactly([received], 1, { what: 'client-wave' });
  assert.deepEqual(received[0], { data: { hand: 'left' }, userId: 'speaker' });
  assert.equal(echoes.length, 0);
});
