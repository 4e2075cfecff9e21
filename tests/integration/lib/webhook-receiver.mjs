// A webhook receiver on 127.0.0.1 for the webhook tests: records every request (path, lower-case
// headers, raw body, arrival time) and answers 200, or 503 for the first `failFirst` requests of a path,
// or 500 to every request for which `refuse(path, rawBody)` is true (a receiver with a poison event).
// `listen(port)` may reuse a port that was reserved earlier (a receiver that "comes back").
import { createServer } from 'node:http';
import { eventually } from './wait.mjs';

export class WebhookReceiver {
  constructor({ failFirst = {}, refuse = () => false } = {}) {
    this.failFirst = { ...failFirst }; // path -> number of requests to refuse
    this.refuse = refuse;
    this.seen = {}; // path -> requests so far
    this.requests = [];
    this.server = createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const path = req.url;
        this.seen[path] = (this.seen[path] ?? 0) + 1;
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const poisoned = this.refuse(path, rawBody);
        const refused = poisoned || this.seen[path] <= (this.failFirst[path] ?? 0);
        this.requests.push({ path, method: req.method, headers: req.headers, rawBody, at: Date.now(), refused });
        res.writeHead(poisoned ? 500 : refused ? 503 : 200, { 'content-type': 'text/plain' });
        res.end(refused ? 'not now' : 'ok');
      });
    });
  }

  async listen(port = 0) {
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  url(path) {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Accepted requests (2xx) to `path`, optionally only those whose events match `predicate`. */
  accepted(path, predicate = () => true) {
    return this.requests.filter((r) => r.path === path && !r.refused && predicate(r));
  }

  /** Every event of the accepted requests to `path`, in arrival order. */
  events(path) {
    return this.accepted(path).flatMap((r) => JSON.parse(r.rawBody).events);
  }

  /** Waits (bounded) until an accepted request to `path` carries an event matching `match`. */
  waitForEvent(path, match, { ms = 8000, what = 'a webhook event' } = {}) {
    return eventually(() => this.events(path).find(match), { ms, what: `${what} at ${path}` });
  }

  close() {
    this.server.closeAllConnections?.();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function startReceiver(options) {
  return new WebhookReceiver(options).listen();
}
