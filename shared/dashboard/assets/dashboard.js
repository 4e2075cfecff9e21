// Resound dashboard: three views over the JSON API and one Server-Sent Events stream of this page.
// Vanilla JS, no build step, nothing from a CDN. Everything shown is set with textContent (never
// innerHTML), so channel names, event data and member info cannot inject markup.
'use strict';

const BASE = document.body.dataset.base;
const MAX_ROWS = 500;      // console rows kept in the page
const MAX_POINTS = 900;    // 15 minutes of 1 s samples
const RETRY_MS = 2000;

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function api(path, options = {}) {
  const response = await fetch(BASE + path, { credentials: 'same-origin', cache: 'no-store', ...options });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (!response.ok) {
    let message = (body && body.error) || `HTTP ${response.status}`;
    // The server's own request limit (max_request_size) answers before the dashboard sees the body.
    if (response.status === 413 && (!body || body.reason === 'body_too_large')) message += ' (more than the server\'s max_request_size)';
    throw new Error(message);
  }
  return body;
}

function formatNumber(value, decimals = 0) {
  if (typeof value !== 'number' || !isFinite(value)) return '–';
  return value.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: decimals });
}

function formatUptime(seconds) {
  const d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

// ---- views ----
const views = ['overview', 'channels', 'console'];
function show(view) {
  if (!views.includes(view)) view = 'overview';
  for (const name of views) $(`view-${name}`).hidden = name !== view;
  for (const button of document.querySelectorAll('nav button')) {
    button.classList.toggle('active', button.dataset.view === view);
  }
  if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
  if (view === 'channels') loadChannels();
}

// ---- overview ----
const chart = { time: [], connections: [], messages: [] };

function renderOverview(now) {
  const t = now.totals, r = now.rates;
  $('c-connections').textContent = formatNumber(t.connections);
  $('c-channels').textContent = formatNumber(t.channels);
  $('c-messages-in').textContent = formatNumber(r.messages_in, 1);
  $('c-messages-out').textContent = formatNumber(r.messages_out, 1);
  $('c-api-requests').textContent = formatNumber(r.api_requests, 1);
  $('c-api-errors').textContent = `${formatNumber(t.api_errors)} (${formatNumber(r.api_errors, 1)}/s)`;
  $('c-webhooks').textContent = `${formatNumber(t.webhooks_sent)} / ${formatNumber(t.webhooks_failed)} / ${formatNumber(t.webhooks_queued)}`;
  $('c-slow').textContent = formatNumber(t.slow_consumer_closes);
  $('c-rate-limit').textContent = formatNumber(t.rate_limit_hits);

  const tbody = $('nodes').tBodies[0];
  tbody.replaceChildren();
  for (const node of now.nodes) {
    const row = el('tr');
    row.append(el('td', node.id), el('td', node.service), el('td', node.up ? 'up' : 'down', node.up ? 'up' : 'down'),
      el('td', node.version), el('td', formatUptime(node.uptime_seconds)), el('td', formatNumber(node.connections)));
    tbody.append(row);
  }
  $('redis').textContent = now.redis === null ? '' : `Redis: ${now.redis}`;
  $('redis').className = now.redis === 'down' ? 'down' : 'muted';
}

function addPoint(time, connections, messages) {
  chart.time.push(time);
  chart.connections.push(connections);
  chart.messages.push(messages);
  for (const key of Object.keys(chart)) if (chart[key].length > MAX_POINTS) chart[key].shift();
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

// A two-series line chart in plain SVG: 15 minutes on x, each series scaled to its own maximum
// (connections on the left axis, messages/s on the right).
function drawChart() {
  const box = $('chart');
  const width = 900, height = 220, top = 14, bottom = 20, left = 48, right = 48;
  box.replaceChildren();
  // Up to 15 minutes; a server younger than that shows what it has (at least a minute).
  const end = chart.time.length ? chart.time[chart.time.length - 1] : Date.now();
  const first = chart.time.length ? chart.time[0] : end;
  const start = Math.max(end - MAX_POINTS * 1000, Math.min(first, end - 60000));
  const x = (t) => left + ((t - start) / (end - start)) * (width - left - right);
  const scale = (values) => Math.max(1, ...values);
  const series = [
    { values: chart.connections, max: scale(chart.connections), className: 'connections', axis: left - 6, anchor: 'end' },
    { values: chart.messages, max: scale(chart.messages), className: 'messages', axis: width - right + 6, anchor: 'start' },
  ];
  for (let i = 0; i <= 4; i++) {
    const y = top + (i / 4) * (height - top - bottom);
    box.append(svg('line', { x1: left, x2: width - right, y1: y, y2: y, class: 'grid' }));
    for (const s of series) {
      box.append(svg('text', { x: s.axis, y: y + 4, 'text-anchor': s.anchor, class: `axis ${s.className}` },
        formatNumber(s.max * (1 - i / 4), s.max < 10 ? 1 : 0)));
    }
  }
  const span = Math.round((end - start) / 60000);
  box.append(svg('text', { x: left, y: height - 4, class: 'axis' }, `−${span} min`));
  box.append(svg('text', { x: width - right, y: height - 4, 'text-anchor': 'end', class: 'axis' }, 'now'));
  for (const s of series) {
    if (!s.values.length) continue;
    const points = s.values.map((v, i) => {
      const y = top + (1 - v / s.max) * (height - top - bottom);
      return `${x(chart.time[i]).toFixed(1)},${y.toFixed(1)}`;
    });
    box.append(svg('polyline', { points: points.join(' '), class: `line ${s.className}` }));
  }
}

async function loadOverview() {
  try {
    const data = await api('/api/overview');
    const h = data.history;
    chart.time.length = chart.connections.length = chart.messages.length = 0;
    for (let i = 0; i < h.time.length; i++) addPoint(h.time[i], h.connections[i], h.messages_in[i] + h.messages_out[i]);
    renderOverview(data.now);
    drawChart();
  } catch (error) {
    $('redis').textContent = `Could not load the overview: ${error.message}`;
  }
}

function onOverview(now) {
  renderOverview(now);
  addPoint(now.time, now.totals.connections, now.rates.messages_in + now.rates.messages_out);
  drawChart();
}

// ---- the stream (fetch + a small SSE parser, so a refused filter's 400 and its message are seen) ----
let streamAbort = null;
let streamGeneration = 0;

function setLive(on, text) {
  $('live').textContent = text || (on ? 'live' : 'offline');
  $('live').className = `live ${on ? 'on' : 'off'}`;
}

function streamQuery() {
  const params = new URLSearchParams();
  const app = $('console-app').value;
  if (app) params.set('app', app);
  const channel = $('console-channel').value.trim();
  const event = $('console-event').value.trim();
  if (channel) params.set('channel', channel);
  if (event) params.set('event', event);
  return params.toString();
}

async function openStream() {
  const generation = ++streamGeneration;
  if (streamAbort) streamAbort.abort();
  const controller = new AbortController();
  streamAbort = controller;
  const status = $('console-status');
  let response;
  try {
    response = await fetch(`${BASE}/api/stream?${streamQuery()}`, { credentials: 'same-origin', signal: controller.signal, cache: 'no-store' });
  } catch (error) {
    if (generation === streamGeneration) retryStream(generation);
    return;
  }
  if (!response.ok) {
    let message = `HTTP ${response.status}`;
    try { message = (await response.json()).error || message; } catch { /* keep the status */ }
    status.textContent = `Filter refused: ${message}`;
    status.className = 'error';
    setLive(false, 'filter refused');
    return;  // no retry: the filter must change first
  }
  status.textContent = describeFilter();
  status.className = 'muted';
  setLive(true);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  } catch { /* aborted or the connection dropped */ }
  if (generation === streamGeneration) retryStream(generation);
}

function retryStream(generation) {
  setLive(false, 'reconnecting…');
  setTimeout(() => { if (generation === streamGeneration) openStream(); }, RETRY_MS);
}

function dispatch(block) {
  let name = 'message', data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event: ')) name = line.slice(7);
    else if (line.startsWith('data: ')) data += line.slice(6);
  }
  if (!data) return;
  let payload;
  try { payload = JSON.parse(data); } catch { return; }
  if (name === 'overview') onOverview(payload);
  else if (name === 'debug') onDebug(payload);
  else if (name === 'dropped') onDropped(payload.count);
}

// ---- console ----
let paused = false;
let held = [];
let droppedTotal = 0;

function describeFilter() {
  const app = $('console-app').value;
  if (!app) return 'Choose an app to watch.';
  const channel = $('console-channel').value.trim() || '*';
  const event = $('console-event').value.trim() || '*';
  let text = `Watching app ${app}, channel ${channel}, event ${event}.`;
  if (droppedTotal) text += ` ${droppedTotal} events dropped (the page could not keep up).`;
  return text;
}

function timeOf(ms) {
  const d = new Date(ms);
  return d.toLocaleTimeString('en-GB', { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

function debugRow(e) {
  const row = el('tr', null, `kind-${e.kind}`);
  row.append(el('td', timeOf(e.time)), el('td', e.node || 'local'), el('td', e.kind.replace(/_/g, ' ')),
    el('td', e.channel), el('td', e.event), el('td', e.socket_id), el('td', e.bytes ? formatNumber(e.bytes) : ''),
    el('td', e.code || ''), el('td', e.detail, 'detail'));
  return row;
}

function onDebug(event) {
  if (paused) {
    held.push(event);
    if (held.length > MAX_ROWS) held.shift();
    $('console-pause').textContent = `Resume (${held.length} waiting)`;
    return;
  }
  const tbody = $('console').tBodies[0];
  tbody.prepend(debugRow(event));
  while (tbody.rows.length > MAX_ROWS) tbody.deleteRow(tbody.rows.length - 1);
}

function onDropped(count) {
  droppedTotal += count;
  $('console-status').textContent = describeFilter();
}

function togglePause() {
  paused = !paused;
  $('console-pause').textContent = paused ? 'Resume' : 'Pause';
  if (!paused) {
    const waiting = held;
    held = [];
    for (const event of waiting) onDebug(event);
  }
}

async function publish(submit) {
  submit.preventDefault();
  const result = $('publish-result');
  result.textContent = 'Publishing…';
  result.className = '';
  const body = {
    app: $('console-app').value,
    channel: $('publish-channel').value.trim(),
    event: $('publish-event').value.trim(),
    data: $('publish-data').value,
  };
  try {
    const answer = await api('/api/publish', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Resound-Dashboard': '1' },
      body: JSON.stringify(body),
    });
    result.textContent = `Published ${answer.event} to ${answer.channel} (${answer.bytes} bytes).`;
    result.className = 'ok';
  } catch (error) {
    result.textContent = `Not published: ${error.message}`;
    result.className = 'error';
  }
}

// ---- channels ----
let channelPage = 1;

async function loadChannels() {
  const app = $('channels-app').value;
  if (!app) return;
  const prefix = $('channels-prefix').value.trim();
  const params = new URLSearchParams({ app, prefix, page: String(channelPage) });
  const summary = $('channels-summary');
  try {
    const data = await api(`/api/channels?${params}`);
    const tbody = $('channels').tBodies[0];
    tbody.replaceChildren();
    for (const channel of data.channels) {
      const row = el('tr', null, 'clickable');
      row.append(el('td', channel.name), el('td', formatNumber(channel.subscription_count)),
        el('td', channel.name.startsWith('presence-') ? formatNumber(channel.user_count) : ''));
      row.addEventListener('click', () => loadChannel(app, channel.name));
      tbody.append(row);
    }
    const pages = Math.max(1, Math.ceil(data.total / data.per_page));
    summary.textContent = `${formatNumber(data.total)} occupied channel${data.total === 1 ? '' : 's'}${prefix ? ` starting with "${prefix}"` : ''}.`;
    summary.className = 'muted';
    $('channels-page').textContent = `page ${data.page} of ${pages}`;
    $('channels-prev').disabled = data.page <= 1;
    $('channels-next').disabled = data.page >= pages;
  } catch (error) {
    summary.textContent = `Could not list channels: ${error.message}`;
    summary.className = 'error';
  }
}

async function loadChannel(app, name) {
  try {
    const data = await api(`/api/channel?${new URLSearchParams({ app, name })}`);
    $('channel-detail').hidden = false;
    $('channel-name').textContent = data.name;
    $('channel-counts').textContent = data.occupied
      ? `${formatNumber(data.subscription_count)} subscriber(s)${data.name.startsWith('presence-') ? `, ${formatNumber(data.user_count)} user(s)` : ''}`
      : 'not occupied';
    const tbody = $('members').tBodies[0];
    tbody.replaceChildren();
    for (const member of data.members) {
      const row = el('tr');
      row.append(el('td', member.id), el('td', member.info, 'detail'));
      tbody.append(row);
    }
    if (!data.members.length) {
      const row = el('tr');
      row.append(el('td', 'none'), el('td', ''));
      tbody.append(row);
    }
    $('cached').textContent = data.cached ? `${data.cached.message}\n(expires in ${data.cached.ttl_seconds} s)` : 'none';
  } catch (error) {
    $('channel-detail').hidden = false;
    $('channel-name').textContent = name;
    $('channel-counts').textContent = `Could not load the channel: ${error.message}`;
  }
}

// ---- start ----
async function init() {
  for (const button of document.querySelectorAll('nav button')) {
    button.addEventListener('click', () => show(button.dataset.view));
  }
  $('console-form').addEventListener('submit', (e) => { e.preventDefault(); held = []; droppedTotal = 0; openStream(); });
  $('console-app').addEventListener('change', () => openStream());
  $('console-pause').addEventListener('click', togglePause);
  $('console-clear').addEventListener('click', () => { $('console').tBodies[0].replaceChildren(); held = []; });
  $('publish-form').addEventListener('submit', publish);
  $('channels-form').addEventListener('submit', (e) => { e.preventDefault(); channelPage = 1; loadChannels(); });
  $('channels-app').addEventListener('change', () => { channelPage = 1; loadChannels(); });
  $('channels-prev').addEventListener('click', () => { channelPage = Math.max(1, channelPage - 1); loadChannels(); });
  $('channels-next').addEventListener('click', () => { channelPage += 1; loadChannels(); });
  try {
    const { apps } = await api('/api/apps');
    for (const select of document.querySelectorAll('.app-select')) {
      for (const id of apps) select.append(el('option', id));
    }
  } catch (error) {
    $('console-status').textContent = `Could not list apps: ${error.message}`;
  }
  await loadOverview();
  show(location.hash.slice(1));
  openStream();
}

init();
