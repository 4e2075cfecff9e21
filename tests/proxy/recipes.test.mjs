// docs/proxies.md shows deploy/proxy/* byte for byte (the other files of this suite run those same
// files), and the recipes keep the settings the page and the rolling-restart test rely on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CADDY_RECIPE, NGINX_RECIPE, REPO } from './lib/proxies.mjs';

const page = readFileSync(join(REPO, 'docs', 'proxies.md'), 'utf8');

/** The fenced block right after each `<!-- recipe: FILE -->` marker, by file. */
function blocks() {
  const found = {};
  const re = /^<!-- recipe: (\S+) -->\n```[a-z]*\n([\s\S]*?)^```$/gm;
  for (const [, file, body] of page.matchAll(re)) found[file] = body;
  return found;
}

it('every recipe file is shown in docs/proxies.md byte for byte', () => {
  const shown = blocks();
  const files = readdirSync(join(REPO, 'deploy', 'proxy')).map((name) => `deploy/proxy/${name}`);
  assert.deepEqual(Object.keys(shown).sort(), files.sort());
  for (const file of files) assert.equal(shown[file], readFileSync(join(REPO, file), 'utf8'), `${file} differs from its block`);
});

it('scripts/proxy-recipes.mjs --check agrees (and is what keeps the page in step)', () => {
  execFileSync(process.execPath, [join(REPO, 'scripts', 'proxy-recipes.mjs'), '--check'], { stdio: 'pipe', timeout: 10000 });
});

it('a drifted block renders back to its file (what --check compares)', async () => {
  const { renderPage } = await import('../../scripts/proxy-recipes.mjs');
  const drifted = page.replace('health_uri /ready', 'health_uri /health');
  assert.notEqual(drifted, page);
  const { text, problems } = renderPage(drifted, (file) => readFileSync(join(REPO, file), 'utf8'));
  assert.deepEqual(problems, []);
  assert.equal(text, page, 'rendering restores the recipe');
});

it('the Caddy recipe health-checks /ready and does not retry; nginx passes refused handshakes on', () => {
  const directives = (text) => text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const caddy = directives(readFileSync(CADDY_RECIPE, 'utf8'));
  assert.ok(caddy.includes('health_uri /ready'));
  assert.ok(!caddy.some((l) => /^lb_(try_duration|retries)\b/.test(l)), 'no retries configured');
  assert.ok(!caddy.some((l) => l.startsWith('handle_path')), 'no prefix stripping');
  const nginx = directives(readFileSync(NGINX_RECIPE, 'utf8'));
  assert.ok(nginx.includes('proxy_next_upstream error timeout;'));
  assert.ok(nginx.includes('proxy_pass http://resound_edges;'), 'path passed unchanged');
});
