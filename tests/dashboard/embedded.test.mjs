// The dashboard of the all-in-one `resound` in headless chromium: Basic auth (and its refusal, cheap
// even 1,000 times), the overview's live connection count, the debug console showing an API event and
// a whisper within a second, its filters (a regular expression is refused with a clear message), the
// test-event form reaching a pusher-js client (and refusing a huge event), the channels view, and 404
// everywhere when no password is set. Screenshots of each view go to RESOUND_SCREENSHOT_DIR.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { launchBrowser, screenshot } from '../integration/lib/browser.mjs';
import { PusherClient } from '../integration/lib/deps.mjs';
import { pusherJs, pusherJsOptions, serverSdk, whenConnected, whenSubscribed } from '../integration/lib/clients.mjs';
import { startServer, useServer } from '../integration/lib/server.mjs';
import { deferred, eventually, sleep, withTimeout } from '../integration/lib/wait.mjs';

const PASSWORD = 'correct-horse-battery-staple';
const server = useServer({ env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD } });
const basic = (password) => `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`;
let browser;
let page; // logged in, kept across the tests of this file like an operator's tab

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const text = (selector) => page.$eval(selector, (node) => node.textContent);
const consoleText = () => page.$eval('#console tbody', (node) => node.textContent);

async function metric(name) {
  const body = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

/** A pusher-js client subscribed to `channel` (signed by the server SDK for private/presence). */
async function subscribed(channelName, options = {}) {
  const client = await pusherJs(server, options);
  const channel = client.subscribe(channelName);
  await whenSubscribed(channel);
  return { client, channel };
}

async function setFilter({ channel = '', event = '' }) {
  await page.click('#console-clear');
  await page.$eval('#console-channel', (node, value) => { node.value = value; }, channel);
  await page.$eval('#console-event', (node, value) => { node.value = value; }, event);
  await page.click('#console-form button[type=submit]');
}

describe('dashboard (embedded)', () => {
  it('refuses a wrong password with 401 and a clear message', async () => {
    const refused = await browser.newPage();
    await refused.authenticate({ username: 'admin', password: 'wrong' });
    const response = await refused.goto(`${server.httpUrl}/dashboard`);
    assert.equal(response.status(), 401);
    assert.match(response.headers()['www-authenticate'], /^Basic realm="Resound dashboard"/);
    assert.match(await refused.evaluate(() => document.body.textContent), /Wrong user or password/);
    await refused.close();
  });

  it('logs in and shows the connection count change as pusher-js clients connect', async () => {
    page = await browser.newPage();
    await page.authenticate({ username: 'admin', password: PASSWORD });
    const response = await page.goto(`${server.httpUrl}/dashboard#overview`);
    assert.equal(response.status(), 200);
    await page.waitForFunction(() => document.getElementById('live').textContent === 'live', { timeout: 5000 });
    await page.waitForFunction(() => document.getElementById('c-connections').textContent === '0', { timeout: 3000 });
    for (let i = 0; i < 3; i++) await pusherJs(server);
    const started = Date.now();
    await page.waitForFunction(() => document.getElementById('c-connections').textContent === '3', { timeout: 3000 });
    assert.ok(Date.now() - started <= 2500, `the overview took ${Date.now() - started} ms to update`);
    assert.equal(await metric('resound_connections'), 3, '/metrics agrees');
    // The chart has drawn its lines; give the node table a row.
    await page.waitForSelector('#chart polyline.connections', { timeout: 3000 });
    assert.match(await text('#nodes tbody'), /resound.*up/);
  });

  it('shows an API event and a whisper in the console within a second', async () => {
    await page.click('nav button[data-view=console]');
    await page.waitForFunction(() => document.getElementById('console-status').textContent.startsWith('Watching app app-1'), { timeout: 3000 });
    const a = await subscribed('private-orders', { user: { id: 'a' } });
    const b = await subscribed('private-orders', { user: { id: 'b' } });

    let started = Date.now();
    await serverSdk(server).trigger('private-orders', 'OrderShipped', { id: 42 });
    await page.waitForFunction(() => document.querySelector('#console tbody').textContent.includes('OrderShipped'), { timeout: 1000 });
    assert.ok(Date.now() - started <= 1000);
    assert.match(await consoleText(), /api event/);

    const whisper = deferred();
    b.channel.bind('client-typing', (data) => whisper.resolve(data));
    started = Date.now();
    a.channel.trigger('client-typing', { who: 'a' });
    await page.waitForFunction(() => document.querySelector('#console tbody').textContent.includes('client-typing'), { timeout: 1000 });
    assert.ok(Date.now() - started <= 1000);
    await withTimeout(whisper.promise, 2000, 'the whisper at the other client');
    assert.match(await consoleText(), /client event/);
  });

  it('filters the console by channel and event name', async () => {
    await setFilter({ channel: 'private-orders*', event: 'Order*' });
    await page.waitForFunction(() => document.getElementById('console-status').textContent.includes('channel private-orders*'), { timeout: 3000 });
    const sdk = serverSdk(server);
    await sdk.trigger('news', 'OrderShipped', { skip: 'other channel' });
    await sdk.trigger('private-orders', 'Refunded', { skip: 'other event' });
    await sdk.trigger('private-orders', 'OrderPlaced', { id: 7 });
    await page.waitForFunction(() => document.querySelector('#console tbody').textContent.includes('OrderPlaced'), { timeout: 2000 });
    await sleep(300);
    const shown = await consoleText();
    assert.doesNotMatch(shown, /Refunded/);
    assert.doesNotMatch(shown, /news/);
  });

  it('refuses a regular-expression filter with a clear message and stays fast', async () => {
    await setFilter({ channel: '(a+)+$' });
    await page.waitForFunction(() => document.getElementById('console-status').textContent.startsWith('Filter refused'), { timeout: 3000 });
    assert.match(await text('#console-status'), /regular expression|wildcard|\*/i);
    const started = Date.now();
    assert.equal((await fetch(`${server.httpUrl}/health`)).status, 200);
    assert.ok(Date.now() - started < 500);
    await setFilter({});
  });

  it('publishes a test event from the form to a pusher-js client, and refuses a huge one', async () => {
    await page.waitForFunction(() => document.getElementById('console-status').textContent.startsWith('Watching app app-1, channel *'), { timeout: 3000 });
    const { channel } = await subscribed('dashboard-test');
    const received = deferred();
    channel.bind('hello-from-the-dashboard', (data) => received.resolve(data));
    await page.$eval('#publish-channel', (node) => { node.value = 'dashboard-test'; });
    await page.$eval('#publish-event', (node) => { node.value = 'hello-from-the-dashboard'; });
    await page.$eval('#publish-data', (node) => { node.value = '{"greeting":"hi"}'; });
    const publishButton = () => page.$eval('#publish-form button[type=submit]', (node) => node.getBoundingClientRect().top + window.scrollY);
    const buttonTop = await publishButton();
    await page.click('#publish-form button[type=submit]');
    const got = await withTimeout(received.promise, 3000, 'the test event at pusher-js').catch(async (error) => {
      error.message += ` (the form says: "${await text('#publish-result')}")`;
      throw error;
    });
    assert.deepEqual(got, { greeting: 'hi' });
    await page.waitForFunction(() => document.getElementById('publish-result').textContent.startsWith('Published'), { timeout: 2000 });
    await page.waitForFunction(() => document.querySelector('#console tbody').textContent.includes('hello-from-the-dashboard'), { timeout: 1000 });
    // Rows streamed into the console meanwhile (this client's connection and subscription, the
    // event itself); the form below it must not have moved, or an operator's click would miss.
    assert.equal(await publishButton(), buttonTop, 'the Publish button stays put while the console fills');
    await screenshot(page, 'console');

    const refusal = async (bytes) => {
      await page.$eval('#publish-result', (node) => { node.textContent = ''; });
      await page.$eval('#publish-data', (node, n) => { node.value = 'x'.repeat(n); }, bytes);
      await page.click('#publish-form button[type=submit]');
      await page.waitForFunction(() => document.getElementById('publish-result').textContent.startsWith('Not published'), { timeout: 3000 });
      return text('#publish-result');
    };
    // Within the server's request limit (max_request_size, 256 KiB by default): the app's 10 KiB
    // payload limit answers, as the HTTP API's would.
    assert.match(await refusal(200000), /Not published: Event data is 200000 bytes; this app allows at most 10240 \(max_event_payload_bytes\)/);
    // Beyond it, the request itself is refused before the dashboard reads it.
    assert.match(await refusal(300000), /Not published: Request body too large \(more than the server's max_request_size\)/);
    const started = Date.now();
    assert.equal((await fetch(`${server.httpUrl}/health`)).status, 200);
    assert.ok(Date.now() - started < 500);
  });

  it('lists channels, presence members and the cached event', async () => {
    await subscribed('presence-room', { user: { id: 'ann', info: { name: 'Ann <b>bold</b>' } } });
    await subscribed('presence-room', { user: { id: 'bob', info: { name: 'Bob' } } });
    await subscribed('cache-prices');
    await serverSdk(server).trigger('cache-prices', 'tick', { price: 42 });
    await page.click('nav button[data-view=channels]');
    await page.waitForFunction(() => document.querySelector('#channels tbody').textContent.includes('presence-room'), { timeout: 3000 });
    await page.$eval('#channels-prefix', (node) => { node.value = 'presence-'; });
    await page.click('#channels-form button[type=submit]');
    await page.waitForFunction(() => document.getElementById('channels-summary').textContent.startsWith('1 occupied channel'), { timeout: 3000 });
    await page.click('#channels tbody tr');
    await page.waitForFunction(() => document.querySelector('#members tbody').textContent.includes('Ann <b>bold</b>'), { timeout: 3000 });
    assert.equal(await page.$('#members b'), null, 'member info is shown as text, not markup');
    assert.match(await text('#channel-counts'), /2 subscriber\(s\), 2 user\(s\)/);
    await screenshot(page, 'channels');

    await page.$eval('#channels-prefix', (node) => { node.value = 'cache-'; });
    await page.click('#channels-form button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#channels tbody').textContent.includes('cache-prices'), { timeout: 3000 });
    await page.click('#channels tbody tr');
    await page.waitForFunction(() => document.getElementById('cached').textContent.includes('"price'), { timeout: 3000 });
  });

  it('answers 1,000 wrong passwords fast without slowing the clients', async () => {
    const { channel } = await subscribed('latency');
    const sdk = serverSdk(server);
    const roundTrip = async () => {
      const got = deferred();
      channel.bind('ping', () => got.resolve());
      const started = Date.now();
      await sdk.trigger('latency', 'ping', {});
      await withTimeout(got.promise, 2000, 'a publish during the flood');
      channel.unbind('ping');
      return Date.now() - started;
    };
    const started = Date.now();
    let refused = 0;
    const flood = (async () => {
      for (let batch = 0; batch < 20; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            fetch(`${server.httpUrl}/dashboard/api/overview`, { headers: { Authorization: basic(`guess-${batch}`) } }),
          ),
        );
        for (const answer of answers) {
          await answer.arrayBuffer();
          if (answer.status === 401) refused++;
        }
      }
    })();
    const latencies = [];
    while (refused < 1000 && Date.now() - started < 30000) {
      latencies.push(await roundTrip());
      await sleep(50);
      if (latencies.length > 200) break;
    }
    await flood;
    const elapsed = Date.now() - started;
    assert.equal(refused, 1000);
    assert.ok(elapsed < 15000, `1,000 refusals took ${elapsed} ms`);
    assert.ok(Math.max(...latencies) < 500, `publish round trips during the flood: ${latencies.join(', ')} ms`);
    const ok = await fetch(`${server.httpUrl}/dashboard/api/apps`, { headers: { Authorization: basic(PASSWORD) } });
    assert.equal(ok.status, 200);
    console.log(`1,000 wrong passwords in ${elapsed} ms; publish round trips meanwhile max ${Math.max(...latencies)} ms`);
  });

  it('keeps the overview live: the chart and the cards after all this traffic', async () => {
    await page.click('nav button[data-view=overview]');
    for (let i = 0; i < 4; i++) await subscribed('ticker');
    const sdk = serverSdk(server);
    for (let i = 0; i < 20; i++) {
      await sdk.trigger('ticker', 'tick', { i });
      await sleep(100);
    }
    await page.waitForFunction(() => document.getElementById('c-connections').textContent === '4', { timeout: 3000 });
    await sleep(1100);  // the next overview, after the last publish
    const [connections, channels] = await Promise.all([metric('resound_connections'), metric('resound_channels')]);
    assert.equal(Number(await text('#c-connections')), connections, 'connections agree with /metrics');
    assert.equal(Number(await text('#c-channels')), channels, 'channels agree with /metrics');
    assert.ok((await page.$$eval('#chart polyline', (lines) => lines.length)) === 2);
    await screenshot(page, 'overview');
  });
});

describe('dashboard behind pipelined requests', () => {
  it('a dashboard request after unread pipelined answers is served or refused, never breaks the server', async () => {
    const running = await startServer({ env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD } });
    try {
      const socket = connect(running.port, running.host);
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.pause(); // read nothing while the edge queues answers past its per-connection cap
      let received = '';
      socket.on('data', (chunk) => { received += chunk.toString('latin1'); });
      const metrics = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(600);
      socket.write(`${metrics}GET /dashboard/api/apps HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(PASSWORD)}\r\n\r\n`);
      await sleep(500);
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.resume();
      await withTimeout(closed, 10000, 'the connection to end after the dashboard answer');
      const last = received.slice(received.lastIndexOf('HTTP/1.1 '));
      assert.match(last, /^HTTP\/1\.1 (200 OK[\s\S]*"apps"|503 [\s\S]*connection of their own)/, last.slice(0, 300));
      assert.equal((await fetch(`${running.httpUrl}/health`)).status, 200);
      console.log(`after ${received.split('HTTP/1.1 200 OK').length - 1} pipelined answers: ${last.split('\r\n')[0]}`);
    } finally {
      await running.stop();
    }
  });
});

describe('dashboard with a path prefix', () => {
  it('is served under the prefix and without it, and never logs the password', async () => {
    const prefixed = await startServer({ server: { path_prefix: '/ws' }, env: { RESOUND_DASHBOARD_PASSWORD: PASSWORD }, logLevel: 'debug' });
    try {
      const page = await fetch(`${prefixed.httpUrl}/ws/dashboard`, { headers: { Authorization: basic(PASSWORD) } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /src="\/ws\/dashboard\/assets\/dashboard\.js"/);
      const script = await fetch(`${prefixed.httpUrl}/ws/dashboard/assets/dashboard.js`, { headers: { Authorization: basic(PASSWORD) } });
      assert.equal(script.status, 200);
      assert.match(script.headers.get('content-type'), /^text\/javascript/);
      await script.arrayBuffer();
      const apps = await fetch(`${prefixed.httpUrl}/dashboard/api/apps`, { headers: { Authorization: basic(PASSWORD) } });
      assert.deepEqual((await apps.json()).apps.slice(0, 2), ['app-1', 'app-2']);
      const refused = await fetch(`${prefixed.httpUrl}/ws/dashboard/api/apps`, { headers: { Authorization: basic('nope') } });
      assert.equal(refused.status, 401);
      await refused.arrayBuffer();
      // The WebSocket endpoint and the API still answer on the same connections' port.
      assert.equal((await fetch(`${prefixed.httpUrl}/ws/health`)).status, 200);
    } finally {
      await prefixed.stop();
    }
    assert.match(prefixed.output, /dashboard=on/);
    assert.ok(!prefixed.output.includes(PASSWORD), 'the password appears in the server output');
  });
});

describe('dashboard off', () => {
  it('answers 404 on every /dashboard path when no password is set', async () => {
    const plain = await startServer();
    try {
      for (const path of ['/dashboard', '/dashboard/', '/dashboard/api/overview', '/dashboard/assets/dashboard.js']) {
        const response = await fetch(`${plain.httpUrl}${path}`, { headers: { Authorization: basic(PASSWORD) } });
        await response.arrayBuffer();
        assert.equal(response.status, 404, path);
        assert.equal(response.headers.get('www-authenticate'), null);
      }
    } finally {
      await plain.stop();
    }
  });
});
