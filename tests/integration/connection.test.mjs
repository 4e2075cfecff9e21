// Connecting: the handshake, admission errors, heartbeats, malformed input, the CLI and the
// operational endpoints (/health, /up, /metrics) on the same port.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configYaml } from './lib/apps.mjs';
import { assertServerServes, pusherJs } from './lib/clients.mjs';
import { RawClient, dataOf, errorOf } from './lib/raw-client.mjs';
import { freePort, resoundBinary, useServer } from './lib/server.mjs';

const server = useServer();
const SOCKET_ID = /^\d+\.\d+$/;

/** Opens without waiting for connection_established, expects pusher:error `code` then close `code`. */
async function expectRefused(options, code) {
  const client = await RawClient.open(server, { ...options, established: false });
  const error = await client.nextEvent('pusher:error');
  assert.equal(errorOf(error).code, code, `pusher:error code; got ${error.raw}`);
  const closed = await client.waitClosed();
  assert.equal(closed.code, code, 'WebSocket close code');
  assert.ok(
    !client.messages.some((m) => m.event === 'pusher:connection_established'),
    `a refused connection must not get connection_established; got ${client.summary()}`,
  );
  await assertServerServes(server);
  return error;
}

describe('handshake', () => {
  it('pusher-js connects and gets a socket id', async () => {
    const pusher = await pusherJs(server);
    assert.equal(pusher.connection.state, 'connected');
    assert.match(pusher.connection.socket_id, SOCKET_ID);
  });

  it('connection_established carries socket_id and the app activity_timeout as a JSON string', async () => {
    const client = await RawClient.open(server);
    const hello = client.established;
    assert.equal(typeof hello.data, 'string', `data must be a JSON string: ${hello.raw}`);
    const data = JSON.parse(hello.data);
    assert.match(data.socket_id, SOCKET_ID);
    assert.equal(data.activity_timeout, server.apps.main.activity_timeout);
  });

  it('gives every connection a different socket id', async () => {
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => RawClient.open(server)));
    const ids = new Set(clients.map((c) => c.socketId));
    assert.equal(ids.size, clients.length, `socket ids: ${[...ids].join(', ')}`);
  });

  it('accepts protocol 5, 6 and 7', async () => {
    for (const protocol of [5, 6, 7]) {
      const client = await RawClient.open(server, { query: `protocol=${protocol}&client=js&version=8.6.0` });
      assert.match(client.socketId, SOCKET_ID, `protocol=${protocol}`);
    }
  });
});

describe('admission errors', () => {
  it('unknown app key: pusher:error 4001, then close 4001', async () => {
    await expectRefused({ key: 'no-such-key' }, 4001);
  });

  it('pusher:error data is an object {code, message} as Pusher sends it', async () => {
    const client = await RawClient.open(server, { key: 'no-such-key', established: false });
    const error = await client.nextEvent('pusher:error');
    assert.equal(typeof error.data, 'object', `data should be an object, got ${error.raw}`);
    assert.equal(typeof error.data.code, 'number');
    assert.equal(typeof error.data.message, 'string');
  });

  it('origin not in allowed_origins: pusher:error 4009, then close 4009', async () => {
    await expectRefused({ key: server.apps.origin.key, origin: 'https://evil.example.net' }, 4009);
  });

  it('origin in allowed_origins is admitted', async () => {
    const client = await RawClient.open(server, { key: server.apps.origin.key, origin: 'https://example.com' });
    assert.match(client.socketId, SOCKET_ID);
  });

  it('no protocol parameter: 4008', async () => {
    await expectRefused({ query: 'client=js&version=8.6.0' }, 4008);
  });

  it('protocol below 5: 4007 (unsupported protocol version)', async () => {
    await expectRefused({ query: 'protocol=4&client=js&version=8.6.0' }, 4007);
  });

  it('non-numeric protocol: 4006 (invalid version string)', async () => {
    await expectRefused({ query: 'protocol=seven&client=js&version=8.6.0' }, 4006);
  });
});

describe('heartbeats', () => {
  it('answers pusher:ping with pusher:pong', async () => {
    const client = await RawClient.open(server);
    client.send({ event: 'pusher:ping', data: {} });
    const pong = await client.nextEvent('pusher:pong');
    assert.equal(pong.channel, undefined);
  });

  it('answers an RFC 6455 ping frame with a pong frame carrying the same payload', async () => {
    const client = await RawClient.open(server);
    client.ws.ping(Buffer.from('are-you-there'));
    await client.roundTrip(); // the pong frame is sent before any later reply
    assert.deepEqual(client.pongFrames, ['are-you-there']);
  });

  it('sends pusher:ping after ping_interval of silence, then closes 4201 without a pong', async () => {
    const app = server.apps.fastPing;
    const client = await RawClient.open(server, { key: app.key });
    assert.equal(dataOf(client.established).activity_timeout, app.activity_timeout);
    const opened = Date.now();
    await client.nextEvent('pusher:ping', undefined, { timeout: (app.ping_interval + 4) * 1000 });
    const silentFor = Date.now() - opened;
    assert.ok(silentFor >= (app.ping_interval - 1) * 1000, `pinged after only ${silentFor} ms of silence`);
    const closed = await client.waitClosed((app.pong_timeout + 4) * 1000);
    assert.equal(closed.code, 4201, `close code; messages: ${client.summary()}`);
    await assertServerServes(server);
  });

  it('keeps a client that answers every pusher:ping with pusher:pong', async () => {
    const app = server.apps.fastPing;
    const client = await RawClient.open(server, { key: app.key });
    // Answer like pusher-js for long enough that an ignored pong would have meant a 4201 close.
    const deadline = Date.now() + (app.ping_interval + app.pong_timeout + 3) * 1000;
    let answered = 0;
    while (Date.now() < deadline) {
      try {
        await client.nextEvent('pusher:ping', undefined, { timeout: Math.max(1, deadline - Date.now()) });
      } catch (err) {
        if (!client.isOpen) throw err;
        break;
      }
      client.send({ event: 'pusher:pong', data: {} });
      answered += 1;
    }
    assert.ok(answered >= 1, 'the server never pinged');
    assert.ok(client.isOpen, `closed: ${JSON.stringify(client.closeInfo)}; messages: ${client.summary()}`);
    await client.roundTrip();
  });
});

describe('malformed input', () => {
  const badMessages = {
    'truncated JSON': '{"event":"pusher:ping",',
    'not JSON at all': 'hello there',
    'a JSON array': '[1,2,3]',
    'a JSON string': '"pusher:ping"',
    'an object without event': '{"data":{}}',
    'an unknown pusher: event': '{"event":"pusher:no_such_event","data":{}}',
  };
  for (const [label, text] of Object.entries(badMessages)) {
    it(`${label}: pusher:error, and the connection keeps working`, async () => {
      const client = await RawClient.open(server);
      client.send(text);
      const error = await client.nextEvent('pusher:error');
      assert.equal(typeof errorOf(error).code, 'number', `pusher:error without a numeric code: ${error.raw}`);
      await client.roundTrip();
      assert.ok(client.isOpen);
      await assertServerServes(server);
    });
  }
});

describe('operational endpoints', () => {
  it('GET /health: 200 JSON with status, version, uptime and connections', async () => {
    const client = await RawClient.open(server);
    const res = await fetch(`${server.httpUrl}/health`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = await res.json();
    assert.equal(typeof body.status, 'string', JSON.stringify(body));
    assert.equal(typeof body.version, 'string', JSON.stringify(body));
    const uptimeKey = Object.keys(body).find((k) => k.startsWith('uptime'));
    assert.ok(uptimeKey && typeof body[uptimeKey] === 'number', `no numeric uptime in ${JSON.stringify(body)}`);
    assert.equal(typeof body.connections, 'number', JSON.stringify(body));
    assert.ok(body.connections >= 1, `connections with one client open: ${body.connections}`);
    assert.ok(client.isOpen);
  });

  it('GET /up: {"health":"OK"} as Reverb answers', async () => {
    const res = await fetch(`${server.httpUrl}/up`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { health: 'OK' });
  });

  it('GET /metrics: Prometheus text with resound_ metrics', async () => {
    const res = await fetch(`${server.httpUrl}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.match(text, /^# TYPE resound_\w+ (counter|gauge|histogram|summary)$/m);
    assert.match(text, /^resound_\w+(\{[^}]*\})? -?[0-9.eE+-]+$/m);
    // Event-loop iteration times (a stalled loop shows in the high buckets and the max).
    assert.match(text, /^# TYPE resound_event_loop_iteration_seconds histogram$/m);
    assert.match(text, /^resound_event_loop_iteration_seconds_bucket\{le="0\.005"\} \d+$/m);
    const count = Number(text.match(/^resound_event_loop_iteration_seconds_count (\d+)$/m)?.[1]);
    assert.ok(count > 0, 'iterations counted');
    assert.match(text, /^resound_event_loop_iteration_max_seconds [0-9.eE+-]+$/m);
    // Connections epoll refused, counted by the I/O threads' event loops: one family, none refused here.
    assert.equal(text.match(/^# TYPE resound_loop_registration_failures_total counter$/gm)?.length, 1, text);
    assert.match(text, /^resound_loop_registration_failures_total 0$/m);
  });
});

describe('command line', () => {
  const run = (...args) => spawnSync(resoundBinary(), args, { encoding: 'utf8', timeout: 5000 });

  it('--version prints the version and exits 0', async () => {
    const out = run('--version');
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /\d+\.\d+\.\d+/);
    const health = await (await fetch(`${server.httpUrl}/health`)).json();
    assert.ok(out.stdout.includes(health.version), `--version "${out.stdout.trim()}" vs /health "${health.version}"`);
  });

  it('--help mentions --config and exits 0', () => {
    const out = run('--help');
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout + out.stderr, /--config/);
  });

  it('a missing config file is a start-up error (non-zero exit)', () => {
    const out = run('--config', '/nonexistent/resound-it.yaml');
    assert.equal(out.error, undefined, `did not exit within 5 s: ${out.error?.message}`);
    assert.notEqual(out.status, 0);
  });

  // Without SHA-1 no accept key can be computed: every client would fail its handshake, so the server
  // checks at start-up (ws::acceptKeysWork). OpenSSL loading only its "null" provider has no SHA-1.
  it('an OpenSSL that cannot compute accept keys is a start-up error, not failed handshakes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'resound-it-'));
    try {
      const opensslConf = join(dir, 'openssl.cnf');
      const nullProviderOnly = ['openssl_conf = init', '[init]', 'providers = providers', '[providers]',
        'null = null', '[null]', 'activate = 1', ''];
      writeFileSync(opensslConf, nullProviderOnly.join('\n'));
      const configPath = join(dir, 'config.yaml');
      writeFileSync(configPath, configYaml({ port: await freePort() }));
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^(REVERB_|RESOUND_|REDIS_)/.test(name)),
      );
      const out = spawnSync(resoundBinary(), ['--config', configPath], {
        encoding: 'utf8',
        timeout: 10000,
        env: { ...env, OPENSSL_CONF: opensslConf },
      });
      assert.equal(out.error, undefined, `did not exit within 10 s: ${out.error?.message}`);
      assert.equal(out.status, 1, out.stdout + out.stderr);
      assert.match(out.stdout + out.stderr, /cannot compute WebSocket accept keys/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
