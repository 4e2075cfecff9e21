#!/usr/bin/env node
// Edge responsiveness while Redis hangs (scripts/bench.sh --scenario redis-hang, bench/README.md).
// Opens --clients subscribed WebSocket connections to one resound-edge, sends pusher:ping at
// --ping-rate per second round-robin and times each pusher:pong; after --before seconds it SIGSTOPs
// the redis-server whose PID it was given, opens --connect-rate new connections per second while Redis
// hangs (timing TCP connect -> pusher:connection_established and -> subscription_succeeded), SIGCONTs
// it after --hang seconds and measures --after seconds more. Reports percentiles per phase and the
// edge's event-loop iteration figures from /metrics. No dependencies (a minimal RFC 6455 client on
// node:net); loopback only; every phase bounded in time; Redis is always resumed on exit.
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync, appendFileSync } from 'node:fs';
import net from 'node:net';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith('--')) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const num = (name, fallback) => (args[name] === undefined ? fallback : Number(args[name]));
const opt = {
  name: args.name ?? 'redis-hang',
  port: num('port', 0),
  redisPid: num('redis-pid', 0),
  clients: num('clients', 1000),
  channels: num('channels', 100),
  pingRate: num('ping-rate', 200),
  connectRate: num('connect-rate', 20),
  before: num('before', 3),
  hang: num('hang', 6),
  after: num('after', 3),
  appKey: args['app-key'] ?? 'bench-key',
  redisTransport: args['redis-transport'] ?? 'tcp',
  json: args.json,
  summary: args.summary,
};
if (!opt.port || !opt.redisPid) {
  console.error('usage: redis-hang.mjs --port EDGE_PORT --redis-pid PID [--clients N --channels N --ping-rate R\n' +
    '                      --connect-rate R --before S --hang S --after S --name N --json FILE --summary FILE\n' +
    '                      --redis-transport tcp|unix (recorded in the report)]');
  process.exit(2);
}

const now = () => Number(process.hrtime.bigint()) / 1e6; // ms, monotonic
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function frame(text) {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length])
    : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i += 1) body[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/** One client: resolves `established` and `subscribed` with the ms since connect() was called. */
class Client {
  constructor(channel) {
    this.channel = channel;
    this.started = now();
    this.buffer = Buffer.alloc(0);
    this.upgraded = false;
    this.pings = [];
    this.closed = false;
    this.established = new Promise((resolve) => { this.onEstablished = resolve; });
    this.subscribed = new Promise((resolve) => { this.onSubscribed = resolve; });
    this.socket = net.connect({ host: '127.0.0.1', port: opt.port });
    this.socket.setNoDelay(true);
    this.socket.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      this.accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      this.socket.write(`GET /app/${opt.appKey}?protocol=7&client=hang&version=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => { this.closed = true; });
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString();
      if (!head.startsWith('HTTP/1.1 101') || !head.includes(this.accept)) { this.socket.destroy(); return; }
      this.upgraded = true;
      this.buffer = this.buffer.subarray(end + 4);
    }
    for (;;) {
      if (this.buffer.length < 2) return;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + length) return;
      const opcode = this.buffer[0] & 0x0f;
      const payload = this.buffer.subarray(offset, offset + length);
      this.buffer = this.buffer.subarray(offset + length);
      if (opcode === 1) this.onMessage(payload.toString());
    }
  }

  onMessage(text) {
    const message = JSON.parse(text);
    if (message.event === 'pusher:connection_established') {
      this.onEstablished(now() - this.started);
      this.socket.write(frame(JSON.stringify({ event: 'pusher:subscribe', data: { channel: this.channel } })));
    } else if (message.event === 'pusher_internal:subscription_succeeded') {
      this.onSubscribed(now() - this.started);
    } else if (message.event === 'pusher:pong') {
      const sent = this.pings.shift();
      if (sent !== undefined) this.onPong(now() - sent);
    } else if (message.event === 'pusher:ping') {
      this.socket.write(frame('{"event":"pusher:pong","data":{}}'));
    }
  }

  ping(onPong) {
    if (this.closed) return;
    this.onPong = onPong;
    this.pings.push(now());
    this.socket.write(frame('{"event":"pusher:ping","data":{}}'));
  }
}

const withTimeout = (promise, ms) => Promise.race([promise, sleep(ms).then(() => null)]);

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : null);
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return { count: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? null) };
}

async function loopMetrics() {
  try {
    const response = await fetch(`http://127.0.0.1:${opt.port}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await response.text();
    const value = (name) => Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1] ?? NaN);
    return {
      max: value('resound_event_loop_iteration_max_seconds'),
      count: value('resound_event_loop_iteration_seconds_count'),
      within5ms: value('resound_event_loop_iteration_seconds_bucket\\{le="0.005"\\}'),
    };
  } catch {
    return { max: NaN, count: NaN, within5ms: NaN };
  }
}

let stopped = false;
const resumeRedis = () => {
  if (stopped) {
    try { process.kill(opt.redisPid, 'SIGCONT'); } catch {}
    stopped = false;
  }
};
process.on('exit', resumeRedis);
process.on('SIGINT', () => { resumeRedis(); process.exit(1); });
process.on('SIGTERM', () => { resumeRedis(); process.exit(1); });

async function main() {
  const failures = [];
  // Established clients, 100 handshakes at a time.
  const clients = [];
  for (let i = 0; i < opt.clients; i += 100) {
    const batch = [];
    for (let j = i; j < Math.min(opt.clients, i + 100); j += 1) batch.push(new Client(`bench-${j % opt.channels}`));
    await Promise.all(batch.map((c) => withTimeout(c.subscribed, 10000)));
    clients.push(...batch);
  }
  const ready = clients.filter((c) => !c.closed);
  const phases = { before: [], hang: [], after: [] };
  let phase = 'before';
  let next = 0;
  const interval = 5; // ms between ping bursts
  const perBurst = Math.max(1, Math.round((opt.pingRate * interval) / 1000));
  const pinger = setInterval(() => {
    for (let k = 0; k < perBurst && ready.length; k += 1) {
      const client = ready[next % ready.length];
      next += 1;
      const bucket = phases[phase];
      if (client.pings.length > 0) continue; // one ping outstanding per client
      client.ping((ms) => bucket.push(ms));
    }
  }, interval);

  await sleep(opt.before * 1000);
  const metricsBefore = await loopMetrics();
  process.kill(opt.redisPid, 'SIGSTOP');
  stopped = true;
  phase = 'hang';
  const hangStarted = now();
  const newcomers = [];
  const connecting = [];
  while (now() - hangStarted < opt.hang * 1000) {
    const client = new Client(`bench-${newcomers.length % opt.channels}`);
    newcomers.push(client);
    connecting.push(Promise.all([withTimeout(client.established, 5000), withTimeout(client.subscribed, 5000)]));
    await sleep(1000 / opt.connectRate);
  }
  const metricsHang = await loopMetrics();
  resumeRedis();
  phase = 'after';
  await sleep(opt.after * 1000);
  clearInterval(pinger);
  const times = await Promise.all(connecting);
  for (const c of [...clients, ...newcomers]) c.socket.destroy();

  const established = times.map(([e]) => e).filter((v) => v !== null);
  const subscribed = times.map(([, s]) => s).filter((v) => v !== null);
  if (established.length < newcomers.length) failures.push(`${newcomers.length - established.length} connections made during the hang were not established within 5 s`);
  const stillOpen = clients.filter((c) => !c.closed).length;
  if (stillOpen < ready.length) failures.push(`${ready.length - stillOpen} established clients were closed`);
  const hangIterations = metricsHang.count - metricsBefore.count;
  const slowIterations = hangIterations - (metricsHang.within5ms - metricsBefore.within5ms);
  const report = {
    scenario: opt.name,
    ok: failures.length === 0,
    params: { clients: opt.clients, channels: opt.channels, ping_rate: opt.pingRate, connect_rate: opt.connectRate,
      before_s: opt.before, hang_s: opt.hang, after_s: opt.after, redis_transport: opt.redisTransport },
    metrics: {
      clients_subscribed: ready.length,
      ping_before: percentiles(phases.before),
      ping_during_hang: percentiles(phases.hang),
      ping_after: percentiles(phases.after),
      connect_to_established_during_hang: percentiles(established),
      connect_to_subscribed_during_hang: percentiles(subscribed),
      edge_loop_iterations_during_hang: hangIterations,
      edge_loop_iterations_over_5ms_during_hang: slowIterations,
      edge_loop_iteration_max_s_at_hang_end: metricsHang.max,
    },
    failures,
  };
  const m = report.metrics;
  const headline = `during a ${opt.hang} s Redis SIGSTOP: ping->pong p50 ${m.ping_during_hang.p50} ms p99 ${m.ping_during_hang.p99} ms ` +
    `max ${m.ping_during_hang.max} ms (before the hang: p99 ${m.ping_before.p99} ms); new connections established p50 ` +
    `${m.connect_to_established_during_hang.p50} ms p99 ${m.connect_to_established_during_hang.p99} ms ` +
    `max ${m.connect_to_established_during_hang.max} ms (${established.length}/${newcomers.length}); ` +
    `edge loop iterations over 5 ms: ${slowIterations} of ${hangIterations}`;
  report.headline = headline;
  console.log(JSON.stringify(report, null, 2));
  if (opt.json) writeFileSync(opt.json, JSON.stringify(report, null, 2) + '\n');
  if (opt.summary) appendFileSync(opt.summary, `${opt.name}\t${report.ok ? 'ok' : 'FAIL'}\t${headline}\n`);
  process.exit(report.ok ? 0 : 1);
}

const deadline = setTimeout(() => {
  console.error('redis-hang.mjs: hard deadline passed');
  resumeRedis();
  process.exit(1);
}, (opt.before + opt.hang + opt.after + 90) * 1000);
deadline.unref();
main().catch((error) => {
  console.error(error);
  resumeRedis();
  process.exit(1);
});
