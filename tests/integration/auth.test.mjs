// The auth verifier (resound-auth, docs/auth-verifier.md) in front of the real server: pusher-js uses
// it as its channel-authorization and user-authentication endpoint with a Bearer JWT minted here, and
// receives events the pusher SDK publishes (encrypted ones too). RESOUND_AUTH_BIN names the binary.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { APPS, configYaml } from './lib/apps.mjs';
import { ENCRYPTION_MASTER_KEY_BASE64, deferredEvent, pusherJsOptions, serverSdk, whenConnected, whenSubscribed } from './lib/clients.mjs';
import { PusherClient } from './lib/deps.mjs';
import { uniqueName } from './lib/raw-client.mjs';
import { serviceBinary, useServer } from './lib/server.mjs';
import { deferred, eventually, withTimeout } from './lib/wait.mjs';

const JWT_SECRET = 'integration-jwt-secret-0123456789abcdef';

/** The server's main app plus what only the verifier uses: the tokens' key and the encryption master key. */
const VERIFIED_APP = { ...APPS.main, jwt_secret: JWT_SECRET, encryption_master_key: ENCRYPTION_MASTER_KEY_BASE64 };

const server = useServer();
// The same harness as the server's: ready on GET /health, and after the file exit code 0 within 5 s
// of SIGTERM and no sanitizer report anywhere in its output.
const verifier = useServer({
  name: 'resound-auth',
  binary: serviceBinary('resound-auth', 'RESOUND_AUTH_BIN'),
  args: ({ configPath, port }) => ['--config', configPath, '--port', String(port)],
  config: ({ port, logLevel, server: settings }) =>
    configYaml({ port, logLevel, server: settings, apps: [VERIFIED_APP] }),
});

/** An HS256 JWT as a Laravel app would issue it (claims per docs/auth-verifier.md). */
function mintToken(claims, secret = JWT_SECRET) {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ app: server.apps.main.id, iat: now, exp: now + 600, ...claims })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** A connected pusher-js client whose auth requests go to the verifier with `token`. */
async function pusherWithToken(token) {
  const { authorizer, userAuthentication, ...options } = pusherJsOptions(server);
  const auth = { transport: 'ajax', headers: { Authorization: `Bearer ${token}` } };
  const pusher = server.track(
    new PusherClient(server.apps.main.key, {
      ...options,
      channelAuthorization: { endpoint: `${verifier.httpUrl}/broadcasting/auth`, ...auth },
      userAuthentication: { endpoint: `${verifier.httpUrl}/user-auth`, ...auth },
    }),
  );
  return whenConnected(pusher);
}

/** Resolves with pusher-js's subscription_error payload (rejects if the subscription succeeds). */
function subscriptionError(channel) {
  const { promise, resolve, reject } = deferred();
  channel.bind('pusher:subscription_error', resolve);
  channel.bind('pusher:subscription_succeeded', () => reject(new Error(`${channel.name} subscribed unexpectedly`)));
  return withTimeout(promise, 5000, `subscription_error on ${channel.name}`);
}

describe('auth verifier with pusher-js and the pusher SDK', () => {
  it('private channel: subscribes with the Bearer token and receives an SDK event', async () => {
    const name = uniqueName('private-orders.');
    const pusher = await pusherWithToken(mintToken({ sub: '42', channels: ['private-orders.*'] }));
    const channel = await whenSubscribed(pusher.subscribe(name));
    const got = deferredEvent(channel, 'shipped');
    await serverSdk(server).trigger(name, 'shipped', { id: 7 });
    assert.deepEqual(await got, { id: 7 });
  });

  it('presence channel: members carry the token subject and user_info', async () => {
    const name = uniqueName('presence-room.');
    const alice = await pusherWithToken(mintToken({ sub: 'alice', user_info: { name: 'Alice' }, channels: [name] }));
    const bob = await pusherWithToken(mintToken({ sub: 'bob', user_info: { name: 'Bob' }, channels: ['presence-room.*'] }));
    const aliceChannel = await whenSubscribed(alice.subscribe(name));
    assert.equal(aliceChannel.members.me.id, 'alice');
    assert.deepEqual(aliceChannel.members.me.info, { name: 'Alice' });

    const joined = deferredEvent(aliceChannel, 'pusher:member_added');
    const bobChannel = await whenSubscribed(bob.subscribe(name));
    assert.deepEqual(await joined, { id: 'bob', info: { name: 'Bob' } });
    assert.equal(bobChannel.members.count, 2);

    const got = deferredEvent(bobChannel, 'message');
    await serverSdk(server).trigger(name, 'message', { text: 'hi' });
    assert.deepEqual(await got, { text: 'hi' });
  });

  it('private-encrypted channel: the shared_secret lets pusher-js decrypt what the SDK encrypted', async () => {
    const name = uniqueName('private-encrypted-vault.');
    const pusher = await pusherWithToken(mintToken({ sub: '42', channels: ['private-encrypted-vault.*'] }));
    const channel = await whenSubscribed(pusher.subscribe(name));
    const secret = { pin: '4711' };
    const got = deferredEvent(channel, 'sealed');
    await serverSdk(server).trigger(name, 'sealed', secret); // SDK with encryptionMasterKeyBase64
    assert.deepEqual(await got, secret);
  });

  it('a channel the token does not list: 403 and pusher:subscription_error', async () => {
    const pusher = await pusherWithToken(mintToken({ sub: '42', channels: ['private-orders.42'] }));
    const error = await subscriptionError(pusher.subscribe('private-orders.43'));
    assert.equal(error.status, 403, JSON.stringify(error));
    // The server still serves this connection.
    await whenSubscribed(pusher.subscribe('private-orders.42'));
  });

  it('an expired or wrongly signed token: 401 with the reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [token, reason] of [
      [mintToken({ sub: '42', channels: ['*'], iat: now - 7200, exp: now - 3600 }), 'token_expired'],
      [mintToken({ sub: '42', channels: ['*'] }, 'another-secret-0123456789abcdef-xyz'), 'bad_signature'],
    ]) {
      const res = await fetch(`${verifier.httpUrl}/auth`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'socket_id=1.2&channel_name=private-x',
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).reason, reason);
    }
    const pusher = await pusherWithToken(mintToken({ sub: '42', channels: ['*'], exp: now - 3600 }));
    assert.equal((await subscriptionError(pusher.subscribe('private-anything'))).status, 401);
  });

  it('user sign-in through /user-auth, then a server-to-user event', async () => {
    const id = uniqueName('user-');
    const pusher = await pusherWithToken(mintToken({ sub: id, user_info: { name: 'Signed In' } }));
    const success = deferredEvent(pusher, 'pusher:signin_success');
    pusher.signin();
    const data = await success;
    assert.deepEqual(JSON.parse(data.user_data), { id, user_info: { name: 'Signed In' } });
    await eventually(() => pusher.user.serverToUserChannel?.subscribed, { what: `#server-to-user-${id} subscribed` });
    const got = deferredEvent(pusher.user, 'notice');
    await serverSdk(server).sendToUser(id, 'notice', { n: 1 });
    assert.deepEqual(await got, { n: 1 });
  });

  it('ForwardAuth, health, readiness and metrics', async () => {
    const ok = await fetch(`${verifier.httpUrl}/forward-auth`, { headers: { Authorization: `Bearer ${mintToken({ sub: '9' })}` } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-resound-user'), '9');
    assert.equal((await fetch(`${verifier.httpUrl}/forward-auth`)).status, 401);
    assert.equal((await fetch(`${verifier.httpUrl}/ready`)).status, 200);
    const metrics = await (await fetch(`${verifier.httpUrl}/metrics`)).text();
    assert.match(metrics, /resound_auth_requests_total\{endpoint="channel",status="200"\} \d+/);
    assert.match(metrics, /resound_auth_failures_total\{reason="channel_not_allowed"\} [1-9]/);
    // The serving loops' own count (service::appendServiceMetrics, wired in resound-auth's main).
    assert.match(metrics, /^resound_loop_registration_failures_total 0$/m);
  });
});
