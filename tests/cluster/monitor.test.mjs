// resound-monitor over a live bundle: /health lists every node with its status and aggregates
// their connections; /metrics totals are the sums over both edges; a killed edge turns down.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverSdk } from '../integration/lib/clients.mjs';
import { RawClient, uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { CLUSTER_TIMINGS, MONITOR_STALE_AFTER_S, getJson, useCluster } from './lib/cluster.mjs';

const cluster = useCluster({ edges: 2, monitor: true });

/** Value of one Prometheus sample (`name` with its exact label set), or undefined. */
function metric(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function monitorHealth() {
  const res = await getJson(cluster.monitor, '/health');
  assert.equal(res.status, 200, res.body);
  return res.json;
}

test('/health and /metrics aggregate the connections and messages of both edges', async () => {
  const [a, b] = cluster.edges;
  const channel = uniqueName('monitored-');
  const onA = [await RawClient.open(a), await RawClient.open(a), await RawClient.open(a)];
  const onB = [await RawClient.open(b), await RawClient.open(b)];
  for (const client of [...onA, ...onB]) await client.subscribeOk(channel);
  assert.equal((await serverSdk(cluster.api).trigger(channel, 'counted', {})).status, 200);
  for (const client of [...onA, ...onB]) await client.nextEvent('counted', channel);

  const health = await eventually(
    async () => {
      const h = await monitorHealth();
      return h.redis === 'up' && h.nodes_up === 3 && h.totals.connections === 5 ? h : false;
    },
    { ms: 6000, what: 'monitor /health: 3 nodes up, 5 connections' },
  );
  assert.equal(health.cluster, 'ok');
  const services = health.nodes.map((n) => n.service).sort();
  assert.deepEqual(services, ['resound-api', 'resound-edge', 'resound-edge']);
  const edgeConnections = health.nodes.filter((n) => n.service === 'resound-edge').map((n) => n.connections).sort();
  assert.deepEqual(edgeConnections, [2, 3]);
  assert.ok(health.totals.messages_out >= 5, `messages_out ${health.totals.messages_out}`);

  const metrics = await getJson(cluster.monitor, '/metrics');
  assert.equal(metrics.status, 200);
  assert.equal(metric(metrics.body, 'resound_redis_up'), 1);
  // The monitor's own HTTP loops (service::appendServiceMetrics, wired in resound-monitor's main).
  assert.equal(metric(metrics.body, 'resound_loop_registration_failures_total'), 0, metrics.body);
  assert.equal(metric(metrics.body, 'resound_cluster_connections'), 5, metrics.body);
  assert.ok(metric(metrics.body, 'resound_cluster_ws_messages_sent_total') >= 5, metrics.body);
  assert.equal(metric(metrics.body, 'resound_cluster_nodes{service="resound-edge",state="up"}'), 2, metrics.body);
});

test('a killed edge is reported down, then reaped, and drops out of the totals', async () => {
  const [, victim] = cluster.edges;
  await RawClient.open(victim);
  const killedAt = Date.now();
  victim.signal('SIGKILL');
  await victim.exited;

  const bound = CLUSTER_TIMINGS.node_lease_ms + CLUSTER_TIMINGS.reaper_interval_ms + 4000;
  const health = await eventually(
    async () => {
      const h = await monitorHealth();
      const edges = h.nodes.filter((n) => n.service === 'resound-edge');
      return edges.some((n) => !n.up) && h.nodes_up === 2 ? h : false;
    },
    { ms: bound, what: 'the killed edge reported down' },
  );
  console.log(`# monitor reported the killed edge down after ${Date.now() - killedAt} ms (--stale-after ${MONITOR_STALE_AFTER_S} s)`);
  assert.equal(health.cluster, 'degraded');
  assert.equal(health.totals.connections, 0, 'only up nodes are counted');
  const metrics = await getJson(cluster.monitor, '/metrics');
  assert.equal(metric(metrics.body, 'resound_cluster_nodes{service="resound-edge",state="down"}'), 1, metrics.body);
});
