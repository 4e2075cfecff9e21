// resound-monitor's dashboard in headless chromium (tests/integration/lib/browser.mjs): the overview
// lists both edges, the api and the monitor as up; a killed edge turns down within the monitor's
// stale time; the debug console shows a whisper made on the surviving edge, naming that edge.
// Screenshots go to RESOUND_SCREENSHOT_DIR (bundle-overview, bundle-edge-down, bundle-console).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, screenshot } from '../integration/lib/browser.mjs';
import { uniqueName } from '../integration/lib/raw-client.mjs';
import { eventually } from '../integration/lib/wait.mjs';
import { MONITOR_STALE_AFTER_S, useCluster } from './lib/cluster.mjs';
import { subscriber } from './lib/observe.mjs';

const PASSWORD = 'bundle-browser-password';
const cluster = useCluster({ edges: 2, monitor: true, monitorOptions: { env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD } } });
let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** The rows of the overview's node table: [{id, service, status}]. */
function nodeRows(page) {
  return page.$$eval('#nodes tbody tr', (rows) =>
    rows.map((row) => {
      const cells = [...row.cells].map((cell) => cell.textContent);
      return { id: cells[0], service: cells[1], status: cells[2] };
    }),
  );
}

test('the bundle view lists every node, shows a killed edge down, and its console sees the other edge', async () => {
  const page = await browser.newPage();
  await page.authenticate({ username: 'admin', password: PASSWORD });
  const response = await page.goto(`${cluster.monitor.httpUrl}/dashboard#overview`);
  assert.equal(response.status(), 200);

  await page.waitForFunction(
    () => [...document.querySelectorAll('#nodes tbody tr')].filter((r) => r.cells[1].textContent === 'resound-edge' && r.cells[2].textContent === 'up').length === 2,
    { timeout: 6000 },
  );
  const rows = await nodeRows(page);
  assert.deepEqual(rows.map((r) => r.service).sort(), ['resound-api', 'resound-edge', 'resound-edge', 'resound-monitor']);
  assert.ok(rows.every((r) => r.status === 'up'), JSON.stringify(rows));
  await screenshot(page, 'bundle-overview');

  const [survivor, victim] = cluster.edges;
  const victimIds = new Set(rows.filter((r) => r.service === 'resound-edge').map((r) => r.id));
  victim.signal('SIGKILL');
  await victim.exited;
  const killedAt = Date.now();
  await page.waitForFunction(
    () => [...document.querySelectorAll('#nodes tbody tr')].some((r) => r.cells[1].textContent === 'resound-edge' && r.cells[2].textContent === 'down'),
    { timeout: MONITOR_STALE_AFTER_S * 1000 + 6000 },
  );
  console.log(`# the dashboard showed the killed edge down after ${Date.now() - killedAt} ms (stale after ${MONITOR_STALE_AFTER_S} s)`);
  const after_ = await nodeRows(page);
  const edges = after_.filter((r) => r.service === 'resound-edge');
  assert.equal(edges.filter((r) => r.status === 'up').length, 1, JSON.stringify(after_));
  assert.ok(edges.every((r) => victimIds.has(r.id)), 'the same two edges, one of them down');
  await screenshot(page, 'bundle-edge-down');

  await page.click('nav button[data-view=console]');
  await page.waitForFunction(() => document.getElementById('console-status').textContent.startsWith('Watching app'), { timeout: 3000 });
  const survivorId = edges.find((r) => r.status === 'up').id;
  const channel = uniqueName('private-bundle-');
  // The edge installs the console's watch at its next poll of the registration (1 s).
  await eventually(
    async () => /^resound_debug_relay_watches 1$/m.test(await (await fetch(`${survivor.httpUrl}/metrics`)).text()),
    { ms: 5000, what: 'the surviving edge relaying the console' },
  );
  const a = await subscriber(survivor, channel, { user: { id: 'a' } });
  await page.waitForFunction((name) => document.querySelector('#console tbody').textContent.includes(name), { timeout: 2000 }, channel);
  const started = Date.now();
  a.channel.trigger('client-typing', { who: 'a' });
  await page.waitForFunction(() => document.querySelector('#console tbody').textContent.includes('client-typing'), { timeout: 1000 });
  assert.ok(Date.now() - started <= 1000);
  const consoleText = await page.$eval('#console tbody', (node) => node.textContent);
  assert.ok(consoleText.includes(survivorId), 'the row names the edge it happened on');
  await screenshot(page, 'bundle-console');
  a.pusher.disconnect();
  await page.close();
});
