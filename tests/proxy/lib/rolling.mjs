// The rolling-restart scenario: pusher-js clients connected through a proxy, events published through
// it at a steady rate with sequence numbers, each edge restarted in turn (SIGTERM, exit, a new edge on
// the same port, ready, back in the proxy's rotation). Everything is measured at the clients (lib/
// fleet-child.mjs): failed WebSocket handshakes, disconnects, duplicates, and events missed compared
// with the events published while each client was away.
import { uniqueName } from '../../integration/lib/raw-client.mjs';
import { eventually, sleep } from '../../integration/lib/wait.mjs';
import { sdkThroughProxy } from './https.mjs';
import { getJson } from '../../cluster/lib/cluster.mjs';
import { edgeConnections } from './suite.mjs';

/** An event published up to this long before a client saw its connection close may be lost with it. */
export const LOSS_MARGIN_MS = 250;
const MAX_PUBLISH_S = 60;

/** Publishes `seq` events {seq} to one channel at `rate` per second until stopped (bounded). */
class Publisher {
  constructor(sdk, channel, rate) {
    Object.assign(this, { sdk, channel, rate, records: [], inflight: new Set(), stopped: false });
  }

  start() {
    this.done = this.loop();
    return this;
  }

  async loop() {
    const startedAt = Date.now();
    for (let seq = 1; !this.stopped && seq <= MAX_PUBLISH_S * this.rate; seq += 1) {
      await sleep(Math.max(0, startedAt + ((seq - 1) * 1000) / this.rate - Date.now()));
      if (this.stopped) break;
      const record = { seq, t0: Date.now(), t1: null, status: null };
      this.records.push(record);
      const call = this.sdk
        .trigger(this.channel, 'seq', { seq })
        .then(
          (res) => (record.status = res.status),
          (err) => {
            record.status = err.status ?? 0;
            record.error = err.message;
          },
        )
        .finally(() => {
          record.t1 = Date.now();
          this.inflight.delete(call);
        });
      this.inflight.add(call);
    }
  }

  async stop() {
    this.stopped = true;
    await this.done;
    await Promise.allSettled([...this.inflight]);
    return this.records;
  }
}

/** resound_http_requests_total{status="200"} of one node, from its own /metrics. */
async function answered200(node) {
  const { body } = await getJson(node, '/metrics', 1000);
  const line = body.split('\n').find((l) => l.startsWith('resound_http_requests_total{status="200"} '));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/**
 * Resolves just after the proxy's next active health check of `edge` (seen as one more 200 between two
 * of our own /metrics reads, which count one each), so SIGTERM lands a whole interval before the
 * proxy can notice: where it lands in production, where the interval is seconds, not 250 ms. Bounded.
 */
async function afterHealthCheck(edge, intervalMs) {
  const deadline = Date.now() + 3 * intervalMs + 500;
  let previous = await answered200(edge);
  while (Date.now() < deadline) {
    await sleep(5);
    const now = await answered200(edge);
    if (now - previous >= 2) return true;
    previous = now;
  }
  return false;
}

/**
 * Runs the scenario; returns the figures (see summarize). `restartServer`: server keys for the new
 * edges (e.g. {shutdown_delay_ms}); `healthIntervalMs`: the proxy's active health-check interval.
 */
export async function rollingRestart({ suite, proxy, clients, rate, restartServer = {}, healthIntervalMs, label }) {
  const activeChecks = proxy.kind === 'caddy';
  const { fleet, cluster, app, ca } = suite;
  const channel = uniqueName('rolling-');
  const group = await fleet.open(clients, {
    host: proxy.host,
    port: proxy.port,
    key: app.key,
    channels: [channel],
    authEndpoint: `${proxy.origin}/broadcasting/auth`,
  });
  try {
    const initial = await fleet.whenSubscribed(group, [channel], { ms: 20000 });
    const handshakesBefore = { ...initial.handshakes, failures: initial.handshakes.failures.length };
    const restarts = [];
    const publisher = new Publisher(sdkThroughProxy(proxy, app, ca.caPem), channel, rate).start();
    await sleep(500);
    for (let i = 0; i < cluster.edges.length; i += 1) {
      const edge = cluster.edges[i];
      const connections = await edgeConnections(edge);
      const aligned = activeChecks ? await afterHealthCheck(edge, healthIntervalMs) : null;
      const sigterm = Date.now();
      const restart = cluster.restartEdge(edge, { server: restartServer, graceMs: 15000 });
      // Lame duck: /ready must turn 503 at once while the edge still answers (with a delay).
      await sleep(50);
      const readyAfterSigterm = await cluster.readiness(edge, 500);
      const { edge: fresh, stopped } = await restart;
      const readyAt = Date.now();
      // Back in the proxy's rotation only after its next health check: wait for a few of them, and
      // for every client to be connected and subscribed again, before the next edge goes.
      await sleep(4 * healthIntervalMs);
      await eventually(
        async () => (await fleet.report(group)).clients.every((c) => c.state === 'connected' && c.gaps.every((g) => g.subscribedAt !== null)),
        { ms: 20000, intervalMs: 100, what: `every client back after the restart of edge ${i + 1} (${label})` },
      ).catch(() => {});
      restarts.push({ edge: i + 1, port: fresh.port, connections, aligned, readyAfterSigterm, exit: stopped, sigtermToReadyMs: readyAt - sigterm });
    }
    await sleep(1000);
    const records = await publisher.stop();
    await sleep(500); // quiet period: late deliveries and duplicates arrive within this
    const report = await fleet.report(group);
    return summarize({ report, records, restarts, handshakesBefore, label });
  } finally {
    await fleet.close(group).catch(() => {});
  }
}

const overlaps = (a0, a1, b0, b1) => a0 <= b1 && b0 <= a1;

/** Per-client and overall figures of one run. */
export function summarize({ report, records, restarts, handshakesBefore, label }) {
  const accepted = records.filter((r) => r.status === 200);
  const perClient = report.clients.map((client) => {
    const counts = new Map();
    for (const [seq] of client.seqs) counts.set(seq, (counts.get(seq) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((n, c) => n + Math.max(0, c - 1), 0);
    const gaps = client.gaps.map((g) => ({
      from: g.from,
      to: g.subscribedAt ?? Infinity,
      connectedMs: (g.connectedAt ?? Infinity) - g.from,
      subscribedMs: (g.subscribedAt ?? Infinity) - g.from,
    }));
    const away = (r) => gaps.some((g) => overlaps(r.t0, r.t1, g.from - LOSS_MARGIN_MS, g.to));
    const publishedWhileAway = accepted.filter(away).length;
    const missed = accepted.filter((r) => !counts.has(r.seq));
    const missedWhileAway = missed.filter(away).length;
    return {
      state: client.state,
      gaps: gaps.length,
      longestConnectedMs: Math.max(0, ...gaps.map((g) => g.connectedMs)),
      longestSubscribedMs: Math.max(0, ...gaps.map((g) => g.subscribedMs)),
      duplicates,
      missed: missed.length,
      missedWhileAway,
      missedOtherwise: missed.length - missedWhileAway,
      publishedWhileAway,
      errors: client.errors.filter((e) => !/ 4200$/.test(e.kind)).length,
      errorKinds: client.errors.map((e) => e.kind),
      unavailable: client.transitions.filter((t) => t.to === 'unavailable' || t.to === 'failed').length,
    };
  });
  const sum = (key) => perClient.reduce((n, c) => n + c[key], 0);
  const max = (key) => Math.max(0, ...perClient.map((c) => c[key]));
  const sorted = (key) => perClient.map((c) => c[key]).sort((a, b) => a - b);
  const failures = report.handshakes.failures.slice(handshakesBefore.failures);
  return {
    label,
    clients: perClient.length,
    published: records.length,
    publishFailures: records.length - accepted.length,
    restarts,
    handshakes: {
      attempts: report.handshakes.attempts - handshakesBefore.attempts,
      failed: report.handshakes.failed - handshakesBefore.failed,
      reasons: [...new Set(failures.map((f) => f.reason))].slice(0, 5),
    },
    endConnected: perClient.filter((c) => c.state === 'connected').length,
    clientsWithGap: perClient.filter((c) => c.gaps > 0).length,
    reconnects: sum('gaps'),
    longestConnectedMs: max('longestConnectedMs'),
    medianLongestConnectedMs: sorted('longestConnectedMs')[Math.floor(perClient.length / 2)],
    longestSubscribedMs: max('longestSubscribedMs'),
    medianLongestSubscribedMs: sorted('longestSubscribedMs')[Math.floor(perClient.length / 2)],
    duplicates: sum('duplicates'),
    missed: sum('missed'),
    missedWhileAway: sum('missedWhileAway'),
    missedOtherwise: sum('missedOtherwise'),
    publishedWhileAway: sum('publishedWhileAway'),
    clientErrors: sum('errors'),
    errorKinds: Object.entries(
      perClient.flatMap((c) => c.errorKinds).reduce((counts, kind) => ({ ...counts, [kind]: (counts[kind] ?? 0) + 1 }), {}),
    ).map(([kind, n]) => `${n}× ${kind}`),
    unavailable: sum('unavailable'),
    perClient,
  };
}

/** The figures as `# ...` lines. */
export function describeRun(f) {
  const lines = [
    `rolling restart [${f.label}]: ${f.clients} pusher-js clients, ${f.published} events published (${f.publishFailures} failed), ${f.restarts.length} edges restarted`,
  ];
  for (const r of f.restarts) {
    lines.push(
      `  edge ${r.edge} (:${r.port}): ${r.connections} clients on it, ${r.aligned === null ? '' : r.aligned ? 'SIGTERM just after a health check, ' : 'no health check seen before SIGTERM, '}/ready ${r.readyAfterSigterm || 'refused'} 50 ms after SIGTERM, ` +
        `exit ${r.exit.code} after ${r.exit.ms} ms, SIGTERM to new edge ready ${r.sigtermToReadyMs} ms`,
    );
  }
  lines.push(
    `  failed WebSocket handshakes: ${f.handshakes.failed} of ${f.handshakes.attempts}${f.handshakes.reasons.length ? ` (${f.handshakes.reasons.join('; ')})` : ''}`,
    `  pusher-js error events other than 4200: ${f.clientErrors} (all: ${f.errorKinds.join(', ') || 'none'}); states unavailable/failed: ${f.unavailable}`,
    `  reconnects: ${f.reconnects} (${f.clientsWithGap} of ${f.clients} clients); ending connected: ${f.endConnected}`,
    `  longest disconnect: ${f.longestConnectedMs} ms until connected (median client ${f.medianLongestConnectedMs} ms), ` +
      `${f.longestSubscribedMs} ms until resubscribed (median ${f.medianLongestSubscribedMs} ms)`,
    `  duplicates: ${f.duplicates}; missed: ${f.missed} (${f.missedWhileAway} published while that client was reconnecting, ` +
      `${f.missedOtherwise} otherwise); events published while a client was reconnecting: ${f.publishedWhileAway}`,
  );
  return lines.join('\n');
}
