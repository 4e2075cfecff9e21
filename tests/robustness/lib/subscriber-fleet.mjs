// A worker thread holding N subscribers of one channel, so that receiving (and timing) events does not
// compete with the publisher's event loop. Each event's data starts with "<seq>|<publish time ms>|";
// the worker checks every subscriber gets every sequence number once, in order, and records the
// delivery latency (wall clock with sub-millisecond precision, comparable across threads).
//
// Main thread: new Worker(url, { workerData: { port, key, channel, count } }); messages:
//   <- {type:'ready'}                after every subscription succeeded
//   -> {type:'finish', expected, splits?}  wait (bounded) until every subscriber has `expected` events
//   <- {type:'report', ...}          counts, gaps, closes, latency percentiles
import { parentPort, workerData } from 'node:worker_threads';
import { OP, openPusher, subscribe } from './raw-ws.mjs';
import { sleep } from './resound.mjs';

const now = () => performance.timeOrigin + performance.now();
const DATA_MARKER = Buffer.from('"data":"');

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const { port, key, channel, count, maxEvents } = workerData;
  const latencies = new Float64Array(maxEvents * count);
  const latencySeqs = new Uint32Array(maxEvents * count);
  let latencyCount = 0;
  const subscribers = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => openPusher(port, { key })));
    subscribers.push(...batch);
  }
  for (const ws of subscribers) {
    const answer = await subscribe(ws, channel);
    if (answer.event !== 'pusher_internal:subscription_succeeded') throw new Error(`subscribe failed: ${JSON.stringify(answer)}`);
  }
  const state = subscribers.map((ws) => {
    const s = { ws, received: 0, nextSeq: 0, gaps: 0, others: 0 };
    ws.onFrame = (frame) => {
      const at = now();
      if (frame.opcode !== OP.TEXT) {
        s.others++;
        return;
      }
      const p = frame.payload;
      const start = p.indexOf(DATA_MARKER);
      if (start < 0) {
        // Answer the server's keep-alive like pusher-js does, or a long run ends in 4201 closes.
        if (p.includes('"pusher:ping"')) ws.sendJson({ event: 'pusher:pong', data: {} });
        s.others++;
        return;
      }
      let i = start + DATA_MARKER.length;
      let seq = 0;
      while (p[i] !== 0x7c) seq = seq * 10 + (p[i++] - 48);
      i++;
      let end = i;
      while (p[end] !== 0x7c) end++;
      const sentAt = Number(p.toString('latin1', i, end));
      if (seq !== s.nextSeq) s.gaps++;
      s.nextSeq = seq + 1;
      s.received++;
      if (latencyCount < latencies.length) {
        latencySeqs[latencyCount] = seq;
        latencies[latencyCount++] = at - sentAt;
      }
    };
    return s;
  });
  parentPort.postMessage({ type: 'ready' });

  parentPort.on('message', async (message) => {
    if (message.type !== 'finish') return;
    const deadline = Date.now() + message.timeoutMs;
    while (Date.now() < deadline && state.some((s) => s.received < message.expected && !s.ws.ended)) await sleep(50);
    const summary = (values) => {
      const sorted = values.sort();
      return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1], samples: sorted.length };
    };
    const all = latencies.slice(0, latencyCount);
    // Latency per period: `splits` are sequence numbers where a period ends (e.g. the stalled
    // subscriber joined, it was closed), so the periods can be compared.
    const bounds = [0, ...(message.splits ?? []), Infinity];
    const periods = bounds.slice(1).map((end, k) => summary(all.filter((_, i) => latencySeqs[i] >= bounds[k] && latencySeqs[i] < end)));
    const report = {
      type: 'report',
      received: state.map((s) => s.received),
      gaps: state.reduce((n, s) => n + s.gaps, 0),
      closed: state.filter((s) => s.ws.closeFrame || s.ws.ended).map((s) => s.ws.describeClose()),
      latencyMs: summary(all),
      periods,
    };
    for (const s of state) s.ws.destroy();
    parentPort.postMessage(report);
  });
}

main().catch((err) => parentPort.postMessage({ type: 'error', message: err.stack || String(err) }));
