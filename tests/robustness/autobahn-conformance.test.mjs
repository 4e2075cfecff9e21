// WebSocket conformance modelled on the Autobahn|Testsuite fuzzingclient case list (case ids follow
// Autobahn's numbering where a case has a counterpart), run against the real server with a raw client.
// Autobahn itself cannot run here. Differences from Autobahn, by design of a Pusher server:
// - the server is not an echo server: a text message is a Pusher message, so "echoed" becomes "a
//   pusher:ping in that message is answered with pusher:pong" (or, for text that is valid UTF-8 but
//   not a JSON ping, "answered with pusher:error and the connection stays open");
// - binary messages are refused with 1003 (Pusher is a text protocol; RFC 6455 7.4.1 "unsupported data");
// - compression (Autobahn 12/13) is not offered: permessage-deflate is declined in the handshake.
// Every case that does not end in a close also checks the connection is still alive (ping/pong) and
// that a close handshake from the client is answered with the same code and the TCP close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rawHttp } from './lib/api.mjs';
import { OP, RawWebSocket, buildFrame, closePayload, openPusher, openTcp, upgradeRequest } from './lib/raw-ws.mjs';
import { sleep, startResound } from './lib/resound.mjs';

const MAX = 131072; // max_message_size of the app in this file
const WAIT_MS = 4000;

let server;
before(async () => {
  server = await startResound({ apps: [{ max_message_size: MAX }] });
});
after(async () => {
  await server?.stop();
});

// ---- building blocks ------------------------------------------------------------------------------
const hex = (text) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const PING_JSON = '{"event":"pusher:ping","data":{}}';
/** A pusher:ping message of exactly `size` bytes (size >= 40). */
function pingOfSize(size) {
  const empty = '{"event":"pusher:ping","data":{"p":""}}';
  assert.ok(size >= empty.length);
  return `{"event":"pusher:ping","data":{"p":"${'x'.repeat(size - empty.length)}"}}`;
}
const text = (payload, options) => buildFrame(OP.TEXT, payload, options);
const cont = (payload, options) => buildFrame(OP.CONT, payload, options);
const ping = (payload = '') => buildFrame(OP.PING, payload);
const pong = (payload = '') => buildFrame(OP.PONG, payload);
const close = (code, reason) => buildFrame(OP.CLOSE, code === undefined ? Buffer.alloc(0) : closePayload(code, reason));
/** `message` split into `count` frames (text, continuations...). */
function fragments(message, sizes) {
  const data = Buffer.from(message);
  const frames = [];
  let offset = 0;
  sizes.forEach((size, i) => {
    const last = i === sizes.length - 1;
    const piece = data.subarray(offset, last ? data.length : offset + size);
    offset += piece.length;
    frames.push(buildFrame(i === 0 ? OP.TEXT : OP.CONT, piece, { fin: last }));
  });
  return frames;
}
/** Every byte of the message in its own frame. */
const perByteFrames = (message) => fragments(message, Array.from(Buffer.from(message), () => 1));
/** One frame's bytes, each written separately ("octet-wise" in Autobahn). */
const octets = (...frames) => ({ octets: Buffer.concat(frames) });
const P = { event: 'pusher:pong' };
const E = { event: 'pusher:error' };

// ---- the runner ----------------------------------------------------------------------------------
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
async function expectNext(ws, expectation, id) {
  if ('close' in expectation) {
    const frame = await ws.nextFrame(WAIT_MS);
    assert.ok(frame, `${id}: expected close ${expectation.close}, got ${ws.describeClose()}`);
    assert.equal(frame.opcode, OP.CLOSE, `${id}: expected close ${expectation.close}, got opcode ${frame.opcode} ${frame.payload.toString().slice(0, 80)}`);
    assert.equal(frame.code, expectation.close, `${id}: close code (reason "${frame.reason}")`);
    assert.equal(frame.masked, false, `${id}: server frames are never masked`);
    assert.ok(await ws.waitEnd(WAIT_MS), `${id}: TCP should be closed after the close frame`);
    return;
  }
  const frame = await ws.nextFrame(WAIT_MS);
  assert.ok(frame, `${id}: expected ${JSON.stringify(expectation)}, got nothing (${ws.describeClose()})`);
  assert.equal(frame.masked, false);
  assert.equal(frame.fin, true, `${id}: the server does not fragment`);
  assert.equal(frame.rsv, 0);
  if (frame.opcode === OP.TEXT) {
    // A client fails the connection on a text frame that is not UTF-8 (RFC 6455 8.1): so must we never send one.
    assert.doesNotThrow(() => strictUtf8.decode(frame.payload), `${id}: the server sent invalid UTF-8: ${frame.payload.toString('latin1').slice(0, 200)}`);
  }
  if ('pong' in expectation) {
    assert.equal(frame.opcode, OP.PONG, `${id}: expected a pong frame, got opcode ${frame.opcode}`);
    assert.deepEqual(frame.payload, Buffer.from(expectation.pong), `${id}: pong payload`);
  } else if ('event' in expectation) {
    assert.equal(frame.opcode, OP.TEXT, `${id}: expected ${expectation.event}, got opcode ${frame.opcode} (${ws.describeClose()})`);
    const message = JSON.parse(frame.payload.toString('utf8'));
    assert.equal(message.event, expectation.event, `${id}: ${frame.payload.toString('utf8').slice(0, 200)}`);
  }
}

async function runCase({ id, send, expect: expected }) {
  const ws = await openPusher(server.port);
  try {
    for (const step of send) {
      if (typeof step === 'number') {
        await sleep(step);
      } else if (step.octets) {
        for (const byte of step.octets) {
          ws.send(Buffer.from([byte]));
          await new Promise((resolve) => setImmediate(resolve));
        }
      } else {
        ws.send(step);
      }
    }
    for (const expectation of expected) await expectNext(ws, expectation, id);
    if (expected.some((e) => 'close' in e)) return;
    // Still alive, nothing unexpected queued, and a clean close handshake.
    ws.send(ping('alive'));
    await expectNext(ws, { pong: 'alive' }, `${id} (alive check)`);
    ws.send(close(1000, 'done'));
    await expectNext(ws, { close: 1000 }, `${id} (closing handshake)`);
  } finally {
    ws.destroy();
  }
}

function cases(title, list) {
  describe(title, () => {
    for (const c of list) test(`${c.id} ${c.title}`, () => runCase(c));
  });
}

// ---- 1 framing ----------------------------------------------------------------------------------
const sizes = [0, 125, 126, 127, 128, 65535, 65536];
cases('1 framing', [
  ...sizes.map((n, i) => ({
    id: `1.1.${i + 1}`,
    title: `text message of ${n} bytes`,
    send: [text(n < 40 ? ' '.repeat(n) : pingOfSize(n))],
    expect: [n < 40 ? E : P],
  })),
  { id: '1.1.8', title: 'text message of 65536 bytes written in chunks of 997 bytes', send: chunked(text(pingOfSize(65536)), 997), expect: [P] },
  { id: '1.2.1', title: 'binary message of 0 bytes: 1003 (text protocol)', send: [buildFrame(OP.BINARY, '')], expect: [{ close: 1003 }] },
  { id: '1.2.3', title: 'binary message of 126 bytes: 1003', send: [buildFrame(OP.BINARY, Buffer.alloc(126, 0xfe))], expect: [{ close: 1003 }] },
  { id: '1.2.7', title: 'binary message of 65536 bytes: 1003', send: [buildFrame(OP.BINARY, Buffer.alloc(65536, 0xfe))], expect: [{ close: 1003 }] },
]);

function chunked(bytes, size) {
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size), 0);
  return out;
}

// ---- 2 ping / pong ------------------------------------------------------------------------------
const binaryPayload = hex('00ff fefd fcfb 00ff');
cases('2 pings and pongs', [
  { id: '2.1', title: 'ping without payload', send: [ping()], expect: [{ pong: '' }] },
  { id: '2.2', title: 'ping with a small text payload', send: [ping('Hello, world!')], expect: [{ pong: 'Hello, world!' }] },
  { id: '2.3', title: 'ping with a small binary payload', send: [ping(binaryPayload)], expect: [{ pong: binaryPayload }] },
  { id: '2.4', title: 'ping with 125 bytes', send: [ping(Buffer.alloc(125, 0xfe))], expect: [{ pong: Buffer.alloc(125, 0xfe) }] },
  { id: '2.5', title: 'ping with 126 bytes', send: [ping(Buffer.alloc(126, 0xfe))], expect: [{ close: 1002 }] },
  { id: '2.6', title: 'ping with 125 bytes, octet-wise', send: [octets(ping(Buffer.alloc(125, 0xfe)))], expect: [{ pong: Buffer.alloc(125, 0xfe) }] },
  { id: '2.7', title: 'unsolicited pong without payload', send: [pong()], expect: [] },
  { id: '2.8', title: 'unsolicited pong with payload', send: [pong('unsolicited pong payload')], expect: [] },
  { id: '2.9', title: 'unsolicited pong, then ping', send: [pong('unsolicited'), ping('ping payload')], expect: [{ pong: 'ping payload' }] },
  {
    id: '2.10',
    title: '10 pings in one write',
    send: [Buffer.concat(Array.from({ length: 10 }, (_, i) => ping(`payload-${i}`)))],
    expect: Array.from({ length: 10 }, (_, i) => ({ pong: `payload-${i}` })),
  },
  {
    id: '2.11',
    title: '10 pings, octet-wise',
    send: [octets(...Array.from({ length: 10 }, (_, i) => ping(`payload-${i}`)))],
    expect: Array.from({ length: 10 }, (_, i) => ({ pong: `payload-${i}` })),
  },
]);

// ---- 3 reserved bits ----------------------------------------------------------------------------
cases('3 reserved bits', [
  { id: '3.1', title: 'RSV = 1 on a small text message', send: [text(PING_JSON, { rsv: 1 })], expect: [{ close: 1002 }] },
  { id: '3.2', title: 'valid text, then RSV = 2, then ping', send: [text(PING_JSON), text(PING_JSON, { rsv: 2 }), ping()], expect: [P, { close: 1002 }] },
  { id: '3.3', title: 'valid text, RSV = 3, ping, frame-wise', send: [text(PING_JSON), 50, text(PING_JSON, { rsv: 3 }), 50, ping()], expect: [P, { close: 1002 }] },
  { id: '3.4', title: 'valid text, RSV = 4, ping, octet-wise', send: [octets(text(PING_JSON), text(PING_JSON, { rsv: 4 }), ping())], expect: [P, { close: 1002 }] },
  { id: '3.5', title: 'RSV = 5 on a binary message', send: [buildFrame(OP.BINARY, binaryPayload, { rsv: 5 })], expect: [{ close: 1002 }] },
  { id: '3.6', title: 'RSV = 6 on a ping', send: [buildFrame(OP.PING, 'x', { rsv: 6 })], expect: [{ close: 1002 }] },
  { id: '3.7', title: 'RSV = 7 on a close', send: [buildFrame(OP.CLOSE, closePayload(1000), { rsv: 7 })], expect: [{ close: 1002 }] },
]);

// ---- 4 opcodes ----------------------------------------------------------------------------------
cases('4 opcodes', [
  ...[3, 4, 5, 6, 7].map((op, i) => ({
    id: `4.1.${i + 1}`,
    title: `reserved non-control opcode ${op}${i >= 2 ? ' after a valid message, then a ping' : ''}`,
    send: i < 2 ? [buildFrame(op, i === 1 ? 'reserved opcode payload' : '')] : [text(PING_JSON), buildFrame(op, i === 3 ? 'payload' : ''), ping()],
    expect: i < 2 ? [{ close: 1002 }] : [P, { close: 1002 }],
  })),
  ...[11, 12, 13, 14, 15].map((op, i) => ({
    id: `4.2.${i + 1}`,
    title: `reserved control opcode ${op}${i >= 2 ? ' after a valid message, then a ping' : ''}`,
    send: i < 2 ? [buildFrame(op, i === 1 ? 'reserved opcode payload' : '')] : [text(PING_JSON), buildFrame(op, i === 3 ? 'payload' : ''), ping()],
    expect: i < 2 ? [{ close: 1002 }] : [P, { close: 1002 }],
  })),
]);

// ---- 5 fragmentation ----------------------------------------------------------------------------
const half = (s) => [Math.floor(s.length / 2), 0]; // two fragments (the last takes the rest)
cases('5 fragmentation', [
  { id: '5.1', title: 'ping in 2 fragments', send: [buildFrame(OP.PING, 'frag', { fin: false }), cont('ment')], expect: [{ close: 1002 }] },
  { id: '5.2', title: 'pong in 2 fragments', send: [buildFrame(OP.PONG, 'frag', { fin: false }), cont('ment')], expect: [{ close: 1002 }] },
  { id: '5.3', title: 'text message in 2 fragments', send: fragments(PING_JSON, half(PING_JSON)), expect: [P] },
  { id: '5.4', title: 'text message in 2 fragments, frame-wise', send: [fragments(PING_JSON, half(PING_JSON))[0], 50, fragments(PING_JSON, half(PING_JSON))[1]], expect: [P] },
  { id: '5.5', title: 'text message in 2 fragments, octet-wise', send: [octets(...fragments(PING_JSON, half(PING_JSON)))], expect: [P] },
  {
    id: '5.6',
    title: 'text message in 2 fragments with a ping in between',
    send: (() => { const [a, b] = fragments(PING_JSON, half(PING_JSON)); return [a, ping('between'), b]; })(),
    expect: [{ pong: 'between' }, P],
  },
  {
    id: '5.8',
    title: 'text message in 2 fragments with a ping in between, octet-wise',
    send: (() => { const [a, b] = fragments(PING_JSON, half(PING_JSON)); return [octets(a, ping('between'), b)]; })(),
    expect: [{ pong: 'between' }, P],
  },
  { id: '5.9', title: 'unstarted continuation with FIN = 1', send: [cont('non-continuation payload'), text(PING_JSON)], expect: [{ close: 1002 }] },
  { id: '5.11', title: 'unstarted continuation with FIN = 1, octet-wise', send: [octets(cont('non-continuation payload'), text(PING_JSON))], expect: [{ close: 1002 }] },
  { id: '5.12', title: 'unstarted continuation with FIN = 0', send: [cont('non-continuation payload', { fin: false }), text(PING_JSON)], expect: [{ close: 1002 }] },
  {
    id: '5.15',
    title: 'a complete fragmented message, then continuations of nothing',
    send: [...fragments(PING_JSON, half(PING_JSON)), cont('fragment3', { fin: false }), cont('fragment4')],
    expect: [P, { close: 1002 }],
  },
  { id: '5.16', title: 'continuation first, then a fragmented message', send: [cont('a', { fin: false }), cont('b'), ...fragments(PING_JSON, half(PING_JSON))], expect: [{ close: 1002 }] },
  { id: '5.18', title: 'a text frame inside a fragmented text message', send: [text('{"event":', { fin: false }), text(PING_JSON)], expect: [{ close: 1002 }] },
  {
    id: '5.19',
    title: 'text in 5 fragments with 2 pings in between',
    send: (() => {
      const f = fragments(PING_JSON, [5, 5, 5, 5, 5]);
      return [f[0], f[1], ping('pongme 1!'), f[2], f[3], ping('pongme 2!'), f[4]];
    })(),
    expect: [{ pong: 'pongme 1!' }, { pong: 'pongme 2!' }, P],
  },
  {
    id: '5.20',
    title: 'text in 5 fragments with 2 pings in between, 100 ms apart',
    send: (() => {
      const f = fragments(PING_JSON, [5, 5, 5, 5, 5]);
      return [f[0], 100, f[1], 100, ping('pongme 1!'), 100, f[2], 100, f[3], 100, ping('pongme 2!'), 100, f[4]];
    })(),
    expect: [{ pong: 'pongme 1!' }, { pong: 'pongme 2!' }, P],
  },
]);

// ---- 6 UTF-8 handling ---------------------------------------------------------------------------
// Each sequence is tested in one frame and with every byte in a frame of its own.
function utf8Payload(bytes) {
  // Valid text that JSON accepts inside a string goes into a pusher:ping (answered with pusher:pong);
  // text with controls, quotes or backslashes is sent raw (valid UTF-8, invalid JSON: pusher:error).
  const jsonSafe = !bytes.some((b) => b < 0x20 || b === 0x22 || b === 0x5c);
  if (!jsonSafe) return { payload: bytes, reply: E };
  return { payload: Buffer.concat([Buffer.from('{"event":"pusher:ping","data":{"s":"'), bytes, Buffer.from('"}}')]), reply: P };
}
const KOSME = hex('ceba e1bdb9 cf83 cebc ceb5');
const utf8Cases = [
  ['6.2.1', 'valid UTF-8, "Hello-µ@ßöäüàá-UTF-8!!"', Buffer.from('Hello-µ@ßöäüàá-UTF-8!!'), true],
  ['6.5.1', 'κόσμε', KOSME, true],
  ...Array.from({ length: KOSME.length }, (_, i) => [`6.6.${i + 1}`, `κόσμε cut after ${i + 1} bytes`, KOSME.subarray(0, i + 1), [2, 5, 7, 9, 11].includes(i + 1)]),
  ['6.7.1', 'first 1-byte sequence U+0000', hex('00'), true],
  ['6.7.2', 'first 2-byte sequence U+0080', hex('c280'), true],
  ['6.7.3', 'first 3-byte sequence U+0800', hex('e0a080'), true],
  ['6.7.4', 'first 4-byte sequence U+10000', hex('f0908080'), true],
  ['6.8.1', '5-byte sequence', hex('f888808080'), false],
  ['6.8.2', '6-byte sequence', hex('fc8480808080'), false],
  ['6.9.1', 'last 1-byte sequence U+007F', hex('7f'), true],
  ['6.9.2', 'last 2-byte sequence U+07FF', hex('dfbf'), true],
  ['6.9.3', 'last 3-byte sequence U+FFFF', hex('efbfbf'), true],
  ['6.9.4', 'last 4-byte sequence U+10FFFF', hex('f48fbfbf'), true],
  ['6.10.1', '4 bytes above U+10FFFF (F7 BF BF BF)', hex('f7bfbfbf'), false],
  ['6.10.2', '5-byte form', hex('fbbfbfbfbf'), false],
  ['6.10.3', '6-byte form', hex('fdbfbfbfbfbf'), false],
  ['6.11.1', 'U+D7FF', hex('ed9fbf'), true],
  ['6.11.2', 'U+E000', hex('ee8080'), true],
  ['6.11.3', 'U+FFFD', hex('efbfbd'), true],
  ['6.11.4', 'U+10FFFF', hex('f48fbfbf'), true],
  ['6.11.5', 'U+110000', hex('f4908080'), false],
  ['6.12.1', 'first continuation byte 0x80', hex('80'), false],
  ['6.12.2', 'last continuation byte 0xBF', hex('bf'), false],
  ['6.12.3', '2 continuation bytes', hex('80bf'), false],
  ['6.12.4', '3 continuation bytes', hex('80bf80'), false],
  ['6.12.8', 'all 64 continuation bytes', Buffer.from(Array.from({ length: 64 }, (_, i) => 0x80 + i)), false],
  ['6.13.1', 'lonely 2-byte start bytes followed by a space', Buffer.from(Array.from({ length: 32 }, (_, i) => [0xc0 + i, 0x20]).flat()), false],
  ['6.13.2', 'lonely 3-byte start bytes followed by a space', Buffer.from(Array.from({ length: 16 }, (_, i) => [0xe0 + i, 0x20]).flat()), false],
  ['6.13.3', 'lonely 4-byte start bytes followed by a space', Buffer.from(Array.from({ length: 8 }, (_, i) => [0xf0 + i, 0x20]).flat()), false],
  ['6.13.4', 'lonely 5-byte start bytes followed by a space', Buffer.from(Array.from({ length: 4 }, (_, i) => [0xf8 + i, 0x20]).flat()), false],
  ['6.13.5', 'lonely 6-byte start bytes followed by a space', Buffer.from(Array.from({ length: 2 }, (_, i) => [0xfc + i, 0x20]).flat()), false],
  ['6.14.1', '2-byte sequence missing its last byte', hex('c0'), false],
  ['6.14.2', '3-byte sequence missing its last byte', hex('e080'), false],
  ['6.14.3', '4-byte sequence missing its last byte', hex('f08080'), false],
  ['6.14.6', 'U+07FF missing its last byte', hex('df'), false],
  ['6.14.7', 'U+FFFF missing its last byte', hex('efbf'), false],
  ['6.14.8', 'U+10FFFF missing its last byte', hex('f48fbf'), false],
  ['6.15.1', 'concatenation of incomplete sequences', hex('c0e080f08080f8808080fc80808080dfefbff7bfbffbbfbfbffdbfbfbfbf'), false],
  ['6.16.1', 'impossible byte FE', hex('fe'), false],
  ['6.16.2', 'impossible byte FF', hex('ff'), false],
  ['6.16.3', 'FE FE FF FF', hex('fefeffff'), false],
  ['6.17.1', 'overlong "/" in 2 bytes', hex('c0af'), false],
  ['6.17.2', 'overlong "/" in 3 bytes', hex('e080af'), false],
  ['6.17.3', 'overlong "/" in 4 bytes', hex('f08080af'), false],
  ['6.18.1', 'maximum overlong 2-byte', hex('c1bf'), false],
  ['6.18.2', 'maximum overlong 3-byte', hex('e09fbf'), false],
  ['6.18.3', 'maximum overlong 4-byte', hex('f08fbfbf'), false],
  ['6.19.1', 'overlong NUL in 2 bytes', hex('c080'), false],
  ['6.19.2', 'overlong NUL in 3 bytes', hex('e08080'), false],
  ['6.19.3', 'overlong NUL in 4 bytes', hex('f0808080'), false],
  ...['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map((h, i) => [`6.20.${i + 1}`, `single UTF-16 surrogate ${h}`, hex(h), false]),
  ...['eda080edb080', 'eda080edbfbf', 'edadbfedb080', 'edafbfedbfbf'].map((h, i) => [`6.21.${i + 1}`, `paired UTF-16 surrogates ${h}`, hex(h), false]),
  ...['efbfbe', 'efbfbf', 'f09fbfbe', 'f09fbfbf', 'f48fbfbe', 'f48fbfbf', 'efb790', 'efb7af'].map((h, i) => [`6.22.${i + 1}`, `noncharacter ${h} (valid UTF-8)`, hex(h), true]),
  ['6.23.1', 'BOM U+FEFF', hex('efbbbf'), true],
  ['6.23.2', 'U+FFFD', hex('efbfbd'), true],
];
describe('6 UTF-8 handling', () => {
  test('6.1.1 empty text message', () => runCase({ id: '6.1.1', send: [text('')], expect: [E] }));
  test('6.1.2 empty fragments', () => runCase({ id: '6.1.2', send: [text('', { fin: false }), cont('', { fin: false }), cont('')], expect: [E] }));
  test('6.1.3 empty, non-empty, empty fragments', () =>
    runCase({ id: '6.1.3', send: [text('', { fin: false }), cont('middle frame payload', { fin: false }), cont('')], expect: [E] }));
  test('6.2.2 valid UTF-8 fragmented on code point boundaries', () =>
    runCase({ id: '6.2.2', send: fragments(utf8Payload(Buffer.from('Hello-µ@ßöäüàá-UTF-8!!')).payload, [38, 2, 2, 2]), expect: [P] }));
  for (const [id, title, bytes, valid] of utf8Cases) {
    const { payload, reply } = utf8Payload(bytes);
    test(`${id} ${title}, one frame`, () => runCase({ id, send: [text(payload)], expect: [valid ? reply : { close: 1007 }] }));
    test(`${id} ${title}, one frame per byte`, () => runCase({ id: `${id}/bytes`, send: perByteFrames(payload), expect: [valid ? reply : { close: 1007 }] }));
  }
  // Fail fast: the close must come before the rest of the message (or frame) is sent.
  test('6.4.1 fail fast: invalid fragment, rest never sent', () =>
    runCase({ id: '6.4.1', send: [text(KOSME, { fin: false }), cont(hex('f4908080'), { fin: false })], expect: [{ close: 1007 }] }));
  test('6.4.2 fail fast: invalid continuation byte in the second fragment', () =>
    runCase({ id: '6.4.2', send: [text(Buffer.concat([KOSME, hex('f4')]), { fin: false }), cont(hex('90'), { fin: false })], expect: [{ close: 1007 }] }));
  test('6.4.3 fail fast inside one frame: only part of its payload sent', () => {
    const payload = Buffer.concat([KOSME, hex('f4908080'), Buffer.from('-edited'.repeat(100))]);
    const frame = text(payload);
    const header = frame.length - payload.length;
    return runCase({ id: '6.4.3', send: [frame.subarray(0, header + KOSME.length + 4)], expect: [{ close: 1007 }] });
  });
  test('6.4.4 fail fast inside one frame: invalid byte arrives alone', () => {
    const payload = Buffer.concat([KOSME, hex('f4908080'), Buffer.from('-edited'.repeat(100))]);
    const frame = text(payload);
    const cut = frame.length - payload.length + KOSME.length; // header + the valid prefix
    return runCase({ id: '6.4.4', send: [frame.subarray(0, cut), 50, frame.subarray(cut, cut + 1), 50, frame.subarray(cut + 1, cut + 2)], expect: [{ close: 1007 }] });
  });
});

// ---- 7 close handling ---------------------------------------------------------------------------
const reason = (n) => 'r'.repeat(n);
cases('7 close handling', [
  { id: '7.1.1', title: 'close 1000 is echoed', send: [close(1000)], expect: [{ close: 1000 }] },
  { id: '7.1.2', title: 'two closes: answered once', send: [close(1000), close(1000)], expect: [{ close: 1000 }] },
  { id: '7.1.3', title: 'ping after close is ignored', send: [close(1000), ping('late')], expect: [{ close: 1000 }] },
  { id: '7.1.4', title: 'text after close is ignored', send: [close(1000), text(PING_JSON)], expect: [{ close: 1000 }] },
  { id: '7.1.5', title: 'close in the middle of a fragmented message', send: [text('{"event"', { fin: false }), close(1000), cont(':"pusher:ping"}')], expect: [{ close: 1000 }] },
  { id: '7.1.6', title: 'pipelined pings, then close: all answered, then the close', send: [Buffer.concat([...Array.from({ length: 5 }, () => ping('x')), close(1000)])], expect: [...Array.from({ length: 5 }, () => ({ pong: 'x' })), { close: 1000 }] },
  { id: '7.3.1', title: 'close without payload: answered with 1000', send: [close()], expect: [{ close: 1000 }] },
  { id: '7.3.2', title: 'close with a 1-byte payload', send: [buildFrame(OP.CLOSE, Buffer.from([0x03]))], expect: [{ close: 1002 }] },
  { id: '7.3.3', title: 'close 1000 without reason', send: [close(1000)], expect: [{ close: 1000 }] },
  { id: '7.3.4', title: 'close 1000 with a reason', send: [close(1000, 'Hello World!')], expect: [{ close: 1000 }] },
  { id: '7.3.5', title: 'close with a 123-byte reason', send: [close(1000, reason(123))], expect: [{ close: 1000 }] },
  { id: '7.3.6', title: 'close with a 124-byte reason (payload 126)', send: [close(1000, reason(124))], expect: [{ close: 1002 }] },
  { id: '7.5.1', title: 'close reason with invalid UTF-8', send: [buildFrame(OP.CLOSE, Buffer.concat([closePayload(1000), KOSME, hex('eda080'), Buffer.from('edited')]))], expect: [{ close: 1007 }] },
  ...[1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999].map((code, i) => ({
    id: `7.7.${i + 1}`, title: `valid close code ${code} is echoed`, send: [close(code)], expect: [{ close: code }],
  })),
  ...[0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999].map((code, i) => ({
    id: `7.9.${i + 1}`, title: `invalid close code ${code}`, send: [close(code)], expect: [{ close: 1002 }],
  })),
  { id: '7.13.1', title: 'close code 5000', send: [close(5000)], expect: [{ close: 1002 }] },
  { id: '7.13.2', title: 'close code 65535', send: [close(65535)], expect: [{ close: 1002 }] },
]);

// ---- 9 limits and volume -------------------------------------------------------------------------
cases('9 limits and volume', [
  { id: '9.1.1', title: 'text message of 64 KiB', send: [text(pingOfSize(65536))], expect: [P] },
  { id: '9.1.2', title: `text message of exactly max_message_size (${MAX})`, send: [text(pingOfSize(MAX))], expect: [P] },
  { id: '9.1.3', title: 'text message of max_message_size + 1: 1009', send: [text(pingOfSize(MAX + 1))], expect: [{ close: 1009 }] },
  { id: '9.2.1', title: `${MAX} bytes in 4 KiB fragments`, send: fragments(pingOfSize(MAX), Array.from({ length: MAX / 4096 }, () => 4096)), expect: [P] },
  { id: '9.2.2', title: 'fragments adding up to max_message_size + 1: 1009', send: fragments(pingOfSize(MAX + 1), Array.from({ length: MAX / 4096 + 1 }, () => 4096)), expect: [{ close: 1009 }] },
  { id: '9.7.1', title: '500 small messages in one write', send: [Buffer.concat(Array.from({ length: 500 }, () => text(PING_JSON)))], expect: Array.from({ length: 500 }, () => P) },
  { id: '9.8.1', title: '500 pings in one write', send: [Buffer.concat(Array.from({ length: 500 }, (_, i) => ping(String(i))))], expect: Array.from({ length: 500 }, (_, i) => ({ pong: String(i) })) },
  { id: '10.1.1', title: '65536-byte text in frames of 1300 bytes', send: fragments(pingOfSize(65536), Array.from({ length: Math.ceil(65536 / 1300) }, () => 1300)), expect: [P] },
]);

// ---- what the server sends ----------------------------------------------------------------------
cases('server text frames are valid UTF-8', [
  { id: 'S.1', title: 'pusher:error for malformed JSON around a non-ASCII character', send: [text(Buffer.from('{"a":é}'))], expect: [E] },
  { id: 'S.2', title: 'pusher:error for a malformed message ending in a 3-byte character', send: [text(Buffer.from('{"event":"pusher:ping","data":€}'))], expect: [E] },
  { id: 'S.3', title: 'pusher:error naming an unsupported non-ASCII event', send: [text(JSON.stringify({ event: 'κόσμε', data: {} }))], expect: [E] },
]);

// ---- handshake and extensions -------------------------------------------------------------------
describe('12/13 compression and the opening handshake', () => {
  test('permessage-deflate is declined; RSV1 afterwards is a protocol error', async () => {
    const ws = await openPusher(server.port, { extraHeaders: ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits'] });
    try {
      assert.equal(ws.handshake.headers['sec-websocket-extensions'], undefined, 'no extension may be accepted');
      ws.send(text(PING_JSON, { rsv: 4 }));
      await expectNext(ws, { close: 1002 }, '12.x');
    } finally {
      ws.destroy();
    }
  });
  test('a subprotocol is not selected when none is supported', async () => {
    const ws = await openPusher(server.port, { extraHeaders: ['Sec-WebSocket-Protocol: chat, superchat'] });
    try {
      assert.equal(ws.handshake.headers['sec-websocket-protocol'], undefined);
    } finally {
      ws.destroy();
    }
  });
  test('version 8 is refused with 426 and Sec-WebSocket-Version: 13', async () => {
    const response = await rawHttp(
      server.port,
      'GET /app/rob-key?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n',
    );
    assert.equal(response.status, 426, response.head);
    assert.match(response.head, /\r\nSec-WebSocket-Version: 13/i);
  });
  test('a malformed Sec-WebSocket-Key is refused with 400', async () => {
    const response = await rawHttp(
      server.port,
      'GET /app/rob-key?protocol=7 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    assert.equal(response.status, 400, response.head);
  });
  test('frames sent in the same write as the upgrade request are processed', async () => {
    const socket = await openTcp(server.port);
    const ws = new RawWebSocket(socket);
    try {
      ws.send(
        Buffer.concat([
          Buffer.from(upgradeRequest(server.port, { path: '/app/rob-key?protocol=7', key: 'dGhlIHNhbXBsZSBub25jZQ==' })),
          text(PING_JSON),
          ping('early'),
        ]),
      );
      assert.equal((await ws.waitHandshake(WAIT_MS))?.status, 101);
      assert.equal(ws.handshake.headers['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      await expectNext(ws, { event: 'pusher:connection_established' }, 'pipelined');
      await expectNext(ws, P, 'pipelined');
      await expectNext(ws, { pong: 'early' }, 'pipelined');
    } finally {
      ws.destroy();
    }
  });
});
