// A server mounted under a path prefix (server.path_prefix, like REVERB_SERVER_PATH): pusher-js
// with wsPath connects under it, and API requests signed over /apps/{id}/... (what the PHP SDK
// signs even with a prefixed base URL) are accepted whether or not a proxy stripped the prefix.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { pusherJs, serverSdk, whenSubscribed } from './lib/clients.mjs';
import { signedFetch } from './lib/http.mjs';
import { RawClient, uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';

const PREFIX = '/realtime';
const server = useServer({ server: { path_prefix: PREFIX } });

it('pusher-js with wsPath connects under the prefix and receives events', async () => {
  const pusher = await pusherJs(server, { wsPath: PREFIX });
  const channel = await whenSubscribed(pusher.subscribe(uniqueName('prefixed-')));
  const got = new Promise((resolve) => channel.bind('hello', resolve));
  await serverSdk(server).trigger(channel.name, 'hello', { via: 'sdk' });
  assert.deepEqual(await got, { via: 'sdk' });
});

it('a raw client connects at /realtime/app/{key}', async () => {
  const url = `ws://${server.host}:${server.port}${PREFIX}/app/${server.apps.main.key}?protocol=7&client=js&version=8.6.0`;
  const client = await RawClient.open(server, { url });
  assert.match(client.socketId, /^\d+\.\d+$/);
});

it('a request to /realtime/apps/{id}/events signed over /apps/{id}/events: 200 and delivered', async () => {
  const channel = uniqueName('prefixed-api-');
  const client = await RawClient.open(server);
  await client.subscribeOk(channel);
  const result = await signedFetch(server, server.apps.main, 'POST', '/events', {
    body: JSON.stringify({ name: 'via-prefix', channels: [channel], data: '{}' }),
    urlPrefix: PREFIX,
  });
  assert.equal(result.status, 200, result.body);
  await client.nextEvent('via-prefix', channel);
});
