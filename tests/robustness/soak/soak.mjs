// Soak run (on demand, not CI): the real server under mixed traffic for N minutes, with RSS, CPU and
// open descriptors sampled every few seconds into a CSV and an SVG plot. Driven by scripts/soak.sh.
//
//   node tests/robustness/soak/soak.mjs --minutes 30 --out DIR [--sample-seconds 5] [--subscribers 300]
//
// Traffic, all at once: a steady pool of subscribers (public, private, presence, cache channels) that
// answer pings; churn (connections that subscribe and leave in every way, ~20/s); HTTP publishes
// (single events and batches, ~100 events/s) on keep-alive connections; client events; every few
// seconds an abusive client (oversized length header, invalid UTF-8, slowloris upgrade, malformed API
// body) and, once a minute, a subscriber that stops reading. Exits non-zero if the server dies, leaves
// a sanitizer report, does not exit 0 on SIGTERM, or its RSS keeps climbing in the second half.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient, rawHttp } from '../lib/api.mjs';
import { OP, buildFrame, openPusher, openTcp, subscribe, upgradeRequest } from '../lib/raw-ws.mjs';
import { mib, sleep, startResound } from '../lib/resound.mjs';
import { renderSvg } from './plot.mjs';

function parseArgs(argv) {
  const options = { minutes: 10, sampleSeconds: 5, subscribers: 300, out: null };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = () => inline ?? argv[++i];
    if (flag === '--minutes') options.minutes = Number(value());
    else if (flag === '--sample-seconds') options.sampleSeconds = Number(value());
    else if (flag === '--subscribers') options.subscribers = Number(value());
    else if (flag === '--out') options.out = value();
    else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!(options.minutes > 0) || !(options.sampleSeconds >= 1) || !options.out) {
    throw new Error('usage: soak.mjs --minutes N --out DIR [--sample-seconds S] [--subscribers N]');
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
mkdirSync(options.out, { recursive: true });
const counters = { churn: 0, published: 0, received: 0, clientEvents: 0, abusive: 0, slowConsumers: 0, errors: 0 };
const errors = [];
const noteError = (what, err) => {
  counters.errors++;
  if (errors.length < 50) errors.push(`${new Date().toISOString()} ${what}: ${err?.message ?? err}`);
};

// Under an ASan build, freed memory sits in a quarantine (256 MiB by default) that looks like growth.
const asan = [process.env.ASAN_OPTIONS, 'quarantine_size_mb=16'].filter(Boolean).join(':');
const server = await startResound({
  server: { log_level: 'warn', max_queued_bytes_per_connection: 1 << 20, handshake_timeout: 3 },
  apps: [{ max_batch_size: 50, client_event_rate_limit: 20, max_presence_members: 0 }],
  env: { ASAN_OPTIONS: asan },
});
const app = server.app(0);
console.log(`soak: resound pid ${server.pid} on port ${server.port} for ${options.minutes} min; output ${options.out}`);
const deadline = Date.now() + options.minutes * 60000;
const running = () => Date.now() < deadline && !server.exit;

// ---- steady subscribers ---------------------------------------------------------------------------
const pool = [];
async function addSubscriber(i) {
  const ws = await openPusher(server.port);
  const kind = i % 4;
  const channel = ['news', 'private-ops', 'presence-lobby', 'cache-ticker'][kind];
  const channelData = kind === 2 ? JSON.stringify({ user_id: `member-${i % 100}`, user_info: { i } }) : undefined;
  await subscribe(ws, channel, { app, channelData });
  // From now on frames are only counted (not stored); the server's pings are answered.
  ws.onFrame = (frame) => {
    if (frame.opcode !== OP.TEXT) return;
    counters.received++;
    if (frame.payload.includes('"pusher:ping"')) ws.sendJson({ event: 'pusher:pong', data: {} });
  };
  pool.push(ws);
  return ws;
}

// ---- loops ----------------------------------------------------------------------------------------
async function loop(name, intervalMs, body) {
  while (running()) {
    const started = Date.now();
    try {
      await body();
    } catch (err) {
      noteError(name, err);
    }
    await sleep(Math.max(0, intervalMs - (Date.now() - started)));
  }
}

let churnIndex = 0;
async function churnOnce() {
  const i = churnIndex++;
  const ws = await openPusher(server.port);
  const channel = i % 3 === 0 ? `presence-churn-${i % 5}` : `churn-${i % 50}`;
  const channelData = i % 3 === 0 ? JSON.stringify({ user_id: `churner-${i % 40}` }) : undefined;
  await subscribe(ws, channel, { app, channelData });
  await sleep(50 + (i % 5) * 100);
  if (i % 4 === 0) ws.socket.resetAndDestroy();
  else await ws.close(1000);
  counters.churn++;
}

const api = new ApiClient(server, app, { sockets: 2 });
let eventSeq = 0;
async function publishOnce() {
  const channels = ['news', 'private-ops', 'presence-lobby', 'cache-ticker'];
  if (eventSeq % 5 === 0) {
    const batch = Array.from({ length: 20 }, (_, k) => ({ channel: channels[k % 4], name: 'batch', data: `b${eventSeq}-${k}-${'x'.repeat(200)}` }));
    const r = await api.batch(batch);
    if (r.status !== 200) throw new Error(`batch ${r.status} ${r.body}`);
    counters.published += batch.length;
  } else {
    const r = await api.publish(channels.slice(0, 1 + (eventSeq % 4)), 'tick', JSON.stringify({ seq: eventSeq, pad: 'y'.repeat(500) }));
    if (r.status !== 200) throw new Error(`publish ${r.status} ${r.body}`);
    counters.published += 1;
  }
  eventSeq++;
  if (eventSeq % 50 === 0) {
    await api.call('GET', '/channels', { params: { filter_by_prefix: 'presence-', info: 'user_count' } });
    await api.call('GET', '/channels/presence-lobby/users');
  }
}

async function clientEventOnce() {
  const ws = pool[(counters.clientEvents * 4 + 1) % pool.length];
  if (ws && !ws.ended) {
    ws.sendJson({ event: 'client-typing', channel: 'private-ops', data: { n: counters.clientEvents } });
    counters.clientEvents++;
  }
}

let abuseIndex = 0;
async function abuseOnce() {
  const kind = abuseIndex++ % 5;
  counters.abusive++;
  if (kind === 0) {
    const ws = await openPusher(server.port);
    ws.send(Buffer.concat([Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from([1, 2, 3, 4])]));
    await ws.waitClose(3000);
    ws.destroy();
  } else if (kind === 1) {
    const ws = await openPusher(server.port);
    ws.send(buildFrame(OP.TEXT, Buffer.from([0x7b, 0xed, 0xa0, 0x80])));
    await ws.waitClose(3000);
    ws.destroy();
  } else if (kind === 2) {
    const socket = await openTcp(server.port);
    const request = upgradeRequest(server.port, { path: `/app/${app.key}?protocol=7`, key: 'dGhlIHNhbXBsZSBub25jZQ==' });
    for (let i = 0; i < 30 && !socket.destroyed && running(); i++) {
      socket.write(request[i]);
      await sleep(200);
    }
    socket.destroy();
  } else if (kind === 3) {
    await api.call('POST', '/events', { rawBody: '{"name":"e","channels":["a"],"data":' });
    await rawHttp(server.port, 'POST /apps/rob/events HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n', { timeoutMs: 3000 });
  } else {
    const ws = await openPusher(server.port);
    ws.send(buildFrame(OP.PING, Buffer.alloc(126)));
    await ws.waitClose(3000);
    ws.destroy();
  }
}

async function slowConsumerOnce() {
  const ws = await openPusher(server.port);
  await subscribe(ws, 'news');
  ws.socket.pause(); // never reads again; the server must cut it off at the queue cap
  counters.slowConsumers++;
  await sleep(30000);
  ws.destroy();
}

// ---- sampling -------------------------------------------------------------------------------------
const samples = [];
const csvPath = join(options.out, 'soak.csv');
const header = 'elapsed_s,rss_mib,hwm_mib,cpu_percent,fds,threads,connections,published,received,churn,errors';
writeFileSync(csvPath, `${header}\n`);
async function sampleLoop() {
  const t0 = Date.now();
  let last = { at: t0, cpu: server.stats().cpuSeconds };
  while (running()) {
    await sleep(options.sampleSeconds * 1000);
    if (server.exit) break;
    const s = server.stats();
    const now = Date.now();
    const cpuPercent = (100 * (s.cpuSeconds - last.cpu)) / ((now - last.at) / 1000);
    last = { at: now, cpu: s.cpuSeconds };
    let connections = -1;
    try {
      connections = (await (await fetch(`${server.httpUrl}/health`, { signal: AbortSignal.timeout(2000) })).json()).connections;
    } catch (err) {
      noteError('health', err);
    }
    const row = {
      elapsed: (now - t0) / 1000,
      rss: s.rssKiB / 1024,
      hwm: s.hwmKiB / 1024,
      cpu: cpuPercent,
      fds: s.fds,
      threads: s.threads,
      connections,
    };
    samples.push(row);
    const line = [row.elapsed.toFixed(1), row.rss.toFixed(1), row.hwm.toFixed(1), row.cpu.toFixed(1), row.fds, row.threads, connections,
      counters.published, counters.received, counters.churn, counters.errors].join(',');
    writeFileSync(csvPath, `${line}\n`, { flag: 'a' });
    process.stdout.write(`\r${line.padEnd(100)}`);
  }
  process.stdout.write('\n');
}

// ---- run ------------------------------------------------------------------------------------------
for (let i = 0; i < options.subscribers; i += 25) {
  await Promise.all(Array.from({ length: Math.min(25, options.subscribers - i) }, (_, k) => addSubscriber(i + k).catch((e) => noteError('subscriber', e))));
}
console.log(`soak: ${pool.length} steady subscribers connected`);
await Promise.all([
  sampleLoop(),
  loop('churn-a', 100, churnOnce),
  loop('churn-b', 100, churnOnce),
  loop('publish', 20, publishOnce),
  loop('client-event', 200, clientEventOnce),
  loop('abuse', 2000, abuseOnce),
  loop('slow-consumer', 60000, slowConsumerOnce),
]);

api.close();
for (const ws of pool) ws.destroy();
let stopProblem = null;
try {
  await server.stop({ graceMs: 20000 });
} catch (err) {
  stopProblem = err.message.split('\n')[0];
}

// ---- report ---------------------------------------------------------------------------------------
writeFileSync(join(options.out, 'soak.svg'), renderSvg(samples, { title: `resound soak, ${options.minutes} min` }));
const half = Math.floor(samples.length / 2);
const maxOf = (rows, key) => Math.max(...rows.map((r) => r[key]));
const firstHalfMax = half > 0 ? maxOf(samples.slice(0, half), 'rss') : NaN;
const secondHalfMax = half > 0 ? maxOf(samples.slice(half), 'rss') : NaN;
const summary = {
  minutes: options.minutes,
  samples: samples.length,
  rss_mib: { first: samples[0]?.rss, last: samples.at(-1)?.rss, max: samples.length ? maxOf(samples, 'rss') : null, first_half_max: firstHalfMax, second_half_max: secondHalfMax },
  fds: { first: samples[0]?.fds, last: samples.at(-1)?.fds, max: samples.length ? maxOf(samples, 'fds') : null },
  cpu_percent_mean: samples.length ? samples.reduce((a, r) => a + r.cpu, 0) / samples.length : null,
  counters,
  errors,
  stop: stopProblem ?? 'exit 0 after SIGTERM, no sanitizer report',
};
writeFileSync(join(options.out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
console.log(`soak: ${csvPath}, ${join(options.out, 'soak.svg')}`);
const climbing = secondHalfMax - firstHalfMax > 16; // MiB
if (climbing) console.log(`soak: RSS still climbing: first half max ${mib(firstHalfMax * 1024)} MiB, second half max ${mib(secondHalfMax * 1024)} MiB`);
process.exit(stopProblem || climbing || server.exit?.code ? 1 : 0);
