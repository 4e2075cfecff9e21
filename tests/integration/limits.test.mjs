// Per-app limits: presence members per channel, presence user_info size, connections per app; the
// HTTP API's size limits as Pusher documents them (10,240 bytes of data per event, 10 events per
// batch) under the default max_request_size, and REVERB_MAX_REQUEST_SIZE overriding it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertServerServes, httpResult, serverSdk } from './lib/clients.mjs';
import { RawClient, errorOf, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';
import { eventually } from './lib/wait.mjs';

const server = useServer();

describe('presence limits', () => {
  const app = server.apps.limits;

  async function join(channel, member) {
    const client = await RawClient.open(server, { key: app.key });
    const auth = serverSdk(server, app).authorizeChannel(client.socketId, channel, member);
    return { client, reply: await client.subscribe(channel, auth) };
  }

  it('max_presence_members: another distinct user is refused, another tab of a member is not', async () => {
    const channel = uniqueName('presence-full.');
    for (const id of ['1', '2']) {
      const { reply } = await join(channel, { user_id: id });
      assert.equal(reply.event, 'pusher_internal:subscription_succeeded', reply.raw);
    }
    const third = await join(channel, { user_id: '3' });
    assert.equal(third.reply.event, 'pusher:subscription_error', third.reply.raw);
    assert.equal(third.reply.channel, channel);
    await third.client.roundTrip();

    const secondTab = await join(channel, { user_id: '1' });
    assert.equal(secondTab.reply.event, 'pusher_internal:subscription_succeeded', secondTab.reply.raw);
    assert.equal(JSON.parse(secondTab.reply.data).presence.count, 2);
    await assertServerServes(server);
  });

  it('user_info larger than max_user_info_bytes is refused', async () => {
    const channel = uniqueName('presence-bio.');
    const { client, reply } = await join(channel, { user_id: 'chatty', user_info: { bio: 'b'.repeat(app.max_user_info_bytes + 1) } });
    assert.equal(reply.event, 'pusher:subscription_error', reply.raw);
    await client.roundTrip();
    const small = await join(channel, { user_id: 'terse', user_info: { bio: 'short' } });
    assert.equal(small.reply.event, 'pusher_internal:subscription_succeeded', small.reply.raw);
  });
});

describe('connection limit', () => {
  it('max_connections: one more gets pusher:error 4004 and close 4004; a freed slot is reusable', async () => {
    const app = server.apps.capped;
    const first = await RawClient.open(server, { key: app.key });
    await RawClient.open(server, { key: app.key });
    const refused = await RawClient.open(server, { key: app.key, established: false });
    const error = await refused.nextEvent('pusher:error');
    assert.equal(errorOf(error).code, 4004, error.raw);
    assert.equal((await refused.waitClosed()).code, 4004);
    assert.ok(!refused.messages.some((m) => m.event === 'pusher:connection_established'), refused.summary());

    await assertServerServes(server); // other apps are not capped
    await first.close();
    await eventually(
      async () => {
        const again = await RawClient.open(server, { key: app.key, established: false });
        const reply = await again.next((m) => m.event === 'pusher:connection_established' || m.event === 'pusher:error');
        if (reply.event !== 'pusher:connection_established') await again.close();
        return reply.event === 'pusher:connection_established';
      },
      { ms: 3000, intervalMs: 200, what: 'a connection once a slot was freed' },
    );
  });
});

// Pusher's documented limits: 10 KB (10,240 bytes) of `data` per event, up to 10 events per batch.
const PUSHER_DATA_BYTES = 10240;
const PUSHER_BATCH = 10;
/** `bytes` of event data; with `escaped`, half of it is '"', so the JSON body carries 1.5 × as much. */
const dataOf = (bytes, escaped = false) => (escaped ? '"x'.repeat(bytes / 2) : 'd'.repeat(bytes));

describe('Pusher size limits with the default max_request_size', () => {
  it('one event with 10,240 bytes of data is delivered (the SDK sends it as is)', async () => {
    const channel = uniqueName('pusher-max-');
    const client = await RawClient.open(server);
    await client.subscribeOk(channel);
    const data = dataOf(PUSHER_DATA_BYTES, true);
    const res = await serverSdk(server).trigger(channel, 'full', data);
    assert.equal(res.status, 200);
    assert.equal((await client.nextEvent('full', channel)).data, data);
  });

  it('a batch of 10 events with 10,240 bytes of data each is delivered', async () => {
    const channel = uniqueName('pusher-batch-');
    const client = await RawClient.open(server);
    await client.subscribeOk(channel);
    const batch = Array.from({ length: PUSHER_BATCH }, (_, i) => ({
      channel,
      name: `full-${i}`,
      data: dataOf(PUSHER_DATA_BYTES, i % 2 === 0),
    }));
    const res = await serverSdk(server).triggerBatch(batch);
    assert.equal(res.status, 200);
    for (const [i, event] of batch.entries()) {
      assert.equal((await client.nextEvent(`full-${i}`, channel)).data, event.data, `event ${i}`);
    }
  });

  it('10,241 bytes of data: 413 from the data limit; an 11th event: 400 from the batch limit', async () => {
    const channel = uniqueName('pusher-over-');
    const client = await RawClient.open(server);
    await client.subscribeOk(channel);
    const tooMuch = await httpResult(() => serverSdk(server).trigger(channel, 'over', dataOf(PUSHER_DATA_BYTES + 1)));
    assert.equal(tooMuch.status, 413, tooMuch.body);
    assert.match(tooMuch.body, /max_event_payload_bytes/);
    const batch = Array.from({ length: PUSHER_BATCH + 1 }, (_, i) => ({ channel, name: 'over', data: dataOf(1100) }));
    const tooMany = await httpResult(() => serverSdk(server).triggerBatch(batch));
    assert.equal(tooMany.status, 400, tooMany.body);
    await client.expectNothing((m) => m.event === 'over', 300, 'a refused event');
  });
});

describe('REVERB_MAX_REQUEST_SIZE still sets the body limit', () => {
  const reverbSized = useServer({ env: { REVERB_MAX_REQUEST_SIZE: '10000' } });

  it('10000: a 10,000-byte event and a batch of ten 1.1 KB events get 413, a small event 200', async () => {
    const channel = uniqueName('reverb-sized-');
    const sdk = serverSdk(reverbSized);
    const single = await httpResult(() => sdk.trigger(channel, 'e', dataOf(10000)));
    assert.equal(single.status, 413, single.body);
    assert.match(single.body, /too large/i);
    const batch = Array.from({ length: PUSHER_BATCH }, () => ({ channel, name: 'e', data: dataOf(1100) }));
    const batched = await httpResult(() => sdk.triggerBatch(batch));
    assert.equal(batched.status, 413, batched.body);
    assert.equal((await sdk.trigger(channel, 'e', dataOf(1000))).status, 200);
  });
});
