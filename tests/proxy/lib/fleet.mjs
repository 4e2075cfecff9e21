// The test side of lib/fleet-child.mjs: forks it with NODE_EXTRA_CA_CERTS=<the throwaway CA> and
// drives groups of pusher-js clients in it over IPC.
//
//   const fleet = await ClientFleet.start(ca);
//   const group = await fleet.open(3, { host, port, key, wsPath, channels, authEndpoint, bearer });
//   const { clients, handshakes } = await fleet.report(group);
//   await fleet.close(group); await fleet.stop();
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deferred, eventually, withTimeout } from '../../integration/lib/wait.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'fleet-child.mjs');
const REPLY_TIMEOUT_MS = 10000;

export class ClientFleet {
  /** `caFile`: PEM the child trusts besides the system store; `null` for a child that trusts only the system store. */
  static async start(caFile) {
    const fleet = new ClientFleet();
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_EXTRA_CA_CERTS'));
    if (caFile) env.NODE_EXTRA_CA_CERTS = caFile;
    fleet.output = '';
    fleet.child = fork(CHILD, [], { env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const capture = (chunk) => {
      if (fleet.output.length < 1 << 20) fleet.output += chunk.toString('utf8');
    };
    fleet.child.stdout.on('data', capture);
    fleet.child.stderr.on('data', capture);
    fleet.pending = new Map();
    fleet.nextId = 1;
    const ready = deferred();
    fleet.exited = new Promise((resolve) => fleet.child.once('exit', (code, signal) => resolve({ code, signal })));
    fleet.exited.then((exit) => {
      for (const { reject } of fleet.pending.values()) reject(new Error(`pusher-js fleet exited (${JSON.stringify(exit)})\n${fleet.output}`));
      ready.reject(new Error(`pusher-js fleet exited during start-up\n${fleet.output}`));
    });
    fleet.child.on('message', (message) => {
      if (message.ready) return ready.resolve();
      const waiter = fleet.pending.get(message.id);
      if (!waiter) return;
      fleet.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`pusher-js fleet: ${message.error}`));
    });
    await withTimeout(ready.promise, REPLY_TIMEOUT_MS, 'the pusher-js fleet process to start');
    return fleet;
  }

  call(op, args = {}) {
    const id = this.nextId++;
    const waiter = deferred();
    this.pending.set(id, waiter);
    this.child.send({ op, id, ...args });
    return withTimeout(waiter.promise, REPLY_TIMEOUT_MS, `pusher-js fleet reply to ${op}`);
  }

  /** Opens `count` pusher-js clients with `options`; returns the group id. */
  async open(count, options) {
    const group = `g${this.nextId}`;
    await this.call('open', { count, options, group });
    return group;
  }

  report(group) {
    return this.call('report', { group });
  }

  subscribe(group, channel) {
    return this.call('subscribe', { group, channel });
  }

  close(group) {
    return this.call('close', { group });
  }

  /**
   * Waits until every client of `group` is connected and subscribed to each of `channels` (once per
   * connection); returns the report.
   */
  async whenSubscribed(group, channels, { ms = 10000, what = 'pusher-js clients to connect and subscribe' } = {}) {
    let last;
    await eventually(
      async () => {
        last = await this.report(group);
        return last.clients.every((c) => c.state === 'connected' && channels.every((ch) => c.subscriptions.some((s) => s.channel === ch)));
      },
      { ms, intervalMs: 100, what: `${what} (last states: ${JSON.stringify(last?.clients.map((c) => c.state))})` },
    );
    return last;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    await withTimeout(this.exited, 5000, 'the pusher-js fleet to exit').catch(() => this.child.kill('SIGKILL'));
  }
}
