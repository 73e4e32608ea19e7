// The fifowin dashboard: polls the control API and draws queues, messages, the
// dedup window timeline, escapes, fault rules and the clock. Every string that
// comes from the server (queue names, ids, bodies, rule fields) goes into the
// page as a text node or textContent, never as markup.
'use strict';

const POLL_MS = 500;
const TOKEN_KEY = 'fifowin.controlToken';
const SVG_NS = 'http://www.w3.org/2000/svg';

const ui = {
  selected: null, // key (queueKey) of the queue shown in the panel
  queues: [],
  now: 0,
  shownBodies: new Set(), // message ids whose body was asked for
  timer: null,
};

const $ = (id) => document.getElementById(id);

// Builds an element; string children become text nodes.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child)) : child);
  }
}

function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

// --- formatting ---------------------------------------------------------

function duration(ms) {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest} ms`;
  const parts = [];
  for (const [unit, size] of [['h', 3600000], ['m', 60000], ['s', 1000]]) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest && parts.length < 2) parts.push(`${rest}ms`);
  return sign + parts.slice(0, 2).join(' ');
}

function clockTime(ms) {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

function shortTime(ms) {
  return new Date(ms).toISOString().slice(11, 19);
}

// "90s", "2m30s", "1h", "500ms", or a bare number of seconds.
function parseDuration(text) {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(parseFloat(t) * 1000);
  const re = /(\d+(?:\.\d+)?)\s*(ms|h|m|s)/g;
  const sizes = { ms: 1, s: 1000, m: 60000, h: 3600000 };
  let total = 0;
  let consumed = '';
  for (const match of t.matchAll(re)) {
    total += parseFloat(match[1]) * sizes[match[2]];
    consumed += match[0];
  }
  if (!consumed || consumed.replace(/\s/g, '') !== t.replace(/\s/g, '')) return null;
  return Math.round(total);
}

// --- talking to the server ----------------------------------------------

class Unauthorized extends Error {}

async function control(method, path, body) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  if (response.status === 401) throw new Unauthorized('the control token was refused');
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// An SQS call through the AWS JSON protocol (same origin, like any SDK).
async function sqs(operation, body) {
  const response = await fetch('/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AmazonSQS.${operation}` },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${(data.__type || '').split('#').pop()}: ${data.message || response.status}`);
  return data;
}

// A queue outside the server's region carries `region` in the control API; its
// URL names the region (LocalStack's path layout), since the page's own SQS
// calls are unsigned and would otherwise address the server's region.
function queueUrl(queue) {
  const account = queue.arn.split(':')[4];
  const region = queue.region ? `queue/${encodeURIComponent(queue.region)}/` : '';
  return `${location.origin}/${region}${account}/${encodeURIComponent(queue.name)}`;
}

// What identifies a queue in the page: its name, and its region when it has one.
function queueKey(queue) {
  return queue.region ? `${queue.region}/${queue.name}` : queue.name;
}

// A per-queue control route; `query` is a URLSearchParams-style object.
function queuePath(queue, rest, query = {}) {
  const params = new URLSearchParams(query);
  if (queue.region) params.set('region', queue.region);
  const search = params.toString();
  return `/_fifowin/queues/${encodeURIComponent(queue.name)}/${rest}${search ? `?${search}` : ''}`;
}

// --- polling ------------------------------------------------------------

async function refresh() {
  try {
    const selected = ui.selected;
    const queue = selectedQueue();
    const [summary, escapes, faults, dedup, messages] = await Promise.all([
      control('GET', '/_fifowin/queues'),
      control('GET', '/_fifowin/escapes'),
      control('GET', '/_fifowin/faults'),
      queue ? control('GET', queuePath(queue, 'dedup')).catch(() => null) : null,
      queue
        ? control('GET', queuePath(queue, 'messages', ui.shownBodies.size ? { bodies: 'true' } : {}))
          .catch(() => null)
        : null,
    ]);
    ui.now = summary.now_ms;
    ui.queues = summary.queues;
    drawClock(summary);
    drawQueues(summary.queues);
    drawEscapes(escapes.escapes);
    drawFaults(faults.rules);
    if (selected && selected === ui.selected) drawQueuePanel(summary, dedup, messages, escapes.escapes);
    setLive(true, 'live');
  } catch (err) {
    if (err instanceof Unauthorized) {
      askForToken(sessionStorage.getItem(TOKEN_KEY) ? 'That token was refused.' : '');
      return;
    }
    setLive(false, `disconnected: ${err.message}`);
  }
  schedule();
}

function schedule() {
  clearTimeout(ui.timer);
  ui.timer = setTimeout(refresh, POLL_MS);
}

function setLive(ok, text) {
  $('live-dot').className = ok ? 'dot ok' : 'dot bad';
  $('live-text').textContent = text;
}

// --- drawing ------------------------------------------------------------

function drawClock(summary) {
  $('clock-mode').textContent = summary.clock;
  $('clock-now').textContent = clockTime(summary.now_ms);
}

function drawQueues(queues) {
  const body = $('queues-table').tBodies[0];
  $('queue-count').textContent = queues.length ? `(${queues.length})` : '';
  $('queues-empty').hidden = queues.length > 0;
  $('queues-table').hidden = queues.length === 0;
  replaceChildren(body, queues.map((q) => {
    const dlq = [];
    if (q.dead_letter_queue) dlq.push(el('span', {}, '→ ', el('span', { class: 'mono' }, q.dead_letter_queue)));
    if (q.dead_letter_sources.length) {
      dlq.push(el('span', { class: 'muted' }, `DLQ of ${q.dead_letter_sources.join(', ')}`));
    }
    const row = el('tr', {
      class: queueKey(q) === ui.selected ? 'selected' : '',
      'data-queue': queueKey(q),
      onclick: () => select(queueKey(q)),
    },
    el('td', { class: 'mono name' }, q.name,
      q.region ? el('span', { class: 'region muted' }, ` ${q.region}`) : ''),
    el('td', {}, el('span', { class: `pill ${q.kind}` }, q.kind)),
    el('td', { class: 'num' }, q.visible),
    el('td', { class: 'num' }, q.in_flight),
    el('td', { class: 'num' }, q.delayed),
    el('td', { class: 'num' }, q.kind === 'fifo' ? q.dedup_entries : '–'),
    el('td', { class: 'num' }, q.kind === 'fifo' ? duration(q.dedup_window_ms) : '–'),
    el('td', { class: 'num suppressed-count' }, q.stats.duplicates_suppressed),
    el('td', { class: `num escaped-count${q.stats.duplicates_escaped ? ' hot' : ''}` }, q.stats.duplicates_escaped),
    el('td', { class: 'dlq' }, dlq));
    return row;
  }));
  if (ui.selected && !queues.some((q) => queueKey(q) === ui.selected)) {
    ui.selected = null;
    $('queue-panel').hidden = true;
  }
}

function select(key) {
  ui.selected = key;
  ui.shownBodies.clear();
  $('queue-result').textContent = '';
  $('send-result').textContent = '';
  replaceChildren($('timeline'));
  replaceChildren($('messages-table').tBodies[0]);
  $('queue-panel').hidden = false;
  $('fault-queue').value = selectedQueue()?.name ?? key;
  refresh();
}

function drawQueuePanel(summary, dedup, messages, escapes) {
  const queue = summary.queues.find((q) => queueKey(q) === ui.selected);
  if (!queue) return;
  $('queue-name').textContent = queue.region ? `${queue.name} (${queue.region})` : queue.name;
  $('queue-kind').textContent = queue.kind;
  $('queue-kind').className = `pill ${queue.kind}`;
  $('send-fifo-fields').hidden = queue.kind !== 'fifo';
  $('window-section').hidden = queue.kind !== 'fifo';
  if (dedup && queue.kind === 'fifo') {
    $('window-caption').textContent = `${duration(dedup.window_ms)} window, scope ${dedup.scope}, `
      + `${dedup.count} live id${dedup.count === 1 ? '' : 's'}`;
    drawTimeline(dedup, escapes.filter((e) => e.queue === queue.name && e.region === queue.region));
  } else {
    replaceChildren($('timeline'));
  }
  if (messages) drawMessages(messages);
}

function drawMessages(data) {
  $('message-count').textContent = `(${data.messages.length})`;
  const body = $('messages-table').tBodies[0];
  replaceChildren(body, data.messages.map((m) => {
    const shown = ui.shownBodies.has(m.message_id);
    const bodyCell = shown && typeof m.body === 'string'
      ? el('pre', { class: 'body' }, m.body)
      : el('button', {
        type: 'button',
        class: 'link',
        onclick: () => { ui.shownBodies.add(m.message_id); refresh(); },
      }, `show (${m.body_bytes} B)`);
    return el('tr', { 'data-message': m.message_id },
      el('td', { class: 'mono', title: m.message_id }, m.message_id.slice(0, 8)),
      el('td', {}, el('span', { class: `pill ${m.state}` }, m.state.replace('_', ' '))),
      el('td', { class: 'mono' }, m.group_id || '–'),
      el('td', { class: 'num' }, m.receive_count),
      el('td', { class: 'mono' }, m.visible_at_ms ? `${shortTime(m.visible_at_ms)} (in ${duration(m.visible_at_ms - ui.now)})` : 'now'),
      el('td', { class: 'body-cell' }, bodyCell));
  }));
}

// The dedup window timeline: one row per dedup id, a bar from its first send to
// its expiry, marks where duplicates were suppressed, recently expired ids in
// grey, and escapes drawn where the resend arrived, with how late it was.
function drawTimeline(dedup, escapes) {
  const width = 960;
  const labelWidth = 170;
  const right = 110;
  const rowHeight = 24;
  const top = 26;
  const now = dedup.now_ms;
  const windowMs = dedup.window_ms;
  const start = now - 2 * windowMs;
  const end = now + windowMs;
  const x = (t) => labelWidth + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * (width - labelWidth - right);

  const live = dedup.entries.slice(-40);
  const expired = dedup.expired.slice(0, 10);
  const rows = live.length + expired.length;
  const height = top + Math.max(rows, 1) * rowHeight + 12;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': 'dedup window timeline',
  });

  // Axis: a tick every half window, labelled relative to now.
  for (let t = start; t <= end + 1; t += windowMs / 2) {
    const tx = x(t);
    chart.append(svg('line', { x1: tx, x2: tx, y1: top - 6, y2: height - 8, class: 'grid-line' }));
    const offset = t - now;
    chart.append(svg('text', { x: tx, y: 14, class: 'axis', 'text-anchor': 'middle' },
      offset === 0 ? 'now' : `${offset > 0 ? '+' : ''}${duration(offset)}`));
  }

  const escapeAt = new Map(escapes.map((e) => [`${e.dedup_id}\n${e.resent_ms}`, e]));
  live.forEach((entry, i) => {
    const y = top + i * rowHeight;
    const row = svg('g', { class: 'row live-row', 'data-dedup-id': entry.dedup_id });
    row.append(svg('text', { x: labelWidth - 8, y: y + 15, class: 'row-label', 'text-anchor': 'end' },
      clip(entry.dedup_id, 22)), svg('title', {}, `${entry.dedup_id} (group ${entry.group_id || '–'}, message ${entry.message_id})`));
    const x1 = x(entry.first_sent_ms);
    const x2 = x(entry.expires_ms);
    row.append(svg('rect', { x: x1, y: y + 5, width: Math.max(x2 - x1, 2), height: 12, rx: 3, class: 'bar live' }));
    for (const at of entry.suppressed_at_ms) {
      const mx = x(at);
      row.append(svg('path', { d: `M ${mx} ${y + 2} l 5 9 l -5 9 l -5 -9 z`, class: 'mark suppressed' },
        svg('title', {}, `duplicate suppressed at ${shortTime(at)}`)));
    }
    const remaining = entry.expires_ms - now;
    const note = entry.suppressed
      ? `${entry.suppressed} suppressed`
      : `closes in ${duration(remaining)}`;
    row.append(svg('text', { x: x2 + 6, y: y + 15, class: entry.suppressed ? 'note suppressed-note' : 'note' }, note));
    const escape = escapeAt.get(`${entry.dedup_id}\n${entry.first_sent_ms}`);
    if (escape) {
      const closed = x(escape.first_sent_ms + windowMs);
      row.append(svg('line', { x1: closed, x2: x1, y1: y + 11, y2: y + 11, class: 'late-line' }));
      row.append(svg('circle', { cx: x1, cy: y + 11, r: 6, class: 'mark escape' },
        svg('title', {}, `escaped: resent ${duration(escape.late_by_ms)} after the window closed`)));
      row.append(svg('text', { x: Math.max(closed, labelWidth) + 4, y: y + 4, class: 'escape-note' },
        `escaped ${duration(escape.late_by_ms)} late`));
      row.classList.add('escaped');
    }
    chart.append(row);
  });
  expired.forEach((entry, j) => {
    const y = top + (live.length + j) * rowHeight;
    const row = svg('g', { class: 'row expired-row', 'data-dedup-id': entry.dedup_id });
    row.append(svg('text', { x: labelWidth - 8, y: y + 15, class: 'row-label expired', 'text-anchor': 'end' },
      clip(entry.dedup_id, 22)), svg('title', {}, entry.dedup_id));
    const x1 = x(entry.first_sent_ms);
    const x2 = x(entry.expired_ms);
    row.append(svg('rect', { x: x1, y: y + 5, width: Math.max(x2 - x1, 2), height: 12, rx: 3, class: 'bar expired' }));
    row.append(svg('text', { x: x2 + 6, y: y + 15, class: 'note' }, `expired ${duration(now - entry.expired_ms)} ago`));
    chart.append(row);
  });
  if (rows === 0) {
    chart.append(svg('text', { x: labelWidth, y: top + 15, class: 'note' }, 'No dedup id is live: send a message to start a window.'));
  }
  const nowX = x(now);
  chart.append(svg('line', { x1: nowX, x2: nowX, y1: top - 6, y2: height - 8, class: 'now-line' }));
  replaceChildren($('timeline'), chart);
}

function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function drawEscapes(escapes) {
  const recent = escapes.slice().sort((a, b) => b.resent_ms - a.resent_ms).slice(0, 50);
  $('escape-count').textContent = escapes.length ? `(${escapes.length})` : '';
  $('escape-empty').hidden = escapes.length > 0;
  replaceChildren($('escape-feed'), recent.map((e) => el('li', { class: 'escape-item' },
    el('div', {}, el('span', { class: 'mono strong' }, e.dedup_id), ' on ', el('span', { class: 'mono' }, e.queue)),
    el('div', { class: 'muted' },
      `resent ${shortTime(e.resent_ms)}, `, el('span', { class: 'late' }, `${duration(e.late_by_ms)} late`),
      ` (first sent ${shortTime(e.first_sent_ms)}, group ${e.group_id || '–'})`))));
}

function drawFaults(rules) {
  replaceChildren($('faults-table').tBodies[0], rules.map((r) => el('tr', { 'data-rule': r.id },
    el('td', { class: 'num' }, r.id),
    el('td', { class: 'mono' }, r.operation),
    el('td', { class: 'mono' }, r.queue || 'any'),
    el('td', {}, r.action + (r.count ? ` ×${r.count}` : '') + (r.ms ? ` ${r.ms} ms` : '')),
    el('td', { class: 'num matched' }, r.matched),
    el('td', { class: 'num fired' }, r.fired),
    el('td', {}, el('button', {
      type: 'button',
      class: 'remove',
      title: `remove rule ${r.id}`,
      'aria-label': `remove rule ${r.id}`,
      onclick: () => act(() => control('DELETE', `/_fifowin/faults/${r.id}`), $('fault-result'), `rule ${r.id} removed`),
    }, '✕')))));
}

// --- actions --------------------------------------------------------------

async function act(run, out, success) {
  out.className = 'result';
  try {
    const result = await run();
    out.textContent = typeof success === 'function' ? success(result) : success;
  } catch (err) {
    if (err instanceof Unauthorized) {
      askForToken('That token was refused.');
      return;
    }
    out.className = 'result error';
    out.textContent = err.message;
  }
  refresh();
}

function advance(ms) {
  act(() => control('POST', '/_fifowin/clock/advance', { ms }), $('queue-result'), `clock advanced by ${duration(ms)}`);
}

function selectedQueue() {
  return ui.queues.find((q) => queueKey(q) === ui.selected);
}

function wire() {
  $('advance-1m').addEventListener('click', () => advance(60000));
  $('advance-5m').addEventListener('click', () => advance(300000));
  $('advance-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const ms = parseDuration($('advance-amount').value);
    if (ms === null || ms <= 0) {
      $('queue-result').className = 'result error';
      $('queue-result').textContent = 'Advance by an amount such as 90s, 2m30s or 1h.';
      return;
    }
    advance(ms);
  });
  $('purge').addEventListener('click', () => {
    const queue = selectedQueue();
    if (queue) act(() => sqs('PurgeQueue', { QueueUrl: queueUrl(queue) }), $('queue-result'), `${queue.name} purged`);
  });
  $('reset-queue').addEventListener('click', () => {
    const queue = selectedQueue();
    if (queue) {
      act(() => control('POST', queuePath(queue, 'reset')),
        $('queue-result'), `${queue.name} reset: messages, dedup ids, escapes and counters cleared`);
    }
  });
  $('send-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const queue = selectedQueue();
    if (!queue) return;
    const request = { QueueUrl: queueUrl(queue), MessageBody: $('send-body').value };
    if (queue.kind === 'fifo') {
      if ($('send-group').value) request.MessageGroupId = $('send-group').value;
      if ($('send-dedup').value) request.MessageDeduplicationId = $('send-dedup').value;
    }
    act(() => sqs('SendMessage', request), $('send-result'),
      (r) => `sent: MessageId ${r.MessageId}${r.SequenceNumber ? `, sequence ${r.SequenceNumber}` : ''}`);
  });
  $('fault-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const rule = { operation: $('fault-operation').value.trim(), action: $('fault-action').value };
    if ($('fault-queue').value.trim()) rule.queue = $('fault-queue').value.trim();
    if ($('fault-count').value) rule.count = Number($('fault-count').value);
    if ($('fault-ms').value) rule.ms = Number($('fault-ms').value);
    act(() => control('POST', '/_fifowin/faults', rule), $('fault-result'), (r) => `rule ${r.id} added`);
  });
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token-input').value);
    $('token-input').value = '';
    start();
  });
}

function askForToken(problem) {
  clearTimeout(ui.timer);
  sessionStorage.removeItem(TOKEN_KEY);
  $('main').hidden = true;
  $('clock').hidden = true;
  $('token-panel').hidden = false;
  $('token-error').textContent = problem;
  setLive(false, 'locked');
  $('token-input').focus();
}

function start() {
  $('token-panel').hidden = true;
  $('main').hidden = false;
  $('clock').hidden = false;
  refresh();
}

wire();
start();
