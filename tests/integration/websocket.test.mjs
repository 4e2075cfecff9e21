// RFC 6455 conformance with hand-built frames over TCP: masking, size limits, fragmentation,
// control frames, UTF-8 validation, the close handshake, and the three payload length encodings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertServerServes, serverSdk } from './lib/clients.mjs';
import { FrameSocket, OP, paddedPing, rawHttp } from './lib/frames.mjs';
import { uniqueName } from './lib/raw-client.mjs';
import { useServer } from './lib/server.mjs';

const server = useServer();

/** Sends `frames` (encodeFrame options) and expects the server to close with `code`. */
async function expectCloseCode(frames, code) {
  const socket = await FrameSocket.open(server);
  for (const frame of frames) socket.send(frame);
  const closed = await socket.expectClose();
  assert.equal(closed.code, code, `close code; frames: ${socket.summary()}`);
  await assertServerServes(server);
  return socket;
}

describe('handshake and server frames', () => {
  it('101 with a correct Sec-WebSocket-Accept; server frames are unmasked final text frames', async () => {
    const socket = await FrameSocket.open(server); // checks 101 + accept
    const hello = socket.frames[0];
    assert.equal(hello.opcode, OP.text);
    assert.equal(hello.fin, true);
    assert.equal(hello.masked, false, 'server frames must not be masked');
    assert.equal(hello.rsv, 0);
  });
});

describe('upgrade requests the server must refuse', () => {
  const upgrade = (path, extra = {}) => {
    const headers = {
      Host: `${server.host}:${server.port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
      ...extra,
    };
    const lines = Object.entries(headers)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${v}`);
    return rawHttp(server, `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  };
  const path = () => `/app/${server.apps.main.key}?protocol=7&client=js&version=8.6.0`;

  it('no Sec-WebSocket-Key: 400', async () => {
    const res = await upgrade(path(), { 'Sec-WebSocket-Key': undefined });
    assert.equal(res.status, 400, res.head);
    await assertServerServes(server);
  });

  it('Sec-WebSocket-Version 8: 426 with Sec-WebSocket-Version: 13', async () => {
    const res = await upgrade(path(), { 'Sec-WebSocket-Version': '8' });
    assert.equal(res.status, 426, res.head);
    assert.match(res.headers['sec-websocket-version'] ?? '', /\b13\b/, res.head);
  });

  it('an upgrade to a path that is not /app/{key}: 404', async () => {
    const res = await upgrade('/nowhere');
    assert.equal(res.status, 404, res.head);
    await assertServerServes(server);
  });
});

describe('protocol violations close the connection', () => {
  it('an unmasked client frame: close 1002', async () => {
    const socket = await expectCloseCode([{ opcode: OP.text, payload: paddedPing(60), mask: false }], 1002);
    assert.ok(!socket.messages.some((m) => m.event === 'pusher:pong'), 'the unmasked message was processed');
  });

  it('reserved bits set without an extension: close 1002', async () => {
    await expectCloseCode([{ opcode: OP.text, payload: paddedPing(60), rsv: 0b100 }], 1002);
  });

  it('an unknown opcode: close 1002', async () => {
    await expectCloseCode([{ opcode: 0x3, payload: 'x' }], 1002);
  });

  it('a continuation frame with no message started: close 1002', async () => {
    await expectCloseCode([{ opcode: OP.continuation, payload: paddedPing(60) }], 1002);
  });

  it('a fragmented control frame: close 1002', async () => {
    await expectCloseCode([{ opcode: OP.ping, payload: 'x', fin: false }], 1002);
  });

  it('a control frame with more than 125 bytes: close 1002', async () => {
    await expectCloseCode([{ opcode: OP.ping, payload: 'x'.repeat(126) }], 1002);
  });

  it('a new text frame while a fragmented message is open: close 1002', async () => {
    await expectCloseCode(
      [
        { opcode: OP.text, payload: '{"event":', fin: false },
        { opcode: OP.text, payload: '"pusher:ping"}' },
      ],
      1002,
    );
  });

  it('invalid UTF-8 in a text message: close 1007', async () => {
    await expectCloseCode([{ opcode: OP.text, payload: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }], 1007);
  });

  it('invalid UTF-8 across fragments (truncated sequence at the end): close 1007', async () => {
    const check = Buffer.from('✓', 'utf8'); // 3 bytes
    await expectCloseCode(
      [
        { opcode: OP.text, payload: Buffer.concat([Buffer.from('{"event":"pusher:ping","data":"'), check]), fin: false },
        { opcode: OP.continuation, payload: Buffer.concat([Buffer.from('"}'), check.subarray(0, 2)]) },
      ],
      1007,
    );
  });
});

describe('message size', () => {
  it('a message larger than max_message_size: close 1009, other clients unaffected', async () => {
    const limit = server.apps.main.max_message_size;
    const bystander = await FrameSocket.open(server);
    await expectCloseCode([{ opcode: OP.text, payload: paddedPing(limit + 1) }], 1009);
    await bystander.roundTrip();
  });

  it('a message within max_message_size is served', async () => {
    const socket = await FrameSocket.open(server);
    socket.sendText(paddedPing(server.apps.main.max_message_size));
    await socket.nextEvent('pusher:pong');
  });

  it('fragments that add up to more than max_message_size: close 1009', async () => {
    const limit = server.apps.main.max_message_size;
    const text = paddedPing(limit + 1000);
    const half = Math.floor(text.length / 2);
    await expectCloseCode(
      [
        { opcode: OP.text, payload: text.slice(0, half), fin: false },
        { opcode: OP.continuation, payload: text.slice(half) },
      ],
      1009,
    );
  });

  it('a frame header announcing 2^40 bytes: close 1009 at once, without waiting for the payload', async () => {
    await expectCloseCode([{ opcode: OP.text, payload: Buffer.alloc(0), length: 2 ** 40 }], 1009);
  });
});

describe('fragmentation and control frames', () => {
  it('a message in three fragments is reassembled', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.text, payload: '{"event":"pus', fin: false });
    socket.send({ opcode: OP.continuation, payload: 'her:pi', fin: false });
    socket.send({ opcode: OP.continuation, payload: 'ng","data":{}}' });
    await socket.nextEvent('pusher:pong');
  });

  it('a multi-byte character split across fragments is valid UTF-8', async () => {
    const socket = await FrameSocket.open(server);
    const text = Buffer.from('{"event":"pusher:ping","data":{"note":"✓ done"}}', 'utf8');
    const cut = text.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte sequence
    socket.send({ opcode: OP.text, payload: text.subarray(0, cut), fin: false });
    socket.send({ opcode: OP.continuation, payload: text.subarray(cut) });
    await socket.nextEvent('pusher:pong');
  });

  it('a ping between fragments is answered at once; the message still completes', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.text, payload: '{"event":"pusher:', fin: false });
    socket.send({ opcode: OP.ping, payload: 'mid-message' });
    const pong = await socket.nextFrame((f) => f.opcode === OP.pong, { what: 'a pong frame' });
    assert.equal(pong.payload.toString('utf8'), 'mid-message');
    socket.send({ opcode: OP.continuation, payload: 'ping","data":{}}' });
    await socket.nextEvent('pusher:pong');
  });

  it('an unsolicited pong frame is ignored', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.pong, payload: 'whatever' });
    await socket.roundTrip();
  });

  it('a binary frame does not break the server', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.binary, payload: Buffer.from([0, 1, 2, 3]) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await assertServerServes(server);
  });
});

describe('close handshake', () => {
  it('client close 1000: the server answers with a close frame and ends the TCP connection', async () => {
    const socket = await FrameSocket.open(server);
    const payload = Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')]);
    socket.send({ opcode: OP.close, payload });
    const closed = await socket.expectClose();
    assert.equal(closed.code, 1000);
    await assertServerServes(server);
  });

  const badCloses = {
    'a 1-byte close payload': Buffer.from([0x03]),
    'reserved code 1005': Buffer.from([0x03, 0xed]),
    'code 999': Buffer.from([0x03, 0xe7]),
  };
  for (const [label, payload] of Object.entries(badCloses)) {
    it(`client close with ${label}: the server closes with 1002`, async () => {
      const socket = await FrameSocket.open(server);
      socket.send({ opcode: OP.close, payload });
      const closed = await socket.expectClose();
      assert.equal(closed.code, 1002, socket.summary());
      await assertServerServes(server);
    });
  }

  it('client close with a reason that is not UTF-8: the server closes with 1007', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.close, payload: Buffer.from([0x03, 0xe8, 0xff, 0xfe]) });
    const closed = await socket.expectClose();
    assert.equal(closed.code, 1007, socket.summary());
  });

  it('client close without a status code: the server answers with a close frame', async () => {
    const socket = await FrameSocket.open(server);
    socket.send({ opcode: OP.close });
    const closed = await socket.expectClose();
    assert.ok(closed.code === undefined || closed.code === 1000, `close code ${closed.code}`);
  });
});

describe('payload length encodings (7-bit, 16-bit, 64-bit)', () => {
  const app = server.apps.big;
  for (const size of [100, 1000, 70000]) {
    it(`${size}-byte client message in and relayed out`, async () => {
      const sdk = serverSdk(server, app);
      const channel = uniqueName('private-sizes.');
      const sender = await FrameSocket.open(server, { key: app.key });
      const receiver = await FrameSocket.open(server, { key: app.key });
      for (const socket of [sender, receiver]) {
        socket.sendJson({ event: 'pusher:subscribe', data: { channel, ...sdk.authorizeChannel(socket.socketId, channel) } });
        await socket.nextEvent('pusher_internal:subscription_succeeded');
      }
      // A pusher:ping of exactly `size` bytes in one frame.
      sender.sendText(paddedPing(size));
      await sender.nextEvent('pusher:pong');

      // A client event of about `size` bytes, relayed to the other member.
      const skeleton = JSON.stringify({ event: 'client-size', channel, data: '' });
      const data = 'd'.repeat(Math.max(1, size - skeleton.length));
      sender.sendJson({ event: 'client-size', channel, data });
      const relayed = await receiver.nextEvent('client-size', { timeout: 5000 });
      assert.equal(typeof relayed.data === 'string' ? relayed.data : JSON.stringify(relayed.data), data);
      const frame = relayed.frame;
      const minimal = frame.payload.length < 126 ? 0 : frame.payload.length <= 0xffff ? 2 : 8;
      assert.equal(frame.lengthBytes, minimal, `server used a ${frame.lengthBytes}-byte extended length for ${frame.payload.length} bytes`);
    });
  }
});
