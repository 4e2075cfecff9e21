// HTTPS through a proxy with the test CA (and nothing else) trusted: plain requests, hand-signed
// Pusher API requests (signed over the canonical /apps/... path, as the PHP SDK does behind a
// prefix), the pusher server SDK over https, and HS256 tokens for resound-auth.
import { createHash, createHmac } from 'node:crypto';
import { Agent, request } from 'node:https';
import { PusherServer } from '../../integration/lib/deps.mjs';

/** One HTTPS request; resolves {status, headers, body, json}. Bounded by `timeoutMs`. */
export function httpsRequest(url, { method = 'GET', headers = {}, body, ca, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * A Pusher API request to `${origin}${urlPrefix}/apps/{app.id}${subPath}`, signed over
 * `${signedPrefix}/apps/{app.id}${subPath}` (auth_version 1.0; the SDKs sign without a prefix).
 */
export function signedHttps(origin, app, method, subPath, { body, urlPrefix = '', signedPrefix = '', ca } = {}) {
  const path = `${signedPrefix}/apps/${app.id}${subPath}`;
  const query = { auth_key: app.key, auth_timestamp: String(Math.floor(Date.now() / 1000)), auth_version: '1.0' };
  if (body !== undefined) query.body_md5 = createHash('md5').update(body).digest('hex');
  const canonical = Object.keys(query).sort().map((k) => `${k}=${query[k]}`).join('&');
  const signature = createHmac('sha256', app.secret).update(`${method}\n${path}\n${canonical}`).digest('hex');
  const search = new URLSearchParams({ ...query, auth_signature: signature });
  return httpsRequest(`${origin}${urlPrefix}/apps/${app.id}${subPath}?${search}`, {
    method,
    body,
    // With Content-Length, as every Pusher SDK sends it: Resound refuses chunked bodies (501), and
    // Caddy passes chunked bodies on as they come (nginx buffers them and sends a length).
    headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    ca,
  });
}

/** The official server SDK talking to the proxy over https, trusting only the test CA. */
export function sdkThroughProxy(proxy, app, ca) {
  return new PusherServer({
    appId: app.id,
    key: app.key,
    secret: app.secret,
    host: proxy.host,
    port: proxy.port,
    useTLS: true,
    timeout: 5000,
    agent: new Agent({ ca, keepAlive: true, maxSockets: 8 }),
  });
}

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** An HS256 JWT for resound-auth (docs/auth-verifier.md): app, sub, exp, channels, user_info. */
export function authToken(app, { sub = 'proxy-user', channels = ['*'], userInfo, ttlS = 600 } = {}) {
  const claims = { app: app.id, sub, exp: Math.floor(Date.now() / 1000) + ttlS, channels };
  if (userInfo) claims.user_info = userInfo;
  const signing = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
  return `${signing}.${createHmac('sha256', app.jwt_secret).update(signing).digest('base64url')}`;
}
