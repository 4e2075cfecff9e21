// A WebSocket client (the `ws` package) that records every message so a test can await "the next
// message matching a predicate" with a deadline, and can assert that something did NOT arrive.
import { WebSocket } from './deps.mjs';
import { sleep, withTimeout } from './wait.mjs';

const DEFAULT_WAIT_MS = 3000;

/** `data` as pusher-js reads it: a JSON string is parsed, anything else is returned as is. */
export function dataOf(message) {
  if (typeof message?.data !== 'string') return message?.data;
  try {
    return JSON.parse(message.data);
  } catch {
    return message.data;
  }
}

/** `{code, message}` of a pusher:error, whether the server sent data as an object or a string. */
export function errorOf(message) {
  const data = dataOf(message) ?? {};
  return { code: data.code, message: data.message };
}

let unique = 0;
/** A channel (or user id) that no other test uses. */
export function uniqueName(prefix) {
  unique += 1;
  return `${prefix}${process.pid}-${unique}-${Math.random().toString(36).slice(2, 8)}`;
}

const describe = (m) => (m.raw.length > 300 ? `${m.raw.slice(0, 300)}...` : m.raw);

export class RawClient {
  /**
   * Opens a WebSocket to /app/{key}. By default waits for pusher:connection_established;
   * pass `established: false` to get the client as soon as the upgrade completed.
   */
  static async open(server, { key = server.apps.main.key, query, url, origin, headers, established = true } = {}) {
    const target = url ?? (query === undefined ? server.wsUrl(key) : server.wsUrl(key, query));
    const ws = new WebSocket(target, { origin, headers, handshakeTimeout: 5000 });
    const client = server.track(new RawClient(ws, target));
    await withTimeout(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
        ws.once('unexpected-response', (req, res) =>
          reject(new Error(`WebSocket upgrade to ${target} answered HTTP ${res.statusCode}`)),
        );
      }),
      5000,
      `WebSocket upgrade to ${target}`,
    );
    if (established) {
      const hello = await client.next((m) => m.event === 'pusher:connection_established', {
        what: 'pusher:connection_established',
      });
      client.established = hello;
      client.socketId = dataOf(hello)?.socket_id;
    }
    return client;
  }

  constructor(ws, url) {
    this.ws = ws;
    this.url = url;
    this.messages = []; // { raw, event, channel, data, user_id, consumed }
    this.waiters = [];
    this.pongFrames = [];
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
        for (const w of this.waiters.splice(0)) w.onClose(this.closeInfo);
      });
    });
    ws.on('error', () => {}); // surfaced through `closed` and timeouts
    ws.on('pong', (payload) => this.pongFrames.push(payload.toString('utf8')));
    ws.on('message', (payload, isBinary) => {
      const raw = payload.toString('utf8');
      let message;
      try {
        message = { ...JSON.parse(raw) };
      } catch {
        message = { unparsable: true };
      }
      message.raw = raw;
      message.binary = isBinary;
      this.messages.push(message);
      this.waiters = this.waiters.filter((w) => !w.offer(message));
    });
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends an object as JSON, or a string as is. */
  send(message) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not-yet-consumed message matching `predicate`, already received or still to come. */
  next(predicate, { timeout = DEFAULT_WAIT_MS, what = 'a matching message' } = {}) {
    const found = this.messages.find((m) => !m.consumed && predicate(m));
    if (found) {
      found.consumed = true;
      return Promise.resolve(found);
    }
    let waiter;
    const promise = new Promise((resolve, reject) => {
      waiter = {
        offer: (m) => {
          if (!predicate(m)) return false;
          m.consumed = true;
          resolve(m);
          return true;
        },
        onClose: (info) =>
          reject(new Error(`connection closed (code ${info.code} "${info.reason}") while waiting for ${what}; ` +
            `received: ${this.summary()}`)),
      };
      if (this.closeInfo) waiter.onClose(this.closeInfo);
      else this.waiters.push(waiter);
    });
    return withTimeout(promise, timeout, `${what}; received so far: ${this.summary()}`).finally(() => {
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  /** The next message with this event name (and channel, if given). */
  nextEvent(event, channel, options = {}) {
    return this.next((m) => m.event === event && (channel === undefined || m.channel === channel), {
      what: `${event}${channel === undefined ? '' : ` on ${channel}`}`,
      ...options,
    });
  }

  /** Waits `ms` and returns every not-yet-consumed message that matched (consuming them). */
  async collect(predicate, ms) {
    await sleep(ms);
    const hits = this.messages.filter((m) => !m.consumed && predicate(m));
    for (const m of hits) m.consumed = true;
    return hits;
  }

  /** Fails if a message matching `predicate` arrives (or already arrived unconsumed) within `ms`. */
  async expectNothing(predicate, ms, what = 'message') {
    const hits = await this.collect(predicate, ms);
    if (hits.length > 0) {
      throw new Error(`expected no ${what} within ${ms} ms, got: ${hits.map(describe).join(' | ')}`);
    }
  }

  /** Resolves with {code, reason} once the server closed, or rejects after `timeout`. */
  waitClosed(timeout = DEFAULT_WAIT_MS) {
    return withTimeout(this.closed, timeout, `the server to close ${this.url}; received: ${this.summary()}`);
  }

  summary() {
    if (this.messages.length === 0) return '(nothing)';
    return this.messages.slice(-8).map(describe).join(' | ');
  }

  /** pusher:subscribe; resolves with the first reply for that channel (success or error). */
  async subscribe(channel, { auth, channel_data: channelData } = {}) {
    const data = { channel };
    if (auth !== undefined) data.auth = auth;
    if (channelData !== undefined) data.channel_data = channelData;
    this.send({ event: 'pusher:subscribe', data });
    return this.next(
      (m) =>
        m.channel === channel &&
        ['pusher_internal:subscription_succeeded', 'pusher:subscription_error', 'pusher:error'].includes(m.event),
      { what: `a reply to subscribing ${channel}` },
    );
  }

  /** Subscribes and fails unless the server answered subscription_succeeded. */
  async subscribeOk(channel, options) {
    const reply = await this.subscribe(channel, options);
    if (reply.event !== 'pusher_internal:subscription_succeeded') {
      throw new Error(`subscribing ${channel} failed: ${reply.raw}`);
    }
    return reply;
  }

  /** Subscribes to a private/presence channel with a signature from the server SDK. */
  subscribeSigned(sdk, channel, presenceData) {
    return this.subscribeOk(channel, sdk.authorizeChannel(this.socketId, channel, presenceData));
  }

  /** pusher:signin with a signature from the server SDK; resolves with the reply. */
  async signin(sdk, userData) {
    this.send({ event: 'pusher:signin', data: sdk.authenticateUser(this.socketId, userData) });
    return this.next((m) => m.event === 'pusher:signin_success' || m.event === 'pusher:error', {
      what: 'a reply to pusher:signin',
    });
  }

  /** pusher:ping → pusher:pong round trip (proves the connection is open and served). */
  async roundTrip() {
    this.send({ event: 'pusher:ping', data: {} });
    return this.nextEvent('pusher:pong');
  }

  close(code = 1000) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try {
        this.ws.close(code);
      } catch {
        this.ws.terminate();
      }
    }
    // Do not leave a half-closed socket behind if the server never answers the close.
    const timer = setTimeout(() => this.ws.terminate(), 1000);
    return this.closed.finally(() => clearTimeout(timer));
  }
}
