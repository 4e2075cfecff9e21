#!/usr/bin/env node
// Load client for the small HTTP services (resound-auth, resound-monitor): raw keep-alive HTTP/1.1
// over loopback TCP, one request at a time per connection, latency per request on the monotonic clock.
// Bounded: every phase has a request count and a deadline; nothing leaves 127.0.0.1.
//
//   node bench/http/http-services.mjs auth-concurrency --port P --app-id ID --jwt-secret S [--connections 16,50,500,2000]
//   node bench/http/http-services.mjs auth-rate        --port P --app-id ID --jwt-secret S [--rate 5000 --seconds 3]
//   node bench/http/http-services.mjs auth-slowloris   --port P --app-id ID --jwt-secret S [--slow 1000 --seconds 12]
//   node bench/http/http-services.mjs monitor-held     --port P [--held 100 --seconds 4]
// Prints one JSON object per measurement (scripts/bench-http.sh runs them all and makes the table).
import { createHmac } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const args = process.argv.slice(2);
const scenario = args[0];
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const port = Number(option('port', '0'));
const host = '127.0.0.1';
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms

/** One keep-alive connection; request() sends raw bytes and resolves with { status, ms } or rejects. */
class Conn {
  constructor() {
    this.socket = net.connect({ port, host });
    this.socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    this.pending = null;
    this.closed = false;
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      if (this.pending) this.pending.reject(new Error('closed'));
      this.pending = null;
    });
  }
  request(bytes, timeoutMs = 30000) {
    return new Promise((resolve, reject) => {
      const started = now();
      const timer = setTimeout(() => {
        this.pending = null;
        reject(new Error('timeout'));
        this.socket.destroy();
      }, timeoutMs);
      this.pending = {
        started,
        resolve: (status) => { clearTimeout(timer); resolve({ status, ms: now() - started }); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      this.socket.write(bytes);
    });
  }
  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buffer.subarray(0, headEnd).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.buffer.length < headEnd + 4 + length) return;
      const status = Number(head.slice(9, 12));
      this.buffer = this.buffer.subarray(headEnd + 4 + length);
      const pending = this.pending;
      this.pending = null;
      if (pending) pending.resolve(status);
    }
  }
  close() { this.socket.destroy(); }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function summary(latencies) {
  const sorted = Float64Array.from(latencies).sort();
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)), max_ms: round(sorted.at(-1) ?? null) };
}

function authRequest() {
  const appId = option('app-id');
  const secret = option('jwt-secret');
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ app: appId, sub: '42', iat, exp: iat + 3600, channels: ['private-bench.*'] })}`;
  const token = `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
  const form = 'socket_id=1234.5678&channel_name=private-bench.1';
  return Buffer.from(
    `POST /auth HTTP/1.1\r\nHost: ${host}:${port}\r\nAuthorization: Bearer ${token}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${form.length}\r\n\r\n${form}`,
  );
}

/**
 * `total` requests spread evenly over `connections` keep-alive connections. The connections are opened
 * first (a proxy's or an http.Agent's pool); the clock starts when all are connected. A connection that
 * has made its share stays open, idle, until every connection is done. Wall time to the last answer.
 */
async function closedLoop(connections, total, bytes, deadlineMs) {
  const latencies = [];
  let failures = 0;
  let lastAnswer = 0;
  const opening = now();
  const pool = Array.from({ length: connections }, () => new Conn());
  const connected = await Promise.all(pool.map((c) => Promise.race([c.ready.then(() => true, () => false), sleep(deadlineMs).then(() => false)])));
  const started = now();
  const deadline = started + deadlineMs;
  const worker = async (conn, index) => {
    const share = Math.floor(total / connections) + (index < total % connections ? 1 : 0);
    if (!connected[index]) { failures += share; return; }
    for (let i = 0; i < share && now() < deadline; i++) {
      try {
        const { status, ms } = await conn.request(bytes, Math.max(1, deadline - now()));
        lastAnswer = now();
        if (status === 200) latencies.push(ms);
        else failures++;
      } catch {
        failures += share - i;
        return;
      }
    }
  };
  await Promise.all(pool.map(worker));
  pool.forEach((c) => c.close());
  const wall = ((lastAnswer || now()) - started) / 1000;
  return { connections, expected: total, requests: latencies.length, failures,
           connect_s: Math.round((started - opening) * 1000) / 1e6, wall_s: Math.round(wall * 1000) / 1000,
           rps: Math.round(latencies.length / wall), ...summary(latencies) };
}

async function authConcurrency() {
  const bytes = authRequest();
  const list = option('connections', '16,50,500,2000').split(',').map(Number);
  await closedLoop(8, 200, bytes, 10000); // warm-up
  for (const connections of list) {
    const total = Math.max(Number(option('requests', '5000')), connections);
    const result = await closedLoop(connections, total, bytes, Number(option('deadline', '60')) * 1000);
    console.log(JSON.stringify({ scenario: 'auth-concurrency', ...result }));
    await sleep(500);
  }
}

/** Open loop: `rate` requests/s for `seconds`; latency counted from the scheduled time (queueing included). */
async function authRate() {
  const bytes = authRequest();
  const rate = Number(option('rate', '5000'));
  const seconds = Number(option('seconds', '3'));
  const poolSize = Number(option('pool', '200'));
  const pool = Array.from({ length: poolSize }, () => new Conn());
  await Promise.all(pool.map((c) => c.ready));
  const idle = [...pool];
  const latencies = [];
  let failures = 0;
  let skipped = 0;
  const total = rate * seconds;
  const started = now();
  let sent = 0;
  const inflight = new Set();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((now() - started) / 1000) * rate));
    while (sent < due) {
      const scheduled = started + (sent * 1000) / rate;
      sent++;
      const conn = idle.pop();
      if (!conn) { skipped++; continue; }
      const p = conn.request(bytes, 10000).then(
        ({ status }) => { if (status === 200) latencies.push(now() - scheduled); else failures++; idle.push(conn); },
        () => { failures++; },
      );
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  const wall = (now() - started) / 1000;
  pool.forEach((c) => c.close());
  console.log(JSON.stringify({ scenario: 'auth-rate', target_rps: rate, achieved_rps: Math.round(latencies.length / wall),
                               requests: latencies.length, failures, client_pool_exhausted: skipped, ...summary(latencies) }));
}

/** `slow` connections trickle a never-ending request (a byte every 2 s, reconnecting when closed) while 16 clients measure. */
async function authSlowloris() {
  const bytes = authRequest();
  const slowCount = Number(option('slow', '1000'));
  const seconds = Number(option('seconds', '12'));
  const baseline = await closedLoop(16, 2000, bytes, 20000);
  console.log(JSON.stringify({ scenario: 'auth-slowloris', phase: 'baseline', ...baseline }));
  let running = true;
  let reconnects = 0;
  const trickle = `POST /auth HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(4000)}`;
  const slow = async () => {
    while (running) {
      const socket = net.connect({ port, host });
      socket.on('error', () => {});
      let open = true;
      socket.on('close', () => (open = false));
      for (let i = 0; running && open && i < trickle.length; i++) {
        socket.write(trickle[i]);
        await sleep(2000);
      }
      socket.destroy();
      if (running) reconnects++;
    }
  };
  const attackers = Array.from({ length: slowCount }, (_, i) => sleep(i % 1000).then(slow));
  await sleep(3000); // all trickling
  const latencies = [];
  let failures = 0;
  const deadline = now() + (seconds - 3) * 1000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (now() < deadline) {
      const conn = new Conn();
      try {
        await conn.ready;
        // A new connection per 10 requests: a fresh client must get through the crowd too.
        for (let i = 0; i < 10 && now() < deadline; i++) {
          const { status, ms } = await conn.request(bytes, Math.max(1, deadline - now() + 5000));
          if (status === 200) latencies.push(ms); else failures++;
        }
      } catch { failures++; } finally { conn.close(); }
    }
  }));
  running = false;
  console.log(JSON.stringify({ scenario: 'auth-slowloris', phase: 'under attack', slow_connections: slowCount,
                               slow_reconnects: reconnects, requests: latencies.length, failures, ...summary(latencies) }));
  await Promise.race([Promise.all(attackers), sleep(3000)]);
}

/** `held` connections stay open (the dashboard's long-lived streams) while /metrics and /health are timed. */
async function monitorHeld() {
  const heldCount = Number(option('held', '100'));
  const seconds = Number(option('seconds', '4'));
  const health = Buffer.from(`GET /health HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  const metrics = Buffer.from(`GET /metrics HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  const held = Array.from({ length: heldCount }, () => new Conn());
  // Each held connection makes one request and then stays open, as a stream does.
  // Not awaited to the end: on a thread-per-connection server most of them queue behind the others.
  const opened = Promise.all(held.map(async (c) => { try { await c.ready; await c.request(health, 30000); } catch {} }));
  await Promise.race([opened, sleep(1000)]);
  const result = {};
  for (const [name, bytes] of [['health', health], ['metrics', metrics]]) {
    const latencies = [];
    let failures = 0;
    const deadline = now() + seconds * 1000;
    while (now() < deadline && latencies.length + failures < 500) {
      const conn = new Conn(); // a fresh client each time, as a scraper or probe connects
      try {
        await conn.ready;
        const { status, ms } = await conn.request(bytes, 30000);
        if (status === 200 || status === 503) latencies.push(ms); else failures++;
      } catch { failures++; } finally { conn.close(); }
    }
    result[name] = { requests: latencies.length, failures, ...summary(latencies) };
  }
  held.forEach((c) => c.close());
  console.log(JSON.stringify({ scenario: 'monitor-held', held: heldCount, ...result }));
}

const scenarios = { 'auth-concurrency': authConcurrency, 'auth-rate': authRate, 'auth-slowloris': authSlowloris, 'monitor-held': monitorHeld };
if (!scenarios[scenario] || !port) {
  console.error(`usage: http-services.mjs {${Object.keys(scenarios).join('|')}} --port P [options]`);
  process.exit(2);
}
const hardDeadline = setTimeout(() => { console.error('http-services: hard deadline (300 s) reached'); process.exit(1); }, 300000);
hardDeadline.unref();
await scenarios[scenario]();
process.exit(0);
