// Counting what clients receive across edges: "exactly once" needs both a bounded wait for the
// expected count and a quiet period afterwards in which no duplicate turns up.
import assert from 'node:assert/strict';
import { pusherJs, serverSdk, whenSubscribed } from '../../integration/lib/clients.mjs';
import { eventually, sleep } from '../../integration/lib/wait.mjs';

/** How long to keep listening for duplicates after the expected messages arrived. */
export const QUIET_MS = 400;

/** Binds `event` on a pusher-js channel (or any emitter with bind) and collects every payload. */
export function record(emitter, event) {
  const seen = [];
  emitter.bind(event, (data) => seen.push(data));
  return seen;
}

/**
 * Waits (bounded) until every list holds `expected` items, then QUIET_MS more, and asserts the
 * count is still exactly `expected` for each: no loss, no duplicate.
 */
export async function expectExactly(lists, expected, { ms = 5000, what = 'events' } = {}) {
  await eventually(() => lists.every((list) => list.length >= expected), {
    ms,
    what: `${expected} ${what} on every client (have ${lists.map((l) => l.length).join(', ')})`,
  });
  await sleep(QUIET_MS);
  lists.forEach((list, i) =>
    assert.equal(list.length, expected, `client ${i} received ${list.length} ${what}, expected exactly ${expected}: ${JSON.stringify(list)}`),
  );
}

/** A connected pusher-js client on `edge`, subscribed to `channelName` (signed as `user`). */
export async function subscriber(edge, channelName, { user, app } = {}) {
  const pusher = await pusherJs(edge, { user, app });
  const channel = pusher.subscribe(channelName);
  await whenSubscribed(channel);
  return { pusher, channel };
}

/** The API's JSON answer for GET `path` (signed by the SDK); asserts 200. */
export async function apiGet(api, path, params = {}) {
  const res = await serverSdk(api).get({ path, params });
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}

/** Sorted user ids of GET /channels/{channel}/users on the API. */
export async function apiUserIds(api, channelName) {
  const body = await apiGet(api, `/channels/${channelName}/users`);
  return body.users.map((u) => String(u.id)).sort();
}

/** Sorted member ids of a pusher-js presence channel, as the client currently sees them. */
export function memberIds(channel) {
  const ids = [];
  channel.members.each((member) => ids.push(String(member.id)));
  return ids.sort();
}
