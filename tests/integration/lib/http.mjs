// Hand-signed HTTP API requests (docs/protocol.md §2.1), for requests the SDK will not send: invalid
// JSON bodies, stale timestamps, more channels than it allows.
import { createHash, createHmac } from 'node:crypto';

/**
 * fetch() against /apps/{app.id}{subPath}, signed with `app.secret` (auth_version 1.0).
 * `sentBody` replaces the body after signing (a tampered request); `urlPrefix` goes in front of the
 * signed path in the URL only (a server mounted under a prefix). Returns {status, body, json}.
 */
export async function signedFetch(
  server,
  app,
  method,
  subPath,
  { body, sentBody = body, params = {}, timestamp, urlPrefix = '' } = {},
) {
  const path = `/apps/${app.id}${subPath}`;
  const query = {
    ...params,
    auth_key: app.key,
    auth_timestamp: String(timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
  };
  if (body !== undefined && body !== '') query.body_md5 = createHash('md5').update(body).digest('hex');
  const canonical = Object.keys(query)
    .map((k) => [k.toLowerCase(), query[k]])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const signature = createHmac('sha256', app.secret).update(`${method}\n${path}\n${canonical}`).digest('hex');
  const search = new URLSearchParams({ ...query, auth_signature: signature });
  const res = await fetch(`${server.httpUrl}${urlPrefix}${path}?${search}`, {
    method,
    body: sentBody,
    headers: sentBody === undefined ? {} : { 'content-type': 'application/json' },
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json };
}
