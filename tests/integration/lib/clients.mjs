// The real client libraries, wired to a test server: the pusher server SDK (signed HTTP API
// calls, channel and user signatures), pusher-js (node build) and Laravel Echo on top of it.
import { Echo, PusherClient, PusherServer } from './deps.mjs';
import { RawClient, uniqueName } from './raw-client.mjs';
import { deferred, withTimeout } from './wait.mjs';

/** 32 random-looking bytes, base64: the app server's end-to-end encryption master key. */
export const ENCRYPTION_MASTER_KEY_BASE64 = Buffer.from('resound-integration-master-key!!').toString('base64');

/** The official server SDK for `app`, talking to the test server. */
export function serverSdk(server, app = server.apps.main, overrides = {}) {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: server.host,
    port: server.port,
    useTLS: false,
    timeout: 5000,
    encryptionMasterKeyBase64: ENCRYPTION_MASTER_KEY_BASE64,
    ...overrides,
  });
}

/** SDK call whose failure is returned instead of thrown: {status, body, json}. */
export async function httpResult(call) {
  try {
    const res = await call();
    const body = await res.text();
    return { status: res.status, body, json: parseJson(body) };
  } catch (err) {
    if (err.status === undefined) throw err; // network failure, not an HTTP status
    return { status: err.status, body: err.body, json: parseJson(err.body) };
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * pusher-js options for the test server. Channel auth and user sign-in are signed in-process by
 * the server SDK (what a Laravel backend's /broadcasting/auth does): `user` is {id, info} and
 * `signer` may be an SDK with a wrong secret to produce bad signatures.
 */
export function pusherJsOptions(server, { app = server.apps.main, user, signer, ...extra } = {}) {
  const sdk = signer ?? serverSdk(server, app);
  return {
    wsHost: server.host,
    wsPort: server.port,
    wssPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    cluster: 'mt1',
    enableStats: false,
    authorizer: (channel) => ({
      authorize: (socketId, callback) => {
        try {
          const presence = channel.name.startsWith('presence-') && user ? { user_id: user.id, user_info: user.info } : undefined;
          callback(null, sdk.authorizeChannel(socketId, channel.name, presence));
        } catch (err) {
          callback(err, null);
        }
      },
    }),
    userAuthentication: {
      customHandler: ({ socketId }, callback) => {
        try {
          callback(null, sdk.authenticateUser(socketId, { id: String(user?.id ?? 'anonymous'), user_info: user?.info }));
        } catch (err) {
          callback(err, null);
        }
      },
    },
    ...extra,
  };
}

/** Resolves once a pusher-js connection is in state `connected`. */
export function whenConnected(pusher, what = 'pusher-js to connect') {
  if (pusher.connection.state === 'connected') return Promise.resolve(pusher);
  const { promise, resolve, reject } = deferred();
  pusher.connection.bind('connected', () => resolve(pusher));
  pusher.connection.bind('failed', () => reject(new Error('pusher-js connection failed')));
  return withTimeout(promise, 5000, what);
}

/** A connected pusher-js client (closed after the test). */
export async function pusherJs(server, options = {}) {
  const pusher = server.track(new PusherClient(options.app?.key ?? server.apps.main.key, pusherJsOptions(server, options)));
  return whenConnected(pusher);
}

/** Resolves with the channel once pusher-js reports pusher:subscription_succeeded. */
export function whenSubscribed(channel) {
  if (channel.subscribed) return Promise.resolve(channel);
  const { promise, resolve, reject } = deferred();
  channel.bind('pusher:subscription_succeeded', () => resolve(channel));
  channel.bind('pusher:subscription_error', (err) =>
    reject(new Error(`subscription to ${channel.name} failed: ${JSON.stringify(err)}`)),
  );
  return withTimeout(promise, 5000, `subscription to ${channel.name}`);
}

/** A Laravel Echo instance over pusher-js (`broadcaster` 'reverb' or 'pusher'), connected. */
export async function echo(server, { broadcaster = 'reverb', ...options } = {}) {
  const app = options.app ?? server.apps.main;
  const instance = server.track(
    new Echo({
      broadcaster,
      key: app.key,
      Pusher: PusherClient,
      ...pusherJsOptions(server, options),
    }),
  );
  await whenConnected(instance.connector.pusher, `Echo (${broadcaster}) to connect`);
  return instance;
}

/**
 * Proves the server still serves clients: a fresh connection subscribes to a fresh public
 * channel and receives an event published through the HTTP API.
 */
export async function assertServerServes(server) {
  const client = await RawClient.open(server);
  const channel = uniqueName('liveness-');
  await client.subscribeOk(channel);
  const res = await serverSdk(server).trigger(channel, 'liveness', { ok: true });
  if (res.status !== 200) throw new Error(`liveness publish answered ${res.status}`);
  const event = await client.nextEvent('liveness', channel, { what: 'the liveness event' });
  await client.close();
  return event;
}

/** Resolves with the data of the first `event` a pusher-js channel (or user facade) emits. */
export function deferredEvent(emitter, event, timeout = 5000) {
  const { promise, resolve } = deferred();
  emitter.bind(event, (data, metadata) => resolve(data));
  return withTimeout(promise, timeout, `pusher-js event ${event}${emitter.name ? ` on ${emitter.name}` : ''}`);
}
