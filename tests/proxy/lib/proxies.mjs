// Real nginx and Caddy in front of a cluster, run from the recipes in deploy/proxy/ (the files
// docs/proxies.md shows), each on free loopback ports with its own temp directory: no /etc config,
// no systemd, no root-level paths. Started by PID through `setpriv --pdeathsig KILL` (as the cluster's
// Redis) so a test runner killed by a CTest timeout leaves no proxy behind; stopped with SIGTERM.
//
//   const proxy = await startCaddy({ ca, cluster, prefix: '/realtime', strip: false, healthIntervalMs: 250 });
//   proxy.port, proxy.origin ('https://127.0.0.1:PORT'), proxy.output, await proxy.stop()
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTied } from '../../integration/lib/child.mjs';
import { freePort } from '../../integration/lib/server.mjs';
import { sleep, withTimeout } from '../../integration/lib/wait.mjs';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10000;
const STOP_GRACE_MS = 5000;

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const NGINX_RECIPE = join(REPO, 'deploy', 'proxy', 'nginx.conf');
export const CADDY_RECIPE = join(REPO, 'deploy', 'proxy', 'Caddyfile');

const hostPort = (node) => `${HOST}:${node.port}`;

/**
 * The nginx recipe with its ${RESOUND_...} placeholders filled from `values` (what envsubst does);
 * throws if a placeholder has no value, so a recipe change cannot silently leave one behind.
 */
export function renderNginx(template, values) {
  const text = template.replace(/\$\{(RESOUND_[A-Z0-9_]+)\}/g, (whole, name) => {
    if (!(name in values)) throw new Error(`nginx recipe: no value for placeholder ${whole}`);
    return values[name];
  });
  return text;
}

/**
 * A proxy that strips the path prefix before passing a request on (what Coolify's proxies do by
 * default, and `proxy_pass http://up/;` or `handle_path` do): the recipe with one line inserted in
 * front of every proxy_pass / reverse_proxy. The recipes themselves never strip.
 */
export function withPrefixStripping(recipe, kind) {
  if (kind === 'nginx') {
    return recipe.replace(/^(\s*)(proxy_pass )/gm, '$1rewrite ^${RESOUND_PATH_PREFIX}(/.*)$ $$1 break;\n$1$2');
  }
  return recipe.replace(/^(\s*)(reverse_proxy )/gm, '$1uri strip_prefix {$RESOUND_PATH_PREFIX}\n$1$2');
}

/** One TLS request to the proxy's port; resolves with the status (for readiness). */
function probe(port, ca) {
  return new Promise((resolve, reject) => {
    const req = request({ host: HOST, port, path: '/resound-proxy-probe', ca, timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('probe timed out')));
    req.on('error', reject);
    req.end();
  });
}

class ProxyProcess {
  constructor(kind) {
    this.kind = kind;
    this.host = HOST;
    this.output = '';
    this.exit = null;
  }

  get origin() {
    return `https://${HOST}:${this.port}`;
  }

  tail(chars = 4000) {
    return this.output.length <= chars ? this.output : `...${this.output.slice(-chars)}`;
  }

  spawn(binary, args, env) {
    spawnTied(this, binary, args, { env, cwd: this.dir });
  }

  /** Waits until the proxy answers HTTPS on its port with the test CA. */
  async waitListening(ca) {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let last = 'no attempt';
    while (Date.now() < deadline) {
      if (this.exit) throw new Error(`${this.kind} exited during start-up (${JSON.stringify(this.exit)})\n${this.tail()}`);
      try {
        await probe(this.port, ca);
        return this;
      } catch (err) {
        last = err.code || err.message;
      }
      await sleep(50);
    }
    throw new Error(`${this.kind} did not answer HTTPS on ${this.port} within ${START_TIMEOUT_MS} ms (${last})\n${this.tail()}`);
  }

  /** SIGTERM (SIGKILL after a grace period); removes the temp directory. */
  async stop() {
    if (this.process && !this.exit) {
      this.process.kill('SIGTERM');
      try {
        await withTimeout(this.exited, STOP_GRACE_MS, `${this.kind} to exit after SIGTERM`);
      } catch {
        this.process.kill('SIGKILL');
        await this.exited;
      }
    }
    if (process.env.RESOUND_IT_VERBOSE) console.error(`--- ${this.kind} output (pid ${this.pid}) ---\n${this.output}`);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The upstream addresses of a cluster, as the recipes' placeholders want them. */
function upstreams(cluster) {
  if (cluster.edges.length !== 2) throw new Error('the nginx recipe lists two edges');
  if (!cluster.auth) throw new Error('the recipes route the auth paths: start the cluster with auth: true');
  return { edges: cluster.edges.map(hostPort), api: hostPort(cluster.api), auth: hostPort(cluster.auth) };
}

/**
 * nginx from deploy/proxy/nginx.conf: the recipe is rendered into <tmp>/resound.conf and included by
 * a minimal main config (foreground, one worker, pid/temp paths in <tmp>, errors on stderr).
 */
export async function startNginx({ ca, cluster, prefix = '', strip = false }) {
  const proxy = new ProxyProcess('nginx');
  proxy.dir = mkdtempSync(join(tmpdir(), 'resound-proxy-nginx-'));
  proxy.port = await freePort();
  const { edges, api, auth } = upstreams(cluster);
  let recipe = readFileSync(NGINX_RECIPE, 'utf8');
  if (strip) recipe = withPrefixStripping(recipe, 'nginx');
  const site = renderNginx(recipe, {
    RESOUND_EDGE_1: edges[0],
    RESOUND_EDGE_2: edges[1],
    RESOUND_API: api,
    RESOUND_AUTH: auth,
    RESOUND_LISTEN: `${HOST}:${proxy.port}`,
    RESOUND_SERVER_NAME: 'localhost',
    RESOUND_TLS_CERT: ca.serverCert,
    RESOUND_TLS_KEY: ca.serverKey,
    RESOUND_PATH_PREFIX: prefix,
  });
  writeFileSync(join(proxy.dir, 'resound.conf'), site);
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(proxy.dir, sub));
  const t = (sub) => join(proxy.dir, sub);
  writeFileSync(
    join(proxy.dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${t('nginx.pid')};`,
      'error_log stderr warn;',
      'events { worker_connections 1024; }',
      'http {',
      '    access_log off;',
      `    client_body_temp_path ${t('body')};`,
      `    proxy_temp_path ${t('proxy')};`,
      `    fastcgi_temp_path ${t('fastcgi')};`,
      `    uwsgi_temp_path ${t('uwsgi')};`,
      `    scgi_temp_path ${t('scgi')};`,
      `    include ${t('resound.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  proxy.config = site;
  proxy.spawn(process.env.NGINX_BIN || 'nginx', ['-e', 'stderr', '-p', `${proxy.dir}/`, '-c', t('nginx.conf')], process.env);
  return proxy.waitListening(ca.caPem).catch(async (err) => {
    await proxy.stop();
    throw err;
  });
}

/**
 * Caddy from deploy/proxy/Caddyfile as is (its {$...} placeholders come from the environment; with
 * `strip` a transformed copy in the temp dir). Admin API and HTTP port on free ports, Caddy's
 * data/config directories in the temp dir. `healthIntervalMs`: RESOUND_HEALTH_INTERVAL.
 */
export async function startCaddy({ ca, cluster, prefix = '', strip = false, healthIntervalMs = 500 }) {
  const proxy = new ProxyProcess('caddy');
  proxy.dir = mkdtempSync(join(tmpdir(), 'resound-proxy-caddy-'));
  proxy.port = await freePort();
  proxy.adminPort = await freePort();
  const { edges, api, auth } = upstreams(cluster);
  let config = CADDY_RECIPE;
  if (strip) {
    config = join(proxy.dir, 'Caddyfile');
    writeFileSync(config, withPrefixStripping(readFileSync(CADDY_RECIPE, 'utf8'), 'caddy'));
  }
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(RESOUND_|CADDY_|XDG_)/.test(name))),
    HOME: proxy.dir,
    XDG_DATA_HOME: join(proxy.dir, 'data'),
    XDG_CONFIG_HOME: join(proxy.dir, 'config'),
    CADDY_ADMIN: `${HOST}:${proxy.adminPort}`,
    CADDY_HTTP_PORT: String(await freePort()),
    CADDY_HTTPS_PORT: String(proxy.port),
    RESOUND_SITE: `https://${HOST}:${proxy.port}`,
    RESOUND_TLS_CERT: ca.serverCert,
    RESOUND_TLS_KEY: ca.serverKey,
    RESOUND_EDGES: edges.join(' '),
    RESOUND_API: api,
    RESOUND_AUTH: auth,
    RESOUND_PATH_PREFIX: prefix,
    RESOUND_HEALTH_INTERVAL: `${healthIntervalMs}ms`,
  };
  proxy.healthIntervalMs = healthIntervalMs;
  proxy.spawn(process.env.CADDY_BIN || 'caddy', ['run', '--config', config, '--adapter', 'caddyfile'], env);
  return proxy.waitListening(ca.caPem).catch(async (err) => {
    await proxy.stop();
    throw err;
  });
}
