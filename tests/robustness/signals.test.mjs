// Signals against the real server. SIGHUP is logged and ignored (no reload: restart to apply a new
// configuration). SIGTERM drains: new connections are refused, /ready answers 503 to a request still
// in flight, every WebSocket client is told to reconnect (close 4200), idle keep-alive HTTP
// connections are closed, a client that ignores the close cannot hold the exit up past the drain
// bound, and the process exits 0 within the grace period.
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { test } from 'node:test';
import { ApiClient } from './lib/api.mjs';
import { HOST, sleep, startResound } from './lib/resound.mjs';
import { OP, buildFrame, openPusher, openTcp, subscribe } from './lib/raw-ws.mjs';

const GRACE_MS = 10000; // Server::shutdown's grace period (services/resound/main.cpp)
const CLIENTS = 20;

function connectRefused(port) {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('timeout');
    }, 2000);
    socket.once('connect', () => {
      // Accepted by the kernel: see whether the server takes it (answers) or it just sits/ends.
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      socket.once('data', (c) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(`answered ${c.toString().split('\r\n')[0]}`);
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve('closed');
      });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve(err.code);
    });
  });
}

test('SIGHUP is logged and ignored: clients, subscriptions and the API keep working', async () => {
  const server = await startResound({ server: { log_level: 'info' } });
  try {
    const ws = await openPusher(server.port);
    await subscribe(ws, 'hup');
    server.process.kill('SIGHUP');
    await sleep(500);
    server.assertRunning();
    assert.match(server.output, /SIGHUP/);
    const api = new ApiClient(server);
    assert.equal((await api.publish(['hup'], 'after-hup', 'x')).status, 200);
    assert.equal((await ws.waitEvent('after-hup', 3000)).channel, 'hup');
    api.close();
    assert.equal((await fetch(`${server.httpUrl}/ready`)).status, 200);
    await ws.close();
  } finally {
    await server.stop();
  }
});

test(`SIGTERM drains: 503 readiness, 4200 to ${CLIENTS} clients, refused connects, exit 0 within the grace period`, async () => {
  const server = await startResound({ server: { log_level: 'info', http_idle_timeout: 60 } });
  let exitMs = null;
  try {
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openPusher(server.port)));
    await Promise.all(clients.map((ws, i) => subscribe(ws, `room-${i % 3}`)));
    // A client that will ignore the close frame (never answers it, keeps TCP open, stops reading).
    const stubborn = await openPusher(server.port);
    // An idle keep-alive HTTP connection, and a request caught mid-headers.
    const idle = await openTcp(server.port);
    idle.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    let idleText = '';
    let idleClosed = false;
    idle.on('data', (c) => (idleText += c));
    idle.on('close', () => (idleClosed = true));
    const inFlight = await openTcp(server.port);
    let inFlightText = '';
    inFlight.on('data', (c) => (inFlightText += c));
    inFlight.write('GET /ready HTTP/1.1\r\nHost: x\r\n');
    await sleep(200);
    assert.match(idleText, /^HTTP\/1\.1 200/);
    stubborn.socket.pause();

    const signalledAt = Date.now();
    server.process.kill('SIGTERM');
    const closes = await Promise.all(clients.map((ws) => ws.waitClose(5000)));
    const codes = closes.map((c) => c?.code ?? null);
    console.log(`# SIGTERM: close codes ${JSON.stringify([...new Set(codes)])} to ${CLIENTS} clients within ${Math.max(...closes.map((c) => c?.ms ?? -1))} ms`);
    assert.ok(codes.every((c) => c === 4200), `close codes: ${codes}`);
    // pusher:error with 4200 went first, so old clients that ignore close codes know too.
    assert.ok(clients.every((ws) => ws.frames.some((f) => f.opcode === OP.TEXT && f.payload.includes('"code":4200'))));

    // The request that was in flight is answered: not ready, and the connection is not kept alive.
    inFlight.write('\r\n');
    for (let i = 0; i < 50 && !inFlightText.includes('\r\n\r\n'); i++) await sleep(20);
    console.log(`# /ready during the drain: ${inFlightText.split('\r\n')[0] || '(no answer)'}`);
    assert.match(inFlightText, /^HTTP\/1\.1 503/);
    assert.match(inFlightText, /connection: close/i);

    // New connections are refused (listener closed), and idle keep-alive HTTP is closed.
    const attempt = await connectRefused(server.port);
    console.log(`# connect during the drain: ${attempt}`);
    assert.ok(['ECONNREFUSED', 'ECONNRESET', 'closed'].includes(attempt), `a new connection during the drain: ${attempt}`);
    for (let i = 0; i < 50 && !idleClosed; i++) await sleep(20);
    assert.ok(idleClosed, 'idle keep-alive connection still open during the drain');

    // Well-behaved clients close; the stubborn one does nothing. The process must still exit 0.
    for (const ws of clients) ws.send(buildFrame(OP.CLOSE, Buffer.from([0x03, 0xe8])));
    const exit = await server.waitExit(GRACE_MS + 5000);
    exitMs = Date.now() - signalledAt;
    console.log(`# exit ${exit ? JSON.stringify(exit) : 'none'} ${exitMs} ms after SIGTERM (one client ignoring the close)`);
    assert.ok(exit, `still running ${GRACE_MS + 5000} ms after SIGTERM`);
    assert.equal(exit.code, 0);
    assert.ok(exitMs <= GRACE_MS + 1000, `took ${exitMs} ms`);
    assert.ok(!server.sanitizerReport(), server.tail());
    for (const ws of [...clients, stubborn]) ws.destroy();
    idle.destroy();
    inFlight.destroy();
  } finally {
    if (!server.exit) await server.kill();
  }
});

test('SIGTERM with nothing connected exits 0 at once', async () => {
  const server = await startResound();
  const started = Date.now();
  server.process.kill('SIGTERM');
  const exit = await server.waitExit(GRACE_MS);
  console.log(`# idle server: exit ${JSON.stringify(exit)} after ${Date.now() - started} ms`);
  assert.equal(exit?.code, 0);
  assert.ok(Date.now() - started < 3000);
  assert.ok(!server.sanitizerReport(), server.tail());
});
