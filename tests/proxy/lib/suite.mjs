// What every proxy test file shares: the app the proxies serve (with a JWT secret so resound-auth
// signs for it), a bundle with auth, the throwaway CA, the pusher-js fleet, and helpers that look
// at the edges directly (their /metrics never goes through a proxy).
import { after, afterEach, before } from 'node:test';
import { APPS } from '../../integration/lib/apps.mjs';
import { Cluster, getJson } from '../../cluster/lib/cluster.mjs';
import { ClientFleet } from './fleet.mjs';
import { ThrowawayCa } from './tls.mjs';

/** The app behind the proxies: the integration baseline plus a jwt_secret for resound-auth. */
export const PROXY_APP = Object.freeze({
  ...APPS.main,
  id: 'app-proxy',
  key: 'key-proxy',
  secret: 'secret-proxy',
  jwt_secret: 'resound-proxy-suite-jwt-secret-0123456789',
});

/**
 * A bundle (two edges, api, auth, Redis) plus a CA and a pusher-js fleet trusting it, for one file.
 * `start(ctx)` runs after everything is up (start the proxies there); `stop(ctx)` before teardown.
 * One hook of each kind does it all, in order: node 20 runs several root-level `before` hooks of a
 * file that uses describe() concurrently, so useCluster's hooks plus our own would race.
 */
export function useProxySuite({ server = {}, start, stop } = {}) {
  const cluster = new Cluster({ edges: 2, auth: true, apps: { proxy: PROXY_APP }, server });
  const ctx = { cluster, app: PROXY_APP, ca: null, fleet: null };
  before(
    async () => {
      try {
        await cluster.start();
        ctx.ca = new ThrowawayCa();
        ctx.fleet = await ClientFleet.start(ctx.ca.caCert);
        if (start) await start(ctx);
      } catch (err) {
        ctx.startFailed = true;
        await teardown(ctx, stop).catch(() => {});
        throw err;
      }
    },
    { timeout: 60000 },
  );
  afterEach(
    async () => {
      if (ctx.startFailed) return;
      await cluster.restoreRedis();
      cluster.assertRunning();
    },
    { timeout: 30000 },
  );
  after(
    async () => {
      if (!ctx.startFailed) await teardown(ctx, stop);
    },
    { timeout: 60000 },
  );
  return ctx;
}

/** Proxies (the file's `stop`), then the fleet, the CA, and the bundle with its exit checks. */
async function teardown(ctx, stop) {
  try {
    if (stop) await stop(ctx);
  } finally {
    await ctx.fleet?.stop();
    ctx.ca?.destroy();
    await ctx.cluster.stop();
  }
}

/** resound_connections of one edge, read from its own /metrics (not through a proxy). */
export async function edgeConnections(edge) {
  const { status, body } = await getJson(edge, '/metrics');
  if (status !== 200) throw new Error(`/metrics of the edge on ${edge.port} answered ${status}`);
  const line = body.split('\n').find((l) => /^resound_connections(\{[^}]*\})? /.test(l));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

/** `# ...` lines: node's spec reporter prints console output, CTest shows it with --output-on-failure/-V. */
export function figure(text) {
  for (const line of String(text).split('\n')) console.log(`# ${line}`);
}
