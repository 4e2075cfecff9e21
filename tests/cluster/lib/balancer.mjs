// A loopback TCP balancer standing in for Traefik in front of the edges: each new connection goes to
// the first backend (in list order) that accepts it. Lets pusher-js, which knows one host, reconnect
// to another edge after its edge closed it with 4200 during a rolling deploy.
import { connect, createServer } from 'node:net';

const HOST = '127.0.0.1';
const CONNECT_TIMEOUT_MS = 1000;

function dial(port) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${port} timed out`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export class Balancer {
  /** `backends`: nodes with a `port` (RunningServer edges); the list may be changed later. */
  constructor(backends) {
    this.host = HOST;
    this.backends = backends;
    this.sockets = new Set();
    this.routed = []; // backend port of every accepted connection, in order
  }

  async start() {
    this.server = createServer((client) => this.route(client));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, HOST, resolve);
    });
    this.port = this.server.address().port;
    return this;
  }

  async route(client) {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => {});
    client.pause();
    for (const backend of this.backends) {
      if (backend.exit) continue; // a process we know has gone
      try {
        const upstream = await dial(backend.port);
        this.sockets.add(upstream);
        upstream.once('close', () => {
          this.sockets.delete(upstream);
          client.destroy();
        });
        upstream.on('error', () => {});
        client.once('close', () => upstream.destroy());
        this.routed.push(backend.port);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        return;
      } catch {
        // refused or slow: try the next backend
      }
    }
    client.destroy();
  }

  async close() {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
