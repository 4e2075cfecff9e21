// RFC 6455 by hand over a plain TCP socket: an upgrade request, a client frame encoder that can
// also produce invalid frames (unmasked, reserved bits, bad opcodes), and a server frame parser.
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { withTimeout } from './wait.mjs';

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };
const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const DEFAULT_WAIT_MS = 3000;

/**
 * One client frame as bytes. `payload` is a Buffer or string; `mask: false` sends it unmasked
 * (a protocol violation for a client); `length` overrides the declared payload length.
 */
export function encodeFrame({ opcode = OP.text, payload = Buffer.alloc(0), fin = true, mask = true, rsv = 0, length } = {}) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const declared = length ?? body.length;
  let header;
  if (declared < 126) {
    header = Buffer.from([0, declared]);
  } else if (declared <= 0xffff) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(declared, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(declared), 2);
  }
  header[0] = (fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xf);
  if (!mask) return Buffer.concat([header, body]);
  header[1] |= 0x80;
  const key = randomBytes(4);
  const masked = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i += 1) masked[i] = body[i] ^ key[i % 4];
  return Buffer.concat([header, key, masked]);
}

/** A pusher:ping message padded with a `pad` string so that it is exactly `size` bytes of JSON. */
export function paddedPing(size) {
  const empty = JSON.stringify({ event: 'pusher:ping', data: { pad: '' } });
  if (size < empty.length) throw new Error(`a padded ping needs at least ${empty.length} bytes`);
  return JSON.stringify({ event: 'pusher:ping', data: { pad: 'p'.repeat(size - empty.length) } });
}

export class FrameSocket {
  /** TCP connect + WebSocket upgrade to /app/{key}; checks 101 and Sec-WebSocket-Accept. */
  static async open(server, { key = server.apps.main.key, path } = {}) {
    const socket = connect(server.port, server.host);
    const client = server.track(new FrameSocket(socket));
    await withTimeout(
      new Promise((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      }),
      3000,
      'TCP connect',
    );
    const wsKey = randomBytes(16).toString('base64');
    const target = path ?? `/app/${key}?protocol=7&client=js&version=8.6.0&flash=false`;
    socket.write(
      `GET ${target} HTTP/1.1\r\nHost: ${server.host}:${server.port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${wsKey}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const head = await withTimeout(client.upgradeHead, 3000, 'the HTTP 101 response');
    const [statusLine, ...headerLines] = head.split('\r\n');
    if (!/^HTTP\/1\.1 101 /.test(statusLine)) throw new Error(`upgrade refused: ${head}`);
    const headers = Object.fromEntries(
      headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    const expected = createHash('sha1').update(wsKey + ACCEPT_GUID).digest('base64');
    if (headers['sec-websocket-accept'] !== expected) {
      throw new Error(`Sec-WebSocket-Accept ${headers['sec-websocket-accept']} != ${expected}`);
    }
    const hello = await client.nextMessage((m) => m.event === 'pusher:connection_established');
    client.socketId = JSON.parse(hello.data).socket_id;
    return client;
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.upgraded = false;
    this.frames = []; // { fin, rsv, opcode, masked, lengthBytes, payload, consumed }
    this.messages = []; // reassembled text messages, parsed: { ...json, raw, consumed }
    this.partial = null;
    this.waiters = [];
    this.ended = false;
    let resolveHead;
    this.upgradeHead = new Promise((resolve) => (resolveHead = resolve));
    this.resolveHead = resolveHead;
    this.closed = new Promise((resolve) => socket.once('close', resolve)).then(() => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', () => {});
    socket.on('data', (chunk) => this.onData(chunk));
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (!this.upgraded) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.upgraded = true;
      this.resolveHead(this.buffer.subarray(0, end).toString('latin1'));
      this.buffer = this.buffer.subarray(end + 4);
    }
    for (let frame = this.parseFrame(); frame; frame = this.parseFrame()) this.onFrame(frame);
    this.notify();
  }

  parseFrame() {
    const b = this.buffer;
    if (b.length < 2) return null;
    let offset = 2;
    let length = b[1] & 0x7f;
    let lengthBytes = 0;
    if (length === 126) {
      if (b.length < 4) return null;
      length = b.readUInt16BE(2);
      lengthBytes = 2;
    } else if (length === 127) {
      if (b.length < 10) return null;
      length = Number(b.readBigUInt64BE(2));
      lengthBytes = 8;
    }
    offset += lengthBytes;
    const masked = (b[1] & 0x80) !== 0;
    if (masked) offset += 4;
    if (b.length < offset + length) return null;
    let payload = Buffer.from(b.subarray(offset, offset + length));
    if (masked) {
      const key = b.subarray(offset - 4, offset);
      payload = payload.map((byte, i) => byte ^ key[i % 4]);
    }
    this.buffer = b.subarray(offset + length);
    return { fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 0x7, opcode: b[0] & 0xf, masked, lengthBytes, payload };
  }

  onFrame(frame) {
    this.frames.push(frame);
    if (frame.opcode === OP.text || (frame.opcode === OP.continuation && this.partial)) {
      this.partial = this.partial ? Buffer.concat([this.partial, frame.payload]) : frame.payload;
      if (frame.fin) {
        const raw = this.partial.toString('utf8');
        this.partial = null;
        let message;
        try {
          message = JSON.parse(raw);
        } catch {
          message = { unparsable: true };
        }
        this.messages.push({ ...message, raw, frame });
      }
    }
  }

  notify() {
    this.waiters = this.waiters.filter((w) => !w());
  }

  wait(find, timeout, what) {
    let waiter;
    const promise = new Promise((resolve, reject) => {
      waiter = () => {
        const hit = find();
        if (hit) {
          hit.consumed = true;
          resolve(hit);
          return true;
        }
        if (this.ended) {
          reject(new Error(`TCP connection closed while waiting for ${what}; frames: ${this.summary()}`));
          return true;
        }
        return false;
      };
      if (!waiter()) this.waiters.push(waiter);
    });
    return withTimeout(promise, timeout, `${what}; frames so far: ${this.summary()}`).finally(() => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  /** The next unconsumed server frame matching `predicate`. */
  nextFrame(predicate, { timeout = DEFAULT_WAIT_MS, what = 'a matching frame' } = {}) {
    return this.wait(() => this.frames.find((f) => !f.consumed && predicate(f)), timeout, what);
  }

  /** The next unconsumed (reassembled) JSON text message matching `predicate`. */
  nextMessage(predicate, { timeout = DEFAULT_WAIT_MS, what = 'a matching message' } = {}) {
    return this.wait(() => this.messages.find((m) => !m.consumed && predicate(m)), timeout, what);
  }

  nextEvent(event, options = {}) {
    return this.nextMessage((m) => m.event === event, { what: event, ...options });
  }

  /** The server's close frame: {code, reason}; then waits for the TCP connection to end. */
  async expectClose(timeout = DEFAULT_WAIT_MS) {
    const frame = await this.nextFrame((f) => f.opcode === OP.close, { timeout, what: 'a close frame' });
    const code = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : undefined;
    const reason = frame.payload.subarray(2).toString('utf8');
    await withTimeout(this.closed, timeout, 'the server to end the TCP connection after its close frame');
    return { code, reason, frame };
  }

  send(options) {
    this.socket.write(encodeFrame(options));
  }

  sendText(text, options = {}) {
    this.send({ opcode: OP.text, payload: text, ...options });
  }

  sendJson(message) {
    this.sendText(JSON.stringify(message));
  }

  async roundTrip() {
    this.sendJson({ event: 'pusher:ping', data: {} });
    return this.nextEvent('pusher:pong');
  }

  summary() {
    if (this.frames.length === 0) return '(none)';
    return this.frames
      .slice(-6)
      .map((f) => `[op ${f.opcode}${f.fin ? '' : ' no-fin'} ${f.payload.length} B: ${f.payload.toString('utf8', 0, 80)}]`)
      .join(' ');
  }

  close() {
    this.socket.destroy();
  }
}

/** Sends raw HTTP request text; resolves with {status, headers, head} of the response. */
export function rawHttp(server, requestText, timeout = 3000) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = connect(server.port, server.host, () => socket.write(requestText));
      let buffer = '';
      const finish = () => {
        const end = buffer.indexOf('\r\n\r\n');
        const head = end < 0 ? buffer : buffer.slice(0, end);
        const [statusLine = '', ...lines] = head.split('\r\n');
        const headers = Object.fromEntries(
          lines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        socket.destroy();
        resolve({ status: Number(statusLine.split(' ')[1]), headers, head });
      };
      socket.on('data', (chunk) => {
        buffer += chunk.toString('latin1');
        if (buffer.includes('\r\n\r\n')) finish();
      });
      socket.on('end', finish);
      socket.on('error', reject);
    }),
    timeout,
    'an HTTP response',
  );
}
