// The transport's fault matrix (issue 5): the real modal in real Chromium submits to a
// local fault server on 127.0.0.1 that answers each row's way. Every row asserts the
// final UI state, how the connect() Promise settled, how many requests the server got,
// that they all carried the same Idempotency-Key, and that the client secret appeared in
// request bodies only (never in a URL or a header), nor in any event or console message.
//
// Needs `cargo xtask build` (pkg/).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFaultServer } from './fault-server.mjs';
import { launchBrowser, pkgDir } from './harness.mjs';

const SECRET = 'Emu8Q~ContosoSampleSecret-0123456789abcd';
const VALUES = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '38a6702a-fb0c-4495-976f-5e260e080751',
  clientSecret: SECRET,
};
const SENT = {
  tenant_id: 'contoso.onmicrosoft.com',
  client_id: '38a6702a-fb0c-4495-976f-5e260e080751',
  client_secret: SECRET,
  scope: 'https://graph.microsoft.com/.default',
  cloud: 'global',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PAGE_SCRIPT = `import * as sdk from '/pkg/index.js'; window.sdk = sdk; await sdk.preload(); window.sdkReady = true;`;

const $ = (selector) => `[data-entra-connect] ${selector}`;

let server;
let otherOrigin;
let browser;
let runNumber = 0;

before(async () => {
  server = await startFaultServer({ pkgDir, pageScript: PAGE_SCRIPT });
  // A second origin, without CORS headers, for the cross-origin row.
  otherOrigin = await startFaultServer({ pkgDir, pageScript: '' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await otherOrigin?.stop();
});

/**
 * Opens the modal on a fresh page with the row's options, fills it, clicks Connect, and
 * returns handles to inspect the outcome.
 */
async function submitRow({ scenario, protocol, stringToken = false, timeoutMs, endpoint }) {
  const run = `run${++runNumber}`;
  const page = await browser.newPage();
  const consoleText = [];
  page.on('console', (message) => consoleText.push(message.text()));
  page.on('pageerror', (error) => consoleText.push('pageerror: ' + error.message));
  await page.goto(server.origin + '/');
  await page.waitForFunction(() => window.sdkReady === true);

  const target =
    protocol === 'nango'
      ? { protocol: 'nango', host: server.nangoHost(scenario, run), providerConfigKey: 'microsoft-oauth2-cc' }
      : { endpoint: endpoint ? endpoint(run) : server.endpoint(scenario, run) };
  await page.evaluate(
    ({ target, stringToken, timeoutMs }) => {
      window.events = [];
      window.settled = null;
      window.tokenCalls = 0;
      const controller = new AbortController();
      window.abortNow = () => controller.abort();
      const options = {
        ...target,
        sessionToken: stringToken
          ? 'stale-token'
          : async () => (++window.tokenCalls === 1 ? 'first-token' : 'fresh-token'),
        signal: controller.signal,
        onEvent: (event) => window.events.push(JSON.parse(JSON.stringify(event))),
      };
      if (timeoutMs !== undefined) options.timeoutMs = timeoutMs;
      window.sdk.connect(options).then(
        (connection) => {
          window.settled = { connection };
        },
        (error) => {
          window.settled = {
            error: {
              isConnectError: error instanceof window.sdk.ConnectError,
              isError: error instanceof Error,
              code: error.code,
              message: error.message,
              field: error.field,
              status: error.status,
              retryAfter: error.retryAfter,
            },
          };
        },
      );
    },
    { target, stringToken, timeoutMs },
  );
  await page.locator($('input[name="tenantId"]')).fill(VALUES.tenantId);
  await page.locator($('input[name="clientId"]')).fill(VALUES.clientId);
  await page.locator($('input[name="clientSecret"]')).fill(VALUES.clientSecret);
  const startedAt = Date.now();
  await page.locator($('button[type="submit"]')).click();
  return { page, run, consoleText, startedAt, requests: () => server.requests(run) };
}

/** Waits until the Promise settles, and returns how. */
async function settled(page, timeout = 20000) {
  await page.waitForFunction(() => window.settled !== null, null, { timeout });
  return page.evaluate(() => window.settled);
}

/** Asserts the Promise has not settled (a failed submission leaves the form open for a retry). */
async function assertPending(page) {
  assert.equal(await page.evaluate(() => window.settled), null, 'a failed submission does not settle the Promise');
}

/** Closes the modal (confirming the discard of the edited form), which settles the Promise. */
async function closeModal(page) {
  await page.locator($('button[data-action="close"]')).click();
  const discard = page.locator($('button[data-action="discard"]'));
  if (await discard.isVisible().catch(() => false)) await discard.click();
}

/** The POSTs of a run, with the checks every row shares: one key for all, secret in bodies only. */
function checkRequests(requests, { count, protocol = 'endpoint' }) {
  const posts = requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, count, `the server received ${posts.length} requests, expected ${count}`);
  if (protocol === 'endpoint' && posts.length > 0) {
    const keys = new Set(posts.map((r) => r.headers['idempotency-key']));
    assert.equal(keys.size, 1, 'every attempt carried the same Idempotency-Key');
    assert.match([...keys][0], UUID);
    for (const request of posts) {
      assert.equal(request.headers['content-type'], 'application/json');
      assert.match(request.headers.authorization, /^Bearer (first|fresh|stale)-token$/);
      assert.deepEqual(JSON.parse(request.body), SENT);
      assert.ok(!request.url.includes('?'), 'nothing in the query string');
    }
  } else if (protocol === 'nango') {
    for (const request of posts) {
      assert.equal(request.headers.authorization, undefined, 'Nango gets its token in the URL only');
      assert.deepEqual(JSON.parse(request.body), { client_id: SENT.client_id, client_secret: SECRET });
      const url = new URL(request.url, 'http://x');
      assert.equal(url.searchParams.get('connect_session_token'), 'first-token');
      assert.equal(url.searchParams.get('params[tenantId]'), SENT.tenant_id);
      assert.equal(url.searchParams.get('params[oauth_scopes]'), SENT.scope);
    }
  }
  for (const request of requests) {
    const encoded = encodeURIComponent(SECRET);
    assert.ok(!request.url.includes(SECRET) && !request.url.includes(encoded), 'the secret is never in a URL');
    for (const [name, value] of Object.entries(request.headers)) {
      assert.ok(!String(value).includes(SECRET), `the secret is never in a header (${name})`);
    }
    if (request.method === 'POST') assert.ok(request.body.includes(SECRET), 'the secret is in the body');
  }
  return posts;
}

/** Nothing the host sees (events, console) carries the secret; retry events match the requests. */
async function checkHostSide(page, consoleText, { retries }) {
  const events = await page.evaluate(() => window.events);
  assert.ok(!JSON.stringify(events).includes(SECRET), 'no event carries the secret');
  assert.ok(!consoleText.join('\n').includes(SECRET), 'the console never shows the secret');
  const retryEvents = events.filter((event) => event.type === 'retry');
  assert.equal(retryEvents.length, retries, `retry events: ${JSON.stringify(retryEvents)}`);
  return { events, retryEvents };
}

async function expectSuccess(row, { count, retries = count - 1, protocol, connectionId }) {
  await row.page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 20000 });
  const outcome = await settled(row.page);
  assert.ok(outcome.connection, `resolved: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.connection.connectionId, connectionId);
  const posts = checkRequests(row.requests(), { count, protocol });
  const host = await checkHostSide(row.page, row.consoleText, { retries });
  return { connection: outcome.connection, posts, ...host };
}

/** A failure shown on a field or in the alert; the Promise settles only when the modal closes. */
async function expectShownFailure(row, { count, retries = count - 1, field, protocol, code, status }) {
  if (field) {
    const message = row.page.locator($(`#${field}-message`));
    await row.page.waitForFunction(
      (name) => {
        const root = document.querySelector('[data-entra-connect]')?.shadowRoot;
        const input = root?.querySelector(`[name="${name}"]`);
        return input?.getAttribute('aria-invalid') === 'true' && root.getElementById(`${name}-message`)?.textContent.trim();
      },
      field,
      { timeout: 20000 },
    );
    assert.ok((await message.textContent()).trim().length > 0);
  } else {
    await row.page.waitForFunction(
      () => document.querySelector('[data-entra-connect]')?.shadowRoot?.querySelector('[role="alert"]')?.textContent.trim(),
      null,
      { timeout: 20000 },
    );
  }
  const alertText = (await row.page.locator($('[role="alert"]')).textContent()).trim();
  // The values are kept for a retry; the submit button works again.
  assert.equal(await row.page.locator($('input[name="clientSecret"]')).inputValue(), SECRET);
  assert.equal(await row.page.locator($('button[type="submit"]')).isDisabled(), false);
  await assertPending(row.page);
  const posts = checkRequests(row.requests(), { count, protocol });
  const host = await checkHostSide(row.page, row.consoleText, { retries });

  await closeModal(row.page);
  const outcome = await settled(row.page);
  assert.ok(outcome.error, `rejected: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.error.isConnectError, true);
  assert.equal(outcome.error.isError, true);
  assert.equal(outcome.error.code, code);
  assert.equal(outcome.error.status, status);
  assert.equal(outcome.error.field, field);
  assert.ok(!outcome.error.message.includes(SECRET));
  assert.equal(await row.page.locator('[data-entra-connect]').count(), 0, 'closing removed the modal');
  assert.equal(checkRequests(row.requests(), { count, protocol }).length, count, 'no request after the failure');
  return { error: outcome.error, alertText, posts, ...host };
}

/** A failure that closes the modal and rejects at once (session_expired, aborted). */
async function expectImmediateRejection(row, { count, code }) {
  const outcome = await settled(row.page);
  assert.ok(outcome.error, `rejected: ${JSON.stringify(outcome)}`);
  assert.equal(outcome.error.code, code);
  assert.equal(outcome.error.isConnectError, true);
  await row.page.locator('[data-entra-connect]').waitFor({ state: 'detached', timeout: 5000 });
  checkRequests(row.requests(), { count });
  await checkHostSide(row.page, row.consoleText, { retries: 0 });
  return outcome.error;
}

const observed = [];
function record(name, row, extra = '') {
  const posts = row.requests().filter((r) => r.method === 'POST').length;
  observed.push(`${name}: ${posts} request(s)${extra ? ', ' + extra : ''}`);
}

describe('transport fault matrix', { concurrency: 1 }, () => {
  after(() => {
    console.log('requests per row:\n  ' + observed.join('\n  '));
  });

  test('200: resolves with the connection and shows the success view', async () => {
    const row = await submitRow({ scenario: 'ok-200' });
    const { connection } = await expectSuccess(row, { count: 1, connectionId: `conn_${row.run}` });
    assert.equal(connection.tenantId, 'fc659cb7-0c66-4e32-9f96-c35c869581b6', 'the resolved tenant GUID');
    assert.deepEqual(connection.grantedPermissions, ['User.Read.All', 'Mail.Read']);
    record('200', row);
    await row.page.close();
  });

  test('201 from a relative endpoint: resolves with the connection', async () => {
    const row = await submitRow({ scenario: 'ok-201', endpoint: (run) => `/api/ok-201/${run}` });
    await expectSuccess(row, { count: 1, connectionId: `conn_${row.run}` });
    record('201', row);
    await row.page.close();
  });

  test('422 with field: the message lands on that field', async () => {
    const row = await submitRow({ scenario: 'validation-422' });
    const { error } = await expectShownFailure(row, { count: 1, field: 'clientSecret', code: 'server', status: 422 });
    assert.match(error.message, /Secret ID/);
    record('422 + field', row);
    await row.page.close();
  });

  test('400 without field: the alert shows it', async () => {
    const row = await submitRow({ scenario: 'bad-400' });
    const { error } = await expectShownFailure(row, { count: 1, code: 'server', status: 400 });
    assert.equal(error.message, 'The backend refused the request.');
    record('400 no field', row);
    await row.page.close();
  });

  test('401, then a fresh token from the sessionToken function, then 200', async () => {
    const row = await submitRow({ scenario: 'session-401-then-200' });
    const { posts } = await expectSuccess(row, { count: 2, connectionId: `conn_${row.run}` });
    assert.deepEqual(
      posts.map((r) => r.headers.authorization),
      ['Bearer first-token', 'Bearer fresh-token'],
    );
    assert.equal(await row.page.evaluate(() => window.tokenCalls), 2, 'sessionToken called once more');
    record('401 → fresh token → 200', row);
    await row.page.close();
  });

  test('401 with a string token: session_expired closes the modal at once', async () => {
    const row = await submitRow({ scenario: 'session-401', stringToken: true });
    const error = await expectImmediateRejection(row, { count: 1, code: 'session_expired' });
    assert.equal(error.status, 401);
    record('401 string token', row);
    await row.page.close();
  });

  test('429 with Retry-After: 1 waits a second, then succeeds with the same key', async () => {
    const row = await submitRow({ scenario: 'throttle-seconds' });
    const { posts, retryEvents } = await expectSuccess(row, { count: 2, connectionId: `conn_${row.run}` });
    const gap = posts[1].at - posts[0].at;
    assert.ok(gap >= 950, `waited ${gap} ms`);
    assert.ok(retryEvents[0].delay >= 1000, JSON.stringify(retryEvents));
    record('429 Retry-After: 1', row, `waited ${gap} ms`);
    await row.page.close();
  });

  test('429 with an HTTP-date Retry-After waits until that date', async () => {
    const row = await submitRow({ scenario: 'throttle-date' });
    const { posts } = await expectSuccess(row, { count: 2, connectionId: `conn_${row.run}` });
    const gap = posts[1].at - posts[0].at;
    // The date is 2 s ahead, truncated to whole seconds: between 1 and 2 s.
    assert.ok(gap >= 950 && gap < 4000, `waited ${gap} ms`);
    record('429 Retry-After: HTTP date', row, `waited ${gap} ms`);
    await row.page.close();
  });

  test('503 twice then 200: backoff retries, one connection', async () => {
    const row = await submitRow({ scenario: 'unavailable-twice' });
    const { posts, retryEvents } = await expectSuccess(row, { count: 3, connectionId: `conn_${row.run}` });
    const gaps = [posts[1].at - posts[0].at, posts[2].at - posts[1].at];
    assert.ok(gaps[0] >= 240, `no fast retry after a 5xx (${gaps})`);
    assert.ok(gaps[1] >= 490, `the wait grows (${gaps})`);
    assert.deepEqual(
      retryEvents.map((event) => event.attempt),
      [2, 3],
    );
    record('503, 503, 200', row, `waits ${gaps.join(' + ')} ms`);
    await row.page.close();
  });

  test('500 with an HTML page: a clear server error naming the status', async () => {
    const row = await submitRow({ scenario: 'html-500' });
    const { error } = await expectShownFailure(row, { count: 1, code: 'server', status: 500 });
    assert.match(error.message, /HTTP 500/);
    assert.ok(!error.message.includes('<'), 'no markup from the page leaks into the message');
    record('500 HTML', row);
    await row.page.close();
  });

  test('empty 502: retried with backoff, then a server error', async () => {
    const row = await submitRow({ scenario: 'empty-502' });
    const { error } = await expectShownFailure(row, { count: 4, code: 'server', status: 502 });
    assert.match(error.message, /empty body/);
    record('empty 502', row);
    await row.page.close();
  });

  test('10 MB body: read at most 64 KB, then a server error', async () => {
    const row = await submitRow({ scenario: 'huge-500' });
    const { error } = await expectShownFailure(row, { count: 1, code: 'server', status: 500 });
    assert.match(error.message, /64 KB/);
    // The SDK cancelled the stream: the server could not hand over its 10 MB.
    const deadline = Date.now() + 5000;
    while (row.requests()[0].bytesWritten === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const { bytesWritten, finished } = row.requests()[0];
    assert.equal(finished, false, 'the body was never fully sent');
    assert.ok(bytesWritten < 5 * 1024 * 1024, `the server wrote ${bytesWritten} bytes`);
    record('10 MB body', row, `${Math.round(row.requests()[0].bytesWritten / 1024)} KB left the server`);
    await row.page.close();
  });

  test('no answer: timeoutMs aborts the request and reports timeout', async () => {
    const row = await submitRow({ scenario: 'hang', timeoutMs: 2000 });
    const { error } = await expectShownFailure(row, { count: 1, code: 'timeout', status: undefined });
    assert.ok(Date.now() - row.startedAt >= 1900);
    assert.match(error.message, /2000 ms/);
    record('no answer (timeoutMs 2000)', row);
    await row.page.close();
  });

  test('connection reset: retried, then a network error', async () => {
    const row = await submitRow({ scenario: 'reset' });
    const { error } = await expectShownFailure(row, { count: 4, code: 'network', status: undefined });
    assert.doesNotMatch(error.message, /CORS/, 'same origin: no CORS hint');
    record('connection reset', row);
    await row.page.close();
  });

  test('signal aborted mid-request: aborted at once, the modal closes', async () => {
    const row = await submitRow({ scenario: 'hang' });
    const deadline = Date.now() + 5000;
    while (row.requests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const abortedAt = Date.now();
    await row.page.evaluate(() => window.abortNow());
    await expectImmediateRejection(row, { count: 1, code: 'aborted' });
    assert.ok(Date.now() - abortedAt < 2000, 'settled promptly');
    record('abort via signal', row);
    await row.page.close();
  });

  test('signal aborted during a backoff wait: aborted at once, no further request', async () => {
    const row = await submitRow({ scenario: 'empty-502' });
    const deadline = Date.now() + 5000;
    while (row.requests().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    // The first backoff step is at least 250 ms: abort well inside it.
    await new Promise((r) => setTimeout(r, 60));
    const abortedAt = Date.now();
    await row.page.evaluate(() => window.abortNow());
    const outcome = await settled(row.page);
    assert.equal(outcome.error?.code, 'aborted', JSON.stringify(outcome));
    assert.ok(Date.now() - abortedAt < 1000, 'settled during the wait, not after it');
    await new Promise((r) => setTimeout(r, 800));
    checkRequests(row.requests(), { count: 1 });
    record('abort during backoff', row);
    await row.page.close();
  });

  test('429 asking for longer than the budget: no wait, the 429 is reported with retryAfter', async () => {
    const row = await submitRow({ scenario: 'throttle-long', timeoutMs: 5000 });
    const { error } = await expectShownFailure(row, { count: 1, code: 'server', status: 429 });
    assert.equal(error.retryAfter, 60);
    assert.ok(Date.now() - row.startedAt < 4000, 'failed without waiting out the budget');
    record('429 Retry-After: 60 > timeoutMs 5000', row);
    await row.page.close();
  });

  test('cross-origin endpoint without CORS: a network error that hints at CORS', async () => {
    const row = await submitRow({ scenario: 'ok-200', endpoint: (run) => otherOrigin.endpoint('ok-200', run) });
    const { error } = await expectShownFailure(row, { count: 0, retries: 3, code: 'network', status: undefined });
    assert.match(error.message, /CORS/);
    const preflights = otherOrigin.requests(row.run).filter((r) => r.method === 'OPTIONS');
    assert.equal(preflights.length, 4, 'each attempt was refused at its preflight');
    assert.ok(otherOrigin.requests(row.run).every((r) => r.method !== 'POST'), 'the secret never left');
    observed.push(`cross-origin without CORS: 0 requests, ${preflights.length} preflights`);
    await row.page.close();
  });

  test('Nango: success maps connectionId; token and params in the URL, secret in the body', async () => {
    const row = await submitRow({ scenario: 'nango-ok', protocol: 'nango' });
    const { connection } = await expectSuccess(row, { count: 1, protocol: 'nango', connectionId: `nango_${row.run}` });
    assert.equal(connection.tenantId, VALUES.tenantId);
    assert.equal(row.requests()[0].providerConfigKey, 'microsoft-oauth2-cc');
    record('Nango success', row);
    await row.page.close();
  });

  test('Nango: client_credentials_fetch_error says the identity platform refused the credentials', async () => {
    const row = await submitRow({ scenario: 'nango-fetch-error', protocol: 'nango' });
    const { error } = await expectShownFailure(row, { count: 1, protocol: 'nango', code: 'server', status: 400 });
    assert.match(error.message, /identity platform refused the credentials/);
    record('Nango client_credentials_fetch_error', row);
    await row.page.close();
  });
});
