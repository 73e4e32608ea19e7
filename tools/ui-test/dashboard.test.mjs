// The dashboard in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a running fifowin binary on 127.0.0.1 with a manual
// clock; queues and messages are made with the AWS SDK for JavaScript v3.
// Screenshots go to docs/dashboard/ (shown in the README).
//
//   FIFOWIN_BIN=target/debug/fifowin node --test tools/ui-test/dashboard.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  SQSClient, CreateQueueCommand, SendMessageCommand,
} from '@aws-sdk/client-sqs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const targetDir = path.resolve(root, process.env.CARGO_TARGET_DIR || 'target');
const bin = process.env.FIFOWIN_BIN || path.join(targetDir, 'debug', 'fifowin');
const shots = path.join(root, 'docs', 'dashboard');
const WAIT = { timeout: 10_000 };

// Starts `fifowin serve --port 0` and resolves with its endpoint once it says
// where it listens.
function startFifowin(...flags) {
  const child = spawn(bin, ['serve', '--host', '127.0.0.1', '--port', '0', '--clock', 'manual',
    '--log-level', 'warn,fifowin=info', ...flags], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`fifowin did not start:\n${log}`)), 15_000);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const found = log.match(/listening on (http:\/\/[0-9.:]+)/);
      if (found) {
        clearTimeout(timer);
        resolve({ child, endpoint: found[1] });
      }
    });
    child.on('error', (err) => reject(new Error(`cannot run ${bin} (set FIFOWIN_BIN): ${err.message}`)));
    child.on('exit', (code) => reject(new Error(`fifowin exited with ${code}:\n${log}`)));
  });
}

function sdk(endpoint, maxAttempts = 3) {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts,
  });
}

async function controlPost(endpoint, route, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${endpoint}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
  assert.ok(response.ok, `${route}: HTTP ${response.status}`);
  return response.json();
}

let server;
let locked;
let browser;
let page;
let sqs;
let ordersUrl;
let notesUrl;
const pageErrors = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startFifowin();
  locked = await startFifowin('--control-token', 's3cret-token');
  sqs = sdk(server.endpoint);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('dialog', (dialog) => { pageErrors.push(`dialog: ${dialog.message()}`); dialog.dismiss(); });
});

after(async () => {
  await browser?.close();
  for (const s of [server, locked]) s?.child.kill('SIGTERM');
});

test('a queue created through the SDK appears', async () => {
  await sqs.send(new CreateQueueCommand({ QueueName: 'orders-dlq.fifo', Attributes: { FifoQueue: 'true' } }));
  const created = await sqs.send(new CreateQueueCommand({
    QueueName: 'orders.fifo',
    Attributes: {
      FifoQueue: 'true',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:orders-dlq.fifo', maxReceiveCount: 3,
      }),
    },
  }));
  ordersUrl = created.QueueUrl;
  await page.goto(`${server.endpoint}/_fifowin/ui`);
  assert.equal(await page.title(), 'fifowin');
  await page.locator('tr[data-queue="orders.fifo"]').waitFor(WAIT);
  // A queue made after the page loaded shows up without a reload.
  notesUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'notes' }))).QueueUrl;
  await page.locator('tr[data-queue="notes"]').waitFor(WAIT);
  assert.equal(await page.locator('tr[data-queue="orders.fifo"] td').nth(1).textContent(), 'fifo');
  // The dead-letter wiring, both ways.
  assert.equal(await page.locator('tr[data-queue="orders.fifo"] td.dlq').textContent(), '→ orders-dlq.fifo');
  assert.equal(await page.locator('tr[data-queue="orders-dlq.fifo"] td.dlq').textContent(), 'DLQ of orders.fifo');
});

test('a duplicate send shows as suppressed on its bar', async () => {
  // Three ids, 40 s of server time apart, so the bars are staggered.
  for (const id of ['order-1', 'order-2', 'order-3']) {
    await sqs.send(new SendMessageCommand({
      QueueUrl: ordersUrl, MessageBody: `payment for ${id}`, MessageGroupId: 'customer-7', MessageDeduplicationId: id,
    }));
    await controlPost(server.endpoint, '/_fifowin/clock/advance', { ms: 40_000 });
  }
  // A retry of order-1 inside its window: suppressed, answered with the original id.
  await sqs.send(new SendMessageCommand({
    QueueUrl: ordersUrl, MessageBody: 'payment for order-1', MessageGroupId: 'customer-7', MessageDeduplicationId: 'order-1',
  }));
  await page.locator('tr[data-queue="orders.fifo"]').click();
  const bar = page.locator('g.live-row[data-dedup-id="order-1"]');
  await bar.locator('path.mark.suppressed').waitFor(WAIT);
  assert.equal(await bar.locator('path.mark.suppressed').count(), 1);
  assert.match(await bar.locator('text.suppressed-note').textContent(), /1 suppressed/);
  assert.equal(await page.locator('g.live-row[data-dedup-id="order-2"] path.mark.suppressed').count(), 0);
  await page.waitForFunction(() => document.querySelector('tr[data-queue="orders.fifo"] .suppressed-count')?.textContent === '1', null, WAIT);
  // Three messages stored, not four.
  await page.waitForFunction(() => document.querySelectorAll('#messages-table tbody tr').length === 3, null, WAIT);
});

test('advancing the clock from the page closes the window', async () => {
  const before = await (await fetch(`${server.endpoint}/_fifowin/clock`)).json();
  // order-1 was first sent 120 s ago: +1 min leaves it live, +5 min closes it.
  await page.locator('#advance-1m').click();
  await page.waitForFunction(() => /advanced by 1m/.test(document.getElementById('queue-result').textContent), null, WAIT);
  assert.equal(await page.locator('g.expired-row[data-dedup-id="order-1"]').count(), 0);
  await page.locator('#advance-5m').click();
  await page.locator('g.expired-row[data-dedup-id="order-1"]').waitFor(WAIT);
  await page.locator('g.live-row[data-dedup-id="order-1"]').waitFor({ state: 'detached', ...WAIT });
  const afterClock = await (await fetch(`${server.endpoint}/_fifowin/clock`)).json();
  assert.equal(afterClock.now_ms - before.now_ms, 360_000);
  // Any amount: 45s through the form.
  await page.locator('#advance-amount').fill('45s');
  await page.locator('#advance-form button').click();
  await page.waitForFunction(() => /advanced by 45s/.test(document.getElementById('queue-result').textContent), null, WAIT);
});

test('the resend shows in the escape feed', async () => {
  // A retry of order-1 long after its window closed: accepted as new, an escape.
  await sqs.send(new SendMessageCommand({
    QueueUrl: ordersUrl, MessageBody: 'payment for order-1', MessageGroupId: 'customer-7', MessageDeduplicationId: 'order-1',
  }));
  // And two fresh ids, one retried at once, for the picture.
  for (const id of ['order-4', 'order-5', 'order-4']) {
    await controlPost(server.endpoint, '/_fifowin/clock/advance', { ms: 25_000 });
    await sqs.send(new SendMessageCommand({
      QueueUrl: ordersUrl, MessageBody: `payment for ${id}`, MessageGroupId: 'customer-9', MessageDeduplicationId: id,
    }));
  }
  const item = page.locator('#escape-feed li', { hasText: 'order-1' });
  await item.waitFor(WAIT);
  // Sent at t, window closed at t+5m, resent at t+2m+1m+5m+45s: 3m45s late.
  assert.match(await item.textContent(), /3m 45s late/);
  await page.locator('g.live-row.escaped[data-dedup-id="order-1"] circle.mark.escape').waitFor(WAIT);
  assert.match(await page.locator('g.live-row[data-dedup-id="order-1"] text.escape-note').textContent(), /escaped 3m 45s late/);
  await page.waitForFunction(() => document.querySelector('tr[data-queue="orders.fifo"] .escaped-count')?.textContent === '1', null, WAIT);
});

test('a fault added in the page counts fired after an SDK call', async () => {
  await page.locator('#fault-operation').fill('SendMessage');
  await page.locator('#fault-queue').fill('notes');
  await page.locator('#fault-action').selectOption('fail');
  await page.locator('#fault-count').fill('1');
  await page.locator('#fault-form button[type=submit]').click();
  const row = page.locator('#faults-table tbody tr', { hasText: 'notes' });
  await row.waitFor(WAIT);
  assert.equal(await row.locator('td.fired').textContent(), '0');
  const once = sdk(server.endpoint, 1);
  await assert.rejects(
    once.send(new SendMessageCommand({ QueueUrl: notesUrl, MessageBody: 'lost' })),
    (err) => err.name === 'ServiceUnavailable',
  );
  await page.waitForFunction(() => {
    const cell = document.querySelector('#faults-table tbody tr td.fired');
    return cell && cell.textContent === '1';
  }, null, WAIT);
  assert.equal(await row.locator('td.matched').textContent(), '1');
  await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
});

test('a body with markup is shown as text and runs nothing', async () => {
  const hostile = '<img src=x onerror="document.title=\'pwned\'">';
  await sqs.send(new SendMessageCommand({ QueueUrl: notesUrl, MessageBody: hostile }));
  await sqs.send(new SendMessageCommand({
    QueueUrl: ordersUrl, MessageBody: hostile, MessageGroupId: '<b>g</b>', MessageDeduplicationId: '<svg/onload=alert(1)>',
  }));
  await page.locator('tr[data-queue="notes"]').click();
  await page.locator('#messages-table button.link').first().waitFor(WAIT);
  await page.locator('#messages-table button.link').first().click();
  const shown = page.locator('#messages-table pre.body');
  await shown.waitFor(WAIT);
  assert.equal(await shown.textContent(), hostile);
  // The dedup id and group id with markup on the FIFO queue: labels, not elements.
  await page.locator('tr[data-queue="orders.fifo"]').click();
  const label = page.locator('g.live-row[data-dedup-id="<svg/onload=alert(1)>"] text.row-label');
  await label.waitFor(WAIT);
  assert.equal(await label.textContent(), '<svg/onload=alert(1)>');
  await page.locator('tr[data-queue="notes"]').click();
  await page.locator('#messages-table button.link').first().click();
  await shown.waitFor(WAIT);
  await page.waitForTimeout(1_500);
  assert.equal(await page.title(), 'fifowin');
  assert.equal(await page.locator('#main img').count(), 0);
  assert.equal(await page.locator('#timeline svg svg').count(), 0);
  assert.deepEqual(pageErrors, []);
  await page.screenshot({ path: path.join(shots, 'body-as-text.png') });
});

test('a fault rule is removed from the page', async () => {
  await page.locator('#faults-table button.remove').click();
  await page.waitForFunction(() => document.querySelectorAll('#faults-table tbody tr').length === 0, null, WAIT);
  const rules = await (await fetch(`${server.endpoint}/_fifowin/faults`)).json();
  assert.deepEqual(rules.rules, []);
});

test('a page of another origin cannot reset the server', async () => {
  // A page served by the other fifowin (another origin) posts text/plain to this
  // one, as any web site could: the browser sends it (a "simple" request) and
  // fifowin refuses it; the queues are still there.
  const other = await browser.newPage();
  await other.goto(`${locked.endpoint}/_fifowin/health`);
  await other.evaluate(async (target) => {
    await fetch(`${target}/_fifowin/reset`, {
      method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}',
    }).catch(() => {});
  }, server.endpoint);
  await other.close();
  const queues = await (await fetch(`${server.endpoint}/_fifowin/queues`)).json();
  assert.deepEqual(queues.queues.map((q) => q.name), ['notes', 'orders-dlq.fifo', 'orders.fifo']);
});

test('with --control-token the page asks for the token and keeps it for the tab', async () => {
  await controlPost(locked.endpoint, '/_fifowin/clock/advance', { ms: 1 }, 's3cret-token');
  await sdk(locked.endpoint).send(new CreateQueueCommand({ QueueName: 'guarded' }));
  const context = await browser.newContext({ viewport: { width: 1200, height: 420 } });
  const tab = await context.newPage();
  await tab.goto(`${locked.endpoint}/_fifowin/ui`);
  await tab.locator('#token-form').waitFor(WAIT);
  assert.equal(await tab.locator('#main').isVisible(), false);
  await tab.screenshot({ path: path.join(shots, 'token.png') });
  await tab.locator('#token-input').fill('wrong');
  await tab.locator('#token-form button').click();
  await tab.waitForFunction(() => /refused/.test(document.getElementById('token-error').textContent), null, WAIT);
  await tab.locator('#token-input').fill('s3cret-token');
  await tab.locator('#token-form button').click();
  await tab.locator('tr[data-queue="guarded"]').waitFor(WAIT);
  // Kept for the tab: a reload does not ask again.
  await tab.reload();
  await tab.locator('tr[data-queue="guarded"]').waitFor(WAIT);
  assert.equal(await tab.locator('#token-panel').isVisible(), false);
  // A new tab of a fresh session asks again.
  const fresh = await (await browser.newContext()).newPage();
  await fresh.goto(`${locked.endpoint}/_fifowin/ui`);
  await fresh.locator('#token-form').waitFor(WAIT);
  await context.close();
});

test('a queue of another region shows its region and the page addresses it there', async () => {
  // A "notes" in eu-north-1 beside the server region's "notes".
  const north = new SQSClient({
    endpoint: server.endpoint,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const northUrl = (await north.send(new CreateQueueCommand({ QueueName: 'notes' }))).QueueUrl;
  await north.send(new SendMessageCommand({ QueueUrl: northUrl, MessageBody: 'from the north' }));
  const tab = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  tab.on('pageerror', (err) => pageErrors.push(err.message));
  await tab.goto(`${server.endpoint}/_fifowin/ui`);
  const row = tab.locator('tr[data-queue="eu-north-1/notes"]');
  await row.waitFor(WAIT);
  assert.equal(await row.locator('td.name').textContent(), 'notes eu-north-1');
  // The server region's queue is shown as before, without a region.
  assert.equal(await tab.locator('tr[data-queue="notes"] td.name').textContent(), 'notes');
  await row.click();
  await tab.waitForFunction(() => document.getElementById('queue-name').textContent === 'notes (eu-north-1)', null, WAIT);
  await tab.waitForFunction(() => document.querySelectorAll('#messages-table tbody tr').length === 1, null, WAIT);
  // Sent from the panel: it lands in eu-north-1's queue.
  await tab.locator('#send-body').fill('from the page');
  await tab.locator('#send-form button[type=submit]').click();
  await tab.waitForFunction(() => document.querySelectorAll('#messages-table tbody tr').length === 2, null, WAIT);
  const northView = await (await fetch(`${server.endpoint}/_fifowin/queues/notes/messages?region=eu-north-1&bodies=true`)).json();
  assert.deepEqual(northView.messages.map((m) => m.body).sort(), ['from the north', 'from the page']);
  assert.deepEqual(pageErrors, []);
  await tab.close();
});
