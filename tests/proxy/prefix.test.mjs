// The bundle under a path prefix: every server has server.path_prefix /realtime (REVERB_SERVER_PATH)
// and nginx / Caddy run the recipes with RESOUND_PATH_PREFIX=/realtime, keeping the prefix as the
// recipes do, or stripping it as Coolify's proxies do by default. pusher-js (wsPath), the API (a
// request signed over the canonical /apps/... path, as Laravel's PHP SDK signs behind a prefixed base
// URL) and pusher-js's auth requests work either way; the root paths are not routed.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { authToken, httpsRequest, signedHttps } from './lib/https.mjs';
import { startCaddy, startNginx } from './lib/proxies.mjs';
import { useProxySuite } from './lib/suite.mjs';

const PREFIX = '/realtime';
const proxies = {};
const suite = useProxySuite({
  server: { path_prefix: PREFIX },
  async start({ ca, cluster }) {
    proxies.nginx = await startNginx({ ca, cluster, prefix: PREFIX });
    proxies.caddy = await startCaddy({ ca, cluster, prefix: PREFIX });
    proxies['nginx stripping'] = await startNginx({ ca, cluster, prefix: PREFIX, strip: true });
    proxies['caddy stripping'] = await startCaddy({ ca, cluster, prefix: PREFIX, strip: true });
  },
  async stop() {
    await Promise.allSettled(Object.values(proxies).map((proxy) => proxy.stop()));
  },
});

for (const kind of ['nginx', 'caddy', 'nginx stripping', 'caddy stripping']) {
  it(`${kind} under ${PREFIX}: pusher-js (wsPath, auth endpoint under the prefix) and the API`, async () => {
    const { fleet, app, ca } = suite;
    const proxy = proxies[kind];
    const publicChannel = uniqueName('prefix-public-');
    const privateChannel = uniqueName('private-prefix-');
    const bearer = authToken(app, { channels: ['private-prefix-*'] });
    const group = await fleet.open(4, {
      host: proxy.host,
      port: proxy.port,
      key: app.key,
      wsPath: PREFIX,
      channels: [publicChannel, privateChannel],
      authEndpoint: `${proxy.origin}${PREFIX}/broadcasting/auth`,
      bearer,
    });
    try {
      const report = await fleet.whenSubscribed(group, [publicChannel, privateChannel]);
      assert.deepEqual(report.clients.flatMap((c) => c.subscriptionErrors), []);
      const body = JSON.stringify({ name: 'prefixed', channels: [publicChannel, privateChannel], data: '{"n":1}' });
      const res = await signedHttps(proxy.origin, app, 'POST', '/events', { body, urlPrefix: PREFIX, ca: ca.caPem });
      assert.equal(res.status, 200, res.body);
      await eventually(
        async () => (await fleet.report(group)).clients.every((c) => c.events.filter((e) => e.event === 'prefixed').length === 2),
        { what: 'the event on both channels at every client' },
      );
      const query = await signedHttps(proxy.origin, app, 'GET', `/channels/${publicChannel}`, { urlPrefix: PREFIX, ca: ca.caPem });
      assert.equal(query.status, 200, query.body);
      assert.equal(query.json.occupied, true);
      // Signatures cover the canonical path only: one over the prefixed path is refused.
      const prefixedSignature = await signedHttps(proxy.origin, app, 'GET', `/channels/${publicChannel}`, {
        urlPrefix: PREFIX,
        signedPrefix: PREFIX,
        ca: ca.caPem,
      });
      assert.equal(prefixedSignature.status, 401, prefixedSignature.body);
    } finally {
      await fleet.close(group);
    }
  });

  it(`${kind} under ${PREFIX}: the root paths and /metrics (also under the prefix) are not routed`, async () => {
    const { app, ca } = suite;
    const proxy = proxies[kind];
    const body = JSON.stringify({ name: 'root', channels: ['root'], data: '{}' });
    const root = await signedHttps(proxy.origin, app, 'POST', '/events', { body, ca: ca.caPem });
    assert.equal(root.status, 404, root.body);
    for (const path of ['/metrics', `${PREFIX}/metrics`, `${PREFIX}/ready`, `/app/${app.key}`]) {
      const res = await httpsRequest(`${proxy.origin}${path}`, { ca: ca.caPem });
      assert.equal(res.status, 404, `${path}: ${res.status}`);
      assert.doesNotMatch(res.body, /resound_/);
    }
  });
}
