// nginx and Caddy, run from the recipes in deploy/proxy/ exactly as docs/proxies.md shows them, in
// front of two resound-edge, resound-api and resound-auth over Redis, with TLS from a throwaway CA:
// pusher-js over wss:// lands on both edges, the pusher SDK over https:// reaches the API, the auth
// paths reach resound-auth (pusher-js's own auth requests included), and nothing else is public.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson } from '../cluster/lib/cluster.mjs';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually, sleep } from '../integration/lib/wait.mjs';
import { ClientFleet } from './lib/fleet.mjs';
import { authToken, httpsRequest, sdkThroughProxy, signedHttps } from './lib/https.mjs';
import { startCaddy, startNginx } from './lib/proxies.mjs';
import { edgeConnections, useProxySuite } from './lib/suite.mjs';

const PREFIX = '/realtime';
const proxies = {};
const suite = useProxySuite({
  async start({ ca, cluster }) {
    proxies.nginx = await startNginx({ ca, cluster });
    proxies.caddy = await startCaddy({ ca, cluster });
    // A proxy under /realtime that strips the prefix (Coolify's default), in front of servers that
    // know nothing about it; and one that keeps it, in front of the same servers.
    proxies.nginxStrip = await startNginx({ ca, cluster, prefix: PREFIX, strip: true });
    proxies.caddyStrip = await startCaddy({ ca, cluster, prefix: PREFIX, strip: true });
    proxies.nginxKeep = await startNginx({ ca, cluster, prefix: PREFIX });
    proxies.caddyKeep = await startCaddy({ ca, cluster, prefix: PREFIX });
  },
  async stop() {
    await Promise.allSettled(Object.values(proxies).map((proxy) => proxy.stop()));
  },
});

/** pusher-js options for clients going through `proxy` (auth endpoints through the proxy too). */
function clientOptions(proxy, { prefix = '', channels = [], bearer, signin = false } = {}) {
  return {
    host: proxy.host,
    port: proxy.port,
    key: suite.app.key,
    wsPath: prefix,
    channels,
    authEndpoint: `${proxy.origin}${prefix}/broadcasting/auth`,
    userAuthEndpoint: `${proxy.origin}${prefix}/broadcasting/user-auth`,
    bearer,
    signin,
  };
}

/** Events named `event` each client of a report received, per client. */
const received = (report, event) => report.clients.map((c) => c.events.filter((e) => e.event === event));

for (const kind of ['nginx', 'caddy']) {
  describe(`${kind} (deploy/proxy recipe)`, () => {
    it('spreads pusher-js over wss:// across both edges; SDK events over https:// reach every client once', async () => {
      const { fleet, cluster, app, ca } = suite;
      const proxy = proxies[kind];
      const channel = uniqueName('proxy-public-');
      const before = await Promise.all(cluster.edges.map(edgeConnections));
      const group = await fleet.open(12, clientOptions(proxy, { channels: [channel] }));
      try {
        await fleet.whenSubscribed(group, [channel]);
        let added;
        await eventually(async () => {
          const after = await Promise.all(cluster.edges.map(edgeConnections));
          added = after.map((n, i) => n - before[i]);
          return added[0] + added[1] === 12;
        }, { what: 'the edges to count the 12 new connections' }).catch((err) => assert.fail(`${err.message} (added per edge: ${added})`));
        // nginx: round robin; Caddy: random (all on one edge with probability 2^-11).
        assert.ok(added.every((n) => n > 0), `both edges get clients through ${kind}: ${added}`);

        const res = await sdkThroughProxy(proxy, app, ca.caPem).trigger(channel, 'hello', { via: kind });
        assert.equal(res.status, 200);
        await eventually(async () => received(await fleet.report(group), 'hello').every((list) => list.length >= 1), {
          ms: 5000,
          what: 'every client to receive the event',
        });
        await sleep(300); // a duplicate would arrive within this
        const lists = received(await fleet.report(group), 'hello');
        assert.ok(lists.every((list) => list.length === 1), `each client exactly once: ${lists.map((l) => l.length)}`);
        assert.deepEqual(lists[0][0].data, { via: kind });
      } finally {
        await fleet.close(group);
      }
    });

    it('serves the SDK\'s channel queries through https:// (counted over both edges)', async () => {
      const { fleet, app, ca } = suite;
      const proxy = proxies[kind];
      const channel = uniqueName('proxy-query-');
      const group = await fleet.open(4, clientOptions(proxy, { channels: [channel] }));
      try {
        await fleet.whenSubscribed(group, [channel]);
        const res = await sdkThroughProxy(proxy, app, ca.caPem).get({ path: `/channels/${channel}`, params: { info: 'subscription_count' } });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { occupied: true, subscription_count: 4 });
      } finally {
        await fleet.close(group);
      }
    });

    it('routes pusher-js\'s channel auth and sign-in to resound-auth (private, presence, user)', async () => {
      const { fleet, app, ca } = suite;
      const proxy = proxies[kind];
      const privateChannel = uniqueName('private-proxy-');
      const presenceChannel = uniqueName('presence-proxy-');
      const bearer = authToken(app, { sub: `u-${kind}`, channels: ['private-proxy-*', 'presence-proxy-*'], userInfo: { name: kind } });
      const group = await fleet.open(2, clientOptions(proxy, { channels: [privateChannel, presenceChannel], bearer, signin: true }));
      try {
        await fleet.whenSubscribed(group, [privateChannel, presenceChannel]);
        const report = await eventually(async () => {
          const r = await fleet.report(group);
          return r.clients.every((c) => c.signedIn) && r;
        }, { what: 'pusher-js to sign in through /broadcasting/user-auth' });
        for (const client of report.clients) {
          assert.deepEqual(client.subscriptionErrors, []);
          assert.equal(client.signedIn.id, `u-${kind}`);
        }
        await sdkThroughProxy(proxy, app, ca.caPem).trigger([privateChannel, presenceChannel], 'secret', { n: 1 });
        await eventually(async () => received(await fleet.report(group), 'secret').every((list) => list.length === 2), {
          what: 'the event on the private and the presence channel',
        });
      } finally {
        await fleet.close(group);
      }
    });

    it('answers every auth path resound-auth serves, and refuses a request without a token', async () => {
      const { app, ca } = suite;
      const proxy = proxies[kind];
      const bearer = authToken(app, { channels: ['private-x'] });
      for (const path of ['/auth', '/broadcasting/auth']) {
        const res = await httpsRequest(`${proxy.origin}${path}`, {
          method: 'POST',
          ca: ca.caPem,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'socket_id=123.456&channel_name=private-x',
        });
        assert.equal(res.status, 200, `${path}: ${res.body}`);
        assert.match(res.json.auth, new RegExp(`^${app.key}:[0-9a-f]{64}$`));
      }
      for (const path of ['/user-auth', '/broadcasting/user-auth']) {
        const res = await httpsRequest(`${proxy.origin}${path}`, {
          method: 'POST',
          ca: ca.caPem,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'socket_id=123.456',
        });
        assert.equal(res.status, 200, `${path}: ${res.body}`);
        assert.equal(JSON.parse(res.json.user_data).id, 'proxy-user');
      }
      const refused = await httpsRequest(`${proxy.origin}/broadcasting/auth`, {
        method: 'POST',
        ca: ca.caPem,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'socket_id=123.456&channel_name=private-x',
      });
      assert.equal(refused.status, 401, refused.body);
    });

    it('keeps /metrics, /health and /ready off the public side; they answer directly', async () => {
      const { cluster, ca } = suite;
      const proxy = proxies[kind];
      for (const path of ['/metrics', '/health', '/ready', '/up', '/', '/app/metrics/x']) {
        const res = await httpsRequest(`${proxy.origin}${path}`, { ca: ca.caPem });
        assert.ok([403, 404].includes(res.status), `${path} through ${kind}: ${res.status} ${res.body.slice(0, 200)}`);
        assert.doesNotMatch(res.body, /resound_/, `${path} through ${kind} leaks metrics`);
      }
      for (const node of [...cluster.edges, cluster.api, cluster.auth]) {
        const res = await getJson(node, '/metrics');
        assert.equal(res.status, 200, `${node.name} /metrics directly`);
        assert.match(res.body, /^# TYPE resound_/m);
      }
    });
  });
}

describe('path prefix /realtime in front of servers without REVERB_SERVER_PATH', () => {
  for (const kind of ['nginx', 'caddy']) {
    it(`${kind} stripping the prefix: pusher-js with wsPath, API signed over /apps/... and auth all work`, async () => {
      const { fleet, app, ca } = suite;
      const proxy = proxies[`${kind}Strip`];
      const channel = uniqueName('private-proxy-strip-');
      const bearer = authToken(app, { channels: ['private-proxy-strip-*'] });
      const group = await fleet.open(2, clientOptions(proxy, { prefix: PREFIX, channels: [channel], bearer }));
      try {
        await fleet.whenSubscribed(group, [channel]);
        const body = JSON.stringify({ name: 'stripped', channels: [channel], data: '{"ok":true}' });
        const res = await signedHttps(proxy.origin, app, 'POST', '/events', { body, urlPrefix: PREFIX, ca: ca.caPem });
        assert.equal(res.status, 200, res.body);
        await eventually(async () => received(await fleet.report(group), 'stripped').every((list) => list.length === 1), {
          what: 'the event published under the prefix',
        });
      } finally {
        await fleet.close(group);
      }
    });

    it(`${kind} keeping the prefix: the edges and the API answer 404 until they are told the prefix`, async () => {
      const { fleet, app, ca } = suite;
      const proxy = proxies[`${kind}Keep`];
      const body = JSON.stringify({ name: 'kept', channels: ['kept'], data: '{}' });
      const res = await signedHttps(proxy.origin, app, 'POST', '/events', { body, urlPrefix: PREFIX, ca: ca.caPem });
      assert.equal(res.status, 404, res.body);
      const group = await fleet.open(1, clientOptions(proxy, { prefix: PREFIX }));
      try {
        await eventually(async () => (await fleet.report(group)).handshakes.failures.some((f) => f.url.includes(`:${proxy.port}${PREFIX}/app/`)), {
          what: 'a refused WebSocket handshake under the prefix',
        });
        assert.notEqual((await fleet.report(group)).clients[0].state, 'connected');
      } finally {
        await fleet.close(group);
      }
    });
  }
});

describe('TLS', () => {
  it('pusher-js without the CA (no NODE_EXTRA_CA_CERTS) cannot connect: the certificate really is checked', async () => {
    const { cluster } = suite;
    const proxy = proxies.caddy;
    const before = await Promise.all(cluster.edges.map(edgeConnections));
    const untrusting = await ClientFleet.start(null);
    try {
      const group = await untrusting.open(1, clientOptions(proxy, { channels: ['tls-check'] }));
      const report = await eventually(
        async () => {
          const r = await untrusting.report(group);
          return r.handshakes.failed >= 1 ? r : null;
        },
        { what: 'a failed TLS handshake' },
      );
      assert.equal(report.handshakes.opened, 0);
      assert.notEqual(report.clients[0].state, 'connected');
      assert.match(JSON.stringify(report.handshakes.failures), /certificate|self.signed|issuer/i);
      assert.deepEqual(await Promise.all(cluster.edges.map(edgeConnections)), before);
    } finally {
      await untrusting.stop();
    }
  });
});
