// Leak checks against the real server: repeated connect/subscribe/disconnect rounds must leave the
// process's RSS flat (per-round RSS from /proc/<pid>/status is printed), and presence channels must not
// keep ghost members or channels after their members leave (checked through the HTTP API).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient } from './lib/api.mjs';
import { OP, buildFrame, closePayload, openPusher, subscribe } from './lib/raw-ws.mjs';
import { mib, sleep, startResound } from './lib/resound.mjs';

const ROUNDS = Number(process.env.ROB_LEAK_ROUNDS || 20);
const CYCLES = Number(process.env.ROB_LEAK_CYCLES || 1000);
const CONCURRENCY = Number(process.env.ROB_LEAK_CONCURRENCY || 200);
const ALLOWED_GROWTH_KIB = 4 * 1024; // "within a few MB of the first round"

let server;
let api;
before(async () => {
  // A small ASan quarantine, so that freed memory is reused and RSS means what it says.
  const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=4'].filter(Boolean).join(':');
  server = await startResound({ apps: [{ max_presence_members: 0 }], env: { ASAN_OPTIONS: asan } });
  api = new ApiClient(server);
});
after(async () => {
  api?.close();
  await server?.stop();
});

/** One client's life: connect, subscribe (public, private or presence), leave in one of four ways. */
async function cycle(i) {
  const app = server.app(0);
  const ws = await openPusher(server.port);
  const kind = i % 4;
  const channel = kind === 0 ? `public-${i % 16}` : kind === 1 ? `private-${i % 16}` : kind === 2 ? `presence-${i % 8}` : `cache-${i % 4}`;
  const channelData = kind === 2 ? JSON.stringify({ user_id: `u${i % 32}`, user_info: { n: i } }) : undefined;
  const answer = await subscribe(ws, channel, { app, channelData });
  if (answer.event !== 'pusher_internal:subscription_succeeded') throw new Error(JSON.stringify(answer));
  switch (Math.floor(i / 4) % 4) {
    case 0: // polite: unsubscribe, then a close handshake
      ws.sendJson({ event: 'pusher:unsubscribe', data: { channel } });
      await ws.close(1000);
      break;
    case 1: // close handshake only
      await ws.close(1001);
      break;
    case 2: // TCP reset without a close frame
      ws.socket.resetAndDestroy();
      break;
    default: // close frame sent, then gone without waiting for the answer
      ws.send(buildFrame(OP.CLOSE, closePayload(1000)));
      ws.socket.end();
      ws.destroy();
  }
}

async function round(r) {
  let next = 0;
  const errors = [];
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < CYCLES) {
      const i = r * CYCLES + next++;
      try {
        await cycle(i);
      } catch (err) {
        errors.push(err.message);
      }
    }
  });
  await Promise.all(workers);
  return errors;
}

async function settled() {
  // Let the server notice every close (drain timers are swept once a second).
  for (let i = 0; i < 50; i++) {
    const connections = (await api.call('GET', '/connections')).json?.connections;
    if (connections === 0) return;
    await sleep(100);
  }
}

test(`${ROUNDS} rounds of ${CYCLES} connect/subscribe/disconnect cycles keep RSS flat`, async () => {
  const perRound = [];
  const started = Date.now();
  const serverCpuBefore = server.stats().cpuSeconds;
  const clientCpuBefore = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const errors = await round(r);
    assert.deepEqual(errors.slice(0, 3), [], `round ${r + 1}: ${errors.length} failed cycles`);
    await settled();
    const { rssKiB, fds } = server.stats();
    perRound.push(rssKiB);
    console.log(`# round ${String(r + 1).padStart(2)}: RSS ${mib(rssKiB)} MiB, fds ${fds}`);
  }
  const clientCpu = process.cpuUsage(clientCpuBefore);
  console.log(`# CPU: server ${(server.stats().cpuSeconds - serverCpuBefore).toFixed(1)} s, test client ${((clientCpu.user + clientCpu.system) / 1e6).toFixed(1)} s`);
  console.log(`# ${ROUNDS * CYCLES} cycles in ${((Date.now() - started) / 1000).toFixed(1)} s; RSS first ${mib(perRound[0])}, last ${mib(perRound.at(-1))}, max ${mib(Math.max(...perRound))} MiB`);
  const growth = perRound.at(-1) - perRound[0];
  assert.ok(growth < ALLOWED_GROWTH_KIB, `RSS grew by ${mib(growth)} MiB from round 1 to round ${ROUNDS}`);
  // Rounds 2..N may wobble, but must not climb steadily: the second half may not exceed the first's max by much.
  const firstHalfMax = Math.max(...perRound.slice(0, Math.ceil(ROUNDS / 2)));
  const secondHalfMax = Math.max(...perRound.slice(Math.ceil(ROUNDS / 2)));
  assert.ok(secondHalfMax - firstHalfMax < ALLOWED_GROWTH_KIB, `RSS climbing: ${mib(firstHalfMax)} -> ${mib(secondHalfMax)} MiB`);

  // Nothing is left behind in the cluster state either.
  const channels = await api.call('GET', '/channels');
  assert.deepEqual(channels.json, { channels: {} }, channels.body);
  assert.equal((await api.call('GET', '/connections')).json.connections, 0);
});

test('presence subscribe/unsubscribe loop leaves no ghost members', async () => {
  const app = server.app(0);
  const channel = 'presence-ghosts';
  const stay = [];
  try {
    // Three members stay for the whole test.
    for (const user of ['keep-1', 'keep-2', 'keep-3']) {
      const ws = await openPusher(server.port);
      assert.equal((await subscribe(ws, channel, { app, channelData: JSON.stringify({ user_id: user }) })).event, 'pusher_internal:subscription_succeeded');
      stay.push(ws);
    }
    // 300 joins and leaves of 30 users, several connections per user at times, leaving in every way.
    for (let wave = 0; wave < 10; wave++) {
      const joined = await Promise.all(
        Array.from({ length: 30 }, async (_, i) => {
          const ws = await openPusher(server.port);
          const user = `visitor-${(wave * 7 + i) % 30}`;
          const answer = await subscribe(ws, channel, { app, channelData: JSON.stringify({ user_id: user }) });
          assert.equal(answer.event, 'pusher_internal:subscription_succeeded');
          return ws;
        }),
      );
      await Promise.all(
        joined.map(async (ws, i) => {
          if (i % 3 === 0) {
            ws.sendJson({ event: 'pusher:unsubscribe', data: { channel } });
            await sleep(20);
            await ws.close();
          } else if (i % 3 === 1) {
            ws.socket.resetAndDestroy();
          } else {
            await ws.close();
          }
        }),
      );
    }
    let users = null;
    for (let i = 0; i < 30; i++) {
      users = (await api.call('GET', `/channels/${channel}/users`)).json?.users?.map((u) => u.id).sort();
      if (users?.length === 3) break;
      await sleep(100);
    }
    assert.deepEqual(users, ['keep-1', 'keep-2', 'keep-3'], 'ghost members after 300 presence joins and leaves');
    const info = await api.call('GET', `/channels/${channel}`, { params: { info: 'user_count,subscription_count' } });
    assert.equal(info.json.user_count, 3, info.body);
    assert.equal(info.json.subscription_count, 3, info.body);
    // The members see the same roster: a newcomer gets exactly the three who stayed.
    const probe = await openPusher(server.port);
    const roster = await subscribe(probe, channel, { app, channelData: JSON.stringify({ user_id: 'probe' }) });
    assert.deepEqual(JSON.parse(roster.data).presence.ids.sort(), ['keep-1', 'keep-2', 'keep-3', 'probe']);
    await probe.close();
  } finally {
    for (const ws of stay) await ws.close();
  }
  // Everyone gone: the channel is gone.
  for (let i = 0; i < 30; i++) {
    const list = await api.call('GET', '/channels', { params: { filter_by_prefix: 'presence-' } });
    if (Object.keys(list.json.channels).length === 0) break;
    await sleep(100);
  }
  const list = await api.call('GET', '/channels', { params: { filter_by_prefix: 'presence-', info: 'user_count' } });
  assert.deepEqual(list.json, { channels: {} }, list.body);
  const users = await api.call('GET', `/channels/${channel}/users`);
  assert.deepEqual(users.json, { users: [] }, users.body);
});
