// A WebSocket client on a bare TCP socket, so tests can send exactly the bytes they want (unmasked
// frames, reserved bits, lying length headers, split handshakes) and see exactly what the server sends
// back: every frame as it arrived, the close frame's code and reason, and when TCP ended.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { HOST } from './resound.mjs';

export const OP = Object.freeze({ CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 });
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const PUSHER_QUERY = 'protocol=7&client=js&version=8.4.0&flash=false';

/**
 * One client frame. `payload` is a Buffer or string; `length` overrides the declared length (the
 * payload is not padded), `masked: false` sends it unmasked, `rsv` sets bits 4-6 of the first byte.
 */
export function buildFrame(opcode, payload = Buffer.alloc(0), { fin = true, rsv = 0, masked = true, length, mask } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const declared = length ?? data.length;
  const lengthBytes = declared < 126 ? 0 : declared <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + lengthBytes + (masked ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  head[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? declared : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) head.writeUInt16BE(declared, 2);
  if (lengthBytes === 8) head.writeBigUInt64BE(BigInt(declared), 2);
  if (!masked) return Buffer.concat([head, data]);
  const key = mask ?? randomBytes(4);
  key.copy(head, 2 + lengthBytes);
  const body = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) body[i] = data[i] ^ key[i & 3];
  return Buffer.concat([head, body]);
}

export function closePayload(code, reason = '') {
  const reasonBytes = Buffer.isBuffer(reason) ? reason : Buffer.from(reason, 'utf8');
  const out = Buffer.alloc(2 + reasonBytes.length);
  out.writeUInt16BE(code, 0);
  reasonBytes.copy(out, 2);
  return out;
}

/** The auth string of a private or presence subscription ("key:hex hmac"). */
export function channelAuth(app, socketId, channel, channelData) {
  const text = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${app.key}:${createHmac('sha256', app.secret).update(text).digest('hex')}`;
}

export function upgradeRequest(port, { path, key, extraHeaders = [] }) {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders.map((h) => `${h}\r\n`).join('')}\r\n`
  );
}

/** Waits for `predicate()` to hold, polling; false on timeout. */
async function until(predicate, timeoutMs, hook) {
  if (predicate()) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      hook.delete(check);
      resolve(predicate());
    }, timeoutMs);
    const check = () => {
      if (predicate()) {
        clearTimeout(timer);
        hook.delete(check);
        resolve(true);
      }
    };
    hook.add(check);
  });
}

export class RawWebSocket {
  constructor(socket) {
    this.socket = socket;
    this.pending = Buffer.alloc(0);
    this.frames = []; // every frame received, in order ({fin, rsv, opcode, payload, masked, at})
    this.cursor = 0; // next frame nextFrame() returns
    this.closeFrame = null;
    this.ended = false; // TCP closed (FIN or reset)
    this.endedAt = 0;
    this.error = null;
    this.watchers = new Set();
    this.onFrame = null; // optional fast path: (frame) => void, frames are then not stored
    this.upgraded = false;
    this.handshake = null;
    socket.on('data', (chunk) => this.receive(chunk));
    const finish = () => {
      if (!this.ended) {
        this.ended = true;
        this.endedAt = Date.now();
      }
      this.notify();
    };
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (err) => {
      this.error = err;
      finish();
    });
  }

  notify() {
    for (const watcher of [...this.watchers]) watcher();
  }

  receive(chunk) {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.upgraded) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) {
        this.notify();
        return;
      }
      const head = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(end + 4);
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const status = Number(statusLine.split(' ')[1]);
      this.handshake = { status, statusLine, headers };
      if (status !== 101) {
        // Not upgraded: what follows is an HTTP body.
        this.httpBody = this.pending;
        this.pending = Buffer.alloc(0);
        this.notify();
        return;
      }
      this.upgraded = true;
    }
    let offset = 0;
    const buf = this.pending;
    while (buf.length - offset >= 2) {
      const b0 = buf[offset];
      const b1 = buf[offset + 1];
      let length = b1 & 0x7f;
      let pos = offset + 2;
      if (length === 126) {
        if (buf.length - pos < 2) break;
        length = buf.readUInt16BE(pos);
        pos += 2;
      } else if (length === 127) {
        if (buf.length - pos < 8) break;
        length = Number(buf.readBigUInt64BE(pos));
        pos += 8;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) pos += 4; // servers must not mask; recorded and checked by tests
      if (buf.length - pos < length) break;
      const frame = {
        fin: (b0 & 0x80) !== 0,
        rsv: (b0 >> 4) & 7,
        opcode: b0 & 0x0f,
        masked,
        payload: buf.subarray(pos, pos + length),
        at: Date.now(),
      };
      offset = pos + length;
      if (frame.opcode === OP.CLOSE) {
        frame.code = length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        frame.reason = length > 2 ? frame.payload.subarray(2).toString('utf8') : '';
        this.closeFrame = frame;
      }
      if (this.onFrame && frame.opcode !== OP.CLOSE) this.onFrame(frame);
      else this.frames.push(frame);
    }
    this.pending = offset === buf.length ? Buffer.alloc(0) : buf.subarray(offset);
    if (this.onFrame && this.pending.length > 0 && offset > 0) this.pending = Buffer.from(this.pending);
    this.notify();
  }

  send(bytes) {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  sendFrame(opcode, payload, options) {
    this.send(buildFrame(opcode, payload, options));
  }

  sendText(text) {
    this.sendFrame(OP.TEXT, text);
  }

  sendJson(message) {
    this.sendText(JSON.stringify(message));
  }

  /** The next frame not yet returned, or null after `timeoutMs`. */
  async nextFrame(timeoutMs = 5000) {
    await until(() => this.cursor < this.frames.length || this.ended, timeoutMs, this.watchers);
    return this.cursor < this.frames.length ? this.frames[this.cursor++] : null;
  }

  /** The next Pusher message (text frame as JSON) whose event matches, skipping others. */
  async waitEvent(event, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = await this.nextFrame(Math.max(0, deadline - Date.now()));
      if (!frame) throw new Error(`no ${event} within ${timeoutMs} ms (close: ${this.describeClose()})`);
      if (frame.opcode !== OP.TEXT) continue;
      const message = JSON.parse(frame.payload.toString('utf8'));
      if (event === undefined || message.event === event) return message;
    }
  }

  /** Waits for the server's close frame; returns {code, reason, ms} or null on timeout. */
  async waitClose(timeoutMs = 5000) {
    const started = Date.now();
    await until(() => this.closeFrame !== null || this.ended, timeoutMs, this.watchers);
    if (!this.closeFrame) return null;
    return { code: this.closeFrame.code, reason: this.closeFrame.reason, ms: this.closeFrame.at - started };
  }

  /** Waits for the TCP connection to end; true if it did within `timeoutMs`. */
  async waitEnd(timeoutMs = 5000) {
    return until(() => this.ended, timeoutMs, this.watchers);
  }

  async waitHandshake(timeoutMs = 5000) {
    await until(() => this.handshake !== null || this.ended, timeoutMs, this.watchers);
    return this.handshake;
  }

  describeClose() {
    if (this.closeFrame) return `close frame ${this.closeFrame.code} "${this.closeFrame.reason}"`;
    if (this.ended) return `TCP ended without a close frame${this.error ? ` (${this.error.code})` : ''}`;
    return 'still open';
  }

  /** Sends a close frame and waits (bounded) for the server's close and the end of TCP. */
  async close(code = 1000) {
    if (!this.ended && this.upgraded && !this.closeFrame) {
      this.sendFrame(OP.CLOSE, closePayload(code));
      await this.waitClose(2000);
    }
    this.socket.end();
    await this.waitEnd(2000);
    this.destroy();
  }

  destroy() {
    this.socket.destroy();
  }
}

/** A TCP connection to the server, resolved once connected. */
export function openTcp(port, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP connect to ${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Opens a WebSocket to /app/{key}: sends the upgrade and waits for the response. Throws unless the
 * server answered 101 (pass `expectUpgrade: false` to get the refusal instead).
 */
export async function openWebSocket(port, { key = 'rob-key', query = PUSHER_QUERY, path, extraHeaders, timeoutMs = 5000, expectUpgrade = true } = {}) {
  const socket = await openTcp(port, { timeoutMs });
  const client = new RawWebSocket(socket);
  const wsKey = randomBytes(16).toString('base64');
  client.send(upgradeRequest(port, { path: path ?? `/app/${key}${query ? `?${query}` : ''}`, key: wsKey, extraHeaders }));
  const handshake = await client.waitHandshake(timeoutMs);
  if (!expectUpgrade) return client;
  if (!handshake || handshake.status !== 101) {
    client.destroy();
    throw new Error(`upgrade refused: ${handshake ? handshake.statusLine : client.describeClose()}`);
  }
  const accept = createHash('sha1').update(wsKey + WS_GUID).digest('base64');
  if (handshake.headers['sec-websocket-accept'] !== accept) {
    client.destroy();
    throw new Error('wrong Sec-WebSocket-Accept');
  }
  return client;
}

/** A WebSocket that completed the Pusher handshake; `socketId` is set. */
export async function openPusher(port, options = {}) {
  const client = await openWebSocket(port, options);
  const established = await client.waitEvent('pusher:connection_established', options.timeoutMs ?? 5000);
  client.socketId = JSON.parse(established.data).socket_id;
  return client;
}

/** Subscribes and returns the answer (pusher_internal:subscription_succeeded or pusher:subscription_error). */
export async function subscribe(client, channel, { app, channelData, timeoutMs = 5000 } = {}) {
  const data = { channel };
  if (channel.startsWith('private-') || channel.startsWith('presence-')) {
    data.auth = channelAuth(app, client.socketId, channel, channelData);
  }
  if (channelData !== undefined) data.channel_data = channelData;
  client.sendJson({ event: 'pusher:subscribe', data });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await client.waitEvent(undefined, Math.max(1, deadline - Date.now()));
    if (message.event === 'pusher_internal:subscription_succeeded' && message.channel === channel) return message;
    if (message.event === 'pusher:subscription_error' && message.channel === channel) return message;
    if (message.event === 'pusher:error') return message;
  }
}
