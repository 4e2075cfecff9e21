// The bundle's debug console: a console open on resound-monitor's dashboard (its SSE stream) sees
// what happens on every node, relayed through Redis: an API publish made on resound-api and a whisper
// made on the other edge arrive within a second, each stamped with the node it happened on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSdk } from '../integration/lib/clients.mjs';
import { openConsole } from '../integration/lib/console.mjs';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { useCluster } from './lib/cluster.mjs';
import { subscriber } from './lib/observe.mjs';

const PASSWORD = 'relay-test-password';
const cluster = useCluster({ edges: 2, monitor: true, monitorOptions: { env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD } } });

test('an API publish and a whisper on the other edge reach the monitor’s console within a second', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('private-relay-');
  const console_ = await openConsole(cluster.monitor, PASSWORD, { app: cluster.api.apps.main.id });
  try {
    // The monitor registers the console within its check interval and each node polls every second:
    // wait until every node relays, then time the events that matter.
    for (const node of [a, b, cluster.api]) {
      await eventually(
        async () => metric(await (await fetch(`${node.httpUrl}/metrics`)).text(), 'resound_debug_relay_watches') === 1,
        { ms: 5000, what: `${node.name} relaying the console's watch` },
      );
    }
    const listener = await subscriber(a, channel, { user: { id: 'listener' } });
    const whisperer = await subscriber(b, channel, { user: { id: 'whisperer' } });
    await eventually(
      () => new Set(console_.events.filter((e) => e.kind === 'subscribed' && e.channel === channel).map((e) => e.node)).size === 2,
      { ms: 1000, what: 'subscriptions on both edges relayed to the console' },
    );
    const nodes = new Set(console_.events.filter((e) => e.channel === channel).map((e) => e.node));
    assert.ok(![...nodes].includes(''), 'relayed events carry their node id');

    const publishedAt = Date.now();
    assert.equal((await serverSdk(cluster.api).trigger(channel, 'order-shipped', { id: 7 })).status, 200);
    const apiEvent = await eventually(
      () => console_.events.find((e) => e.kind === 'api_event' && e.channel === channel && e.event === 'order-shipped'),
      { ms: 1000, what: 'the API publish on the console within 1 s' },
    );
    assert.ok(apiEvent.receivedAt - publishedAt <= 1000, `api_event after ${apiEvent.receivedAt - publishedAt} ms`);
    assert.equal(apiEvent.bytes, JSON.stringify({ id: 7 }).length);
    assert.ok(apiEvent.node.length > 0, 'stamped with resound-api’s node id');

    const whisperedAt = Date.now();
    assert.ok(whisperer.channel.trigger('client-typing', { who: 'w' }), 'pusher-js sent the whisper');
    const whisper = await eventually(
      () => console_.events.find((e) => e.kind === 'client_event' && e.channel === channel && e.event === 'client-typing'),
      { ms: 1000, what: 'the whisper from edge b on the console within 1 s' },
    );
    assert.ok(whisper.receivedAt - whisperedAt <= 1000, `client_event after ${whisper.receivedAt - whisperedAt} ms`);
    assert.equal(whisper.detail, JSON.stringify({ who: 'w' }));
    const fromB = console_.events.find((e) => e.kind === 'subscribed' && e.channel === channel && e.socket_id === whisper.socket_id);
    assert.ok(fromB, 'the whisper’s socket subscribed on the console too');
    assert.equal(whisper.node, fromB.node);
    listener.pusher.disconnect();
    whisperer.pusher.disconnect();
  } finally {
    await console_.close();
  }
});

/** GET a dashboard JSON path on the monitor with the admin password. */
async function dashboardGet(path) {
  const response = await fetch(`${cluster.monitor.httpUrl}${path}`, {
    headers: { Authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` },
  });
  const body = await response.text();
  assert.equal(response.status, 200, body);
  return JSON.parse(body);
}

function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test('the overview lists every node and its totals agree with the monitor’s /metrics', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('overview-');
  const clients = [await subscriber(a, channel), await subscriber(b, channel), await subscriber(b, channel)];
  // One API error, one API success: both counted on resound-api and summed by the monitor.
  const badAuth = await fetch(`${cluster.api.httpUrl}/apps/${cluster.api.apps.main.id}/events?auth_key=nope`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(badAuth.status, 401);
  assert.equal((await serverSdk(cluster.api).trigger(channel, 'counted', {})).status, 200);

  const overview = await eventually(
    async () => {
      const o = await dashboardGet('/dashboard/api/overview');
      return o.now.totals.connections === 3 && o.now.totals.api_errors >= 1 && o.now.totals.api_requests >= 2 ? o.now : false;
    },
    { ms: 8000, what: 'overview: 3 connections and the API requests counted' },
  );
  assert.equal(overview.redis, 'up');
  const services = overview.nodes.map((n) => n.service).sort();
  assert.deepEqual(services, ['resound-api', 'resound-edge', 'resound-edge', 'resound-monitor']);
  assert.ok(overview.nodes.every((n) => n.up), JSON.stringify(overview.nodes));
  assert.deepEqual(overview.nodes.filter((n) => n.service === 'resound-edge').map((n) => n.connections).sort(), [1, 2]);

  // The same poller snapshot backs both answers: read them back to back and compare.
  const [o, m] = await eventually(
    async () => {
      const first = (await dashboardGet('/dashboard/api/overview')).now;
      const text = await (await fetch(`${cluster.monitor.httpUrl}/metrics`)).text();
      const second = (await dashboardGet('/dashboard/api/overview')).now;
      return JSON.stringify(first.totals) === JSON.stringify(second.totals) ? [first, text] : false;
    },
    { ms: 8000, what: 'a stable overview around one /metrics read' },
  );
  assert.equal(o.totals.connections, metric(m, 'resound_cluster_connections'));
  assert.equal(o.totals.messages_out, metric(m, 'resound_cluster_ws_messages_sent_total'));
  assert.equal(o.totals.api_requests, metric(m, 'resound_cluster_api_requests_total'));
  assert.equal(o.totals.api_errors, metric(m, 'resound_cluster_api_errors_total'));
  assert.equal(o.totals.slow_consumer_closes, metric(m, 'resound_cluster_slow_consumer_disconnects_total'));
  assert.equal(o.totals.rate_limit_hits, metric(m, 'resound_cluster_client_events_rate_limited_total'));
  for (const client of clients) client.pusher.disconnect();
});
