// Per-app limits: presence members per channel, presence user_info size, connections per app.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertServerServes, serverSdk } from './lib/clients.mjs';
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
