// The pusher-js side of the proxy tests, in its own Node process: pusher-js's Node build opens wss://
// with faye-websocket and its auth requests with xmlhttprequest, neither of which takes a CA option,
// so the only way to make it trust the throwaway CA is the one a user has: NODE_EXTRA_CA_CERTS, which
// Node reads at start-up (lib/fleet.mjs sets it when it forks this file).
//
// Commands arrive over IPC ({op, id, ...}); every reply is {id, ok, result | error}. A counting layer
// around pusher-js's WebSocket factory records every handshake (opened, or closed before opening:
// refused, 502, TLS error) with its time, so failed handshakes are measured at the client.
import { PusherClient } from '../../integration/lib/deps.mjs';

const handshakes = { attempts: 0, opened: 0, failed: 0, failures: [] };
const runtime = PusherClient.Runtime;
const createWebSocket = runtime.createWebSocket.bind(runtime);
runtime.createWebSocket = (url) => {
  const socket = createWebSocket(url);
  const attempt = { t: Date.now(), url: String(url).replace(/\?.*/, '') };
  handshakes.attempts += 1;
  let opened = false;
  let error = '';
  socket.on('open', () => {
    opened = true;
    handshakes.opened += 1;
  });
  socket.on('error', (event) => {
    error = event?.message || String(event);
  });
  socket.on('close', (event) => {
    if (opened) return;
    handshakes.failed += 1;
    if (handshakes.failures.length < 200) {
      handshakes.failures.push({ ...attempt, closedAt: Date.now(), code: event?.code, reason: error || event?.reason || '' });
    }
  });
  return socket;
};

const groups = new Map(); // id -> [Client]

/** One pusher-js client and what happened to it. */
class Client {
  constructor(index, options) {
    this.index = index;
    this.transitions = []; // {t, from, to}
    this.gaps = []; // {from, connectedAt, subscribedAt}: away from 'connected' until back and resubscribed
    this.errors = [];
    this.events = []; // {t, channel, event, data} (capped; not for the seq channel)
    this.seqs = []; // [seq, receivedAt] of `seq` events
    this.subscriptions = []; // {t, channel}
    this.subscriptionErrors = [];
    this.signedIn = null;
    this.pusher = new PusherClient(options.key, {
      wsHost: options.host,
      wsPort: options.port,
      wssPort: options.port,
      wsPath: options.wsPath || '',
      forceTLS: true,
      enabledTransports: ['ws'],
      cluster: 'mt1',
      enableStats: false,
      channelAuthorization: {
        endpoint: options.authEndpoint,
        transport: 'ajax',
        headers: options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {},
      },
      userAuthentication: {
        endpoint: options.userAuthEndpoint,
        transport: 'ajax',
        headers: options.bearer ? { Authorization: `Bearer ${options.bearer}` } : {},
      },
    });
    const connection = this.pusher.connection;
    connection.bind('state_change', ({ previous, current }) => {
      const t = Date.now();
      this.transitions.push({ t, from: previous, to: current });
      if (previous === 'connected' && current !== 'connected') this.gaps.push({ from: t, connectedAt: null, subscribedAt: null });
      if (current === 'connected') {
        const gap = this.gaps.at(-1);
        if (gap && gap.connectedAt === null) gap.connectedAt = t;
      }
    });
    connection.bind('error', (err) => {
      // A 4200 ("reconnect now") also arrives as error events: the kind tells them apart.
      const kind = `${err?.type ?? 'unknown'}${err?.data?.code ? ` ${err.data.code}` : ''}${err?.error?.message ? `: ${err.error.message}` : ''}`;
      if (this.errors.length < 50) this.errors.push({ t: Date.now(), kind: kind.slice(0, 160) });
    });
    for (const name of options.channels ?? []) this.subscribe(name);
    if (options.signin) {
      this.pusher.signin();
      this.pusher.user.signinDonePromise.then(() => (this.signedIn = { t: Date.now(), id: this.pusher.user.user_data.id }));
    }
  }

  subscribe(name) {
    const channel = this.pusher.subscribe(name);
    channel.bind('pusher:subscription_succeeded', () => {
      const t = Date.now();
      this.subscriptions.push({ t, channel: name });
      const gap = this.gaps.at(-1);
      if (gap && gap.connectedAt !== null && gap.subscribedAt === null) gap.subscribedAt = t;
    });
    channel.bind('pusher:subscription_error', (err) => this.subscriptionErrors.push({ t: Date.now(), channel: name, err }));
    channel.bind_global((event, data) => {
      if (event.startsWith('pusher:') || event.startsWith('pusher_internal:')) return;
      if (event === 'seq') this.seqs.push([data.seq, Date.now()]);
      else if (this.events.length < 1000) this.events.push({ t: Date.now(), channel: name, event, data });
    });
  }

  report() {
    return {
      index: this.index,
      socketId: this.pusher.connection.socket_id ?? null,
      state: this.pusher.connection.state,
      transitions: this.transitions,
      gaps: this.gaps,
      errors: this.errors,
      events: this.events,
      seqs: this.seqs,
      subscriptions: this.subscriptions,
      subscriptionErrors: this.subscriptionErrors,
      signedIn: this.signedIn,
    };
  }
}

const handlers = {
  open({ group, count, options }) {
    const clients = Array.from({ length: count }, (_, i) => new Client(i, options));
    groups.set(group, clients);
    return { count };
  },
  subscribe({ group, channel }) {
    for (const client of groups.get(group) ?? []) client.subscribe(channel);
    return {};
  },
  report({ group }) {
    return { clients: (groups.get(group) ?? []).map((client) => client.report()), handshakes };
  },
  close({ group }) {
    for (const client of groups.get(group) ?? []) client.pusher.disconnect();
    groups.delete(group);
    return {};
  },
};

process.on('message', (message) => {
  try {
    const result = handlers[message.op](message);
    process.send({ id: message.id, ok: true, result });
  } catch (err) {
    process.send({ id: message.id, ok: false, error: err.stack || String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
