// The embedded server's webhook spool (server.webhook_spool_dir): events accepted while the receiver
// refuses them survive a SIGTERM and a kill -9 of `resound`; the next start sends them, with the same
// ids, and nothing twice once it was answered 2xx.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS } from './lib/apps.mjs';
import { RawClient, uniqueName } from './lib/raw-client.mjs';
import { RunningServer } from './lib/server.mjs';
import { eventually } from './lib/wait.mjs';
import { startReceiver } from './lib/webhook-receiver.mjs';

const GRACE_MS = 300;
const CHANNELS = 10;
let receiverDown = true; // the receiver answers 500 to everything while "down"
const receiver = await startReceiver({ refuse: () => receiverDown });
const spoolDir = mkdtempSync(join(tmpdir(), 'resound-spool-it-'));
after(async () => {
  await receiver.close();
  rmSync(spoolDir, { recursive: true, force: true });
});

APPS.spooled = {
  id: 'app-spooled',
  key: 'key-spooled',
  secret: 'secret-spooled',
  webhook_grace_ms: GRACE_MS,
  webhook_retry_window_ms: 60000,
  webhooks: [{ url: receiver.url('/spool'), event_types: ['channel_occupied', 'channel_vacated'] }],
};

async function startServer() {
  const server = new RunningServer();
  await server.start({ server: { webhook_spool_dir: spoolDir } });
  return server;
}

/** 10 channels occupied and vacated: 20 events, the occupied ones refused. Returns names and ids. */
async function churnRefused(server) {
  const client = await RawClient.open(server, { key: APPS.spooled.key });
  const channels = Array.from({ length: CHANNELS }, () => uniqueName('spool-'));
  for (const channel of channels) await client.subscribeOk(channel);
  for (const channel of channels) client.send({ event: 'pusher:unsubscribe', data: { channel } });
  await client.roundTrip();
  const refusedOf = () =>
    receiver.requests.filter((r) => r.refused).flatMap((r) => JSON.parse(r.rawBody).events).filter((e) => channels.includes(e.channel));
  // Each channel's occupied is refused and retried; its vacated waits behind it (order per channel),
  // accepted and spooled once the grace period is over.
  await eventually(() => new Set(refusedOf().map((e) => e.id)).size === CHANNELS, {
    ms: 10000,
    what: 'the 10 channel_occupied refused',
  });
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 300));
  client.close();
  return { channels, ids: new Set(refusedOf().map((e) => e.id)) };
}

async function expectDelivered({ channels, ids }) {
  const mine = () => receiver.accepted('/spool').flatMap((r) => JSON.parse(r.rawBody).events).filter((e) => channels.includes(e.channel));
  await eventually(() => new Set(mine().map((e) => e.id)).size === 2 * CHANNELS, { ms: 10000, what: 'all 20 events after the restart' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  const delivered = mine();
  assert.equal(delivered.length, 2 * CHANNELS, 'each event once');
  for (const event of delivered) {
    if (event.name === 'channel_occupied') assert.ok(ids.has(event.id), `${event.channel}: the id it was refused with`);
  }
}

/** Events refused by a down receiver, then `stop` of the server, then a new start: all of them arrive, and the spool marks every one settled. */
async function survivesRestart(stop) {
  receiverDown = true;
  const first = await startServer();
  const produced = await churnRefused(first);
  await stop(first);
  receiverDown = false;
  const second = await startServer();
  try {
    await expectDelivered(produced);
  } finally {
    await second.terminate();
  }
  // Everything delivered is marked settled in the file: a third start has nothing to send.
  const lines = readFileSync(join(spoolDir, 'webhooks.spool'), 'utf8').split('\n').filter(Boolean);
  const added = lines.filter((l) => l.startsWith('+')).map((l) => l.slice(1, l.indexOf('\t')));
  const settled = new Set(lines.filter((l) => l.startsWith('-')).map((l) => l.slice(1)));
  for (const id of added) assert.ok(settled.has(id), `${id} still pending in the spool`);
}

describe('webhook spool (embedded server)', () => {
  it('events pending at SIGTERM are sent by the next start', { timeout: 60000 }, async () => {
    await survivesRestart((server) => server.terminate());
  });

  it('events pending at kill -9 are sent by the next start', { timeout: 60000 }, async () => {
    await survivesRestart(async (server) => {
      server.signal('SIGKILL');
      await server.exited;
    });
  });
});
