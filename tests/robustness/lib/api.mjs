// The Pusher HTTP API from the tests: requests signed like the server SDKs sign them (docs/protocol.md 2.1),
// sent over a keep-alive agent, plus raw HTTP on a bare socket for requests no client library sends.
import { createHash, createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { HOST } from './resound.mjs';
import { openTcp } from './raw-ws.mjs';

/** The query string of a signed request (params + auth_* + body_md5), values percent-encoded. */
export function signedQuery(app, method, path, body = '', params = {}) {
  const all = {
    ...params,
    auth_key: app.key,
    auth_timestamp: String(Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
  };
  if (body.length > 0) all.body_md5 = createHash('md5').update(body).digest('hex');
  const canonical = Object.keys(all)
    .map((k) => [k.toLowerCase(), all[k]])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signature = createHmac('sha256', app.secret).update(`${method}\n${path}\n${canonical}`).digest('hex');
  return Object.entries({ ...all, auth_signature: signature })
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** A client for one app with its own keep-alive connection(s). */
export class ApiClient {
  constructor(server, app = server.app(0), { sockets = 1 } = {}) {
    this.server = server;
    this.app = app;
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** Sends a signed request; resolves {status, body, json, headers}. Bounded by `timeoutMs`. */
  call(method, subPath, { body = '', params = {}, timeoutMs = 10000, rawBody } = {}) {
    const path = `/apps/${this.app.id}${subPath}`;
    const text = rawBody ?? (typeof body === 'string' ? body : JSON.stringify(body));
    const query = signedQuery(this.app, method, path, text, params);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: HOST,
          port: this.server.port,
          method,
          path: `${path}?${query}`,
          agent: this.agent,
          headers: text.length > 0 ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {},
          timeout: timeoutMs,
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = JSON.parse(raw);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode, body: raw, json, headers: res.headers });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${subPath} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (text.length > 0) req.write(text);
      req.end();
    });
  }

  publish(channels, name, data, extra = {}) {
    return this.call('POST', '/events', { body: { name, channels, data, ...extra } });
  }

  batch(events) {
    return this.call('POST', '/batch_events', { body: { batch: events } });
  }

  close() {
    this.agent.destroy();
  }
}

/**
 * Raw HTTP on a new socket: writes `text` (string or Buffer), then collects what the server sends
 * until it closes or `timeoutMs` passes. Resolves {status, head, body, raw, closed, ms}.
 */
export async function rawHttp(port, text, { timeoutMs = 5000, keepOpenAfterResponse = false } = {}) {
  const socket = await openTcp(port);
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    let settled = false;
    const finish = (closed) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      const head = headEnd < 0 ? raw : raw.slice(0, headEnd);
      const status = Number((head.match(/^HTTP\/1\.[01] (\d{3})/) || [])[1] || 0);
      socket.destroy();
      resolve({ status, head, body: headEnd < 0 ? '' : raw.slice(headEnd + 4), raw, closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (c) => {
      chunks.push(c);
      if (keepOpenAfterResponse) return;
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = Number((raw.slice(0, headEnd).match(/\r\ncontent-length: *(\d+)/i) || [])[1] || 0);
      if (raw.length >= headEnd + 4 + length) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.write(text);
  });
}
