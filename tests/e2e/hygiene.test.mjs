// Secret hygiene, end to end (issue 8). Complete flows through the real modal, the reference
// backend and a scripted identity platform, each with its own unique client secret:
//   A success (typed key by key), B a server failure then a corrected retry, C a server
//   failure then close, D cancel while the request is in flight, E an automatic retry (503).
// Afterwards each secret is searched for in: the browser console (every argument, deeply),
// onEvent payloads, the ConnectErrors, the URL, history and every resource URL the page
// fetched, localStorage / sessionStorage / cookies / IndexedDB / Cache Storage, the DOM after
// close (light and shadow, attributes and input values), every response the page received,
// the backend's log (at debug level), and its SQLite files (database, WAL, key), and (with
// DATABASE_URL) a PostgreSQL dump. It must be in none of them, and in exactly one place per
// attempt: that attempt's request body, once.
//
// The identity platform is a local fake that accepts any secret (so even the success uses a
// unique one); the backend's own token request to it necessarily carries the secret, which
// is checked separately (form body only, never its URL).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { demoConnections, launchBrowser, repoRoot, startServer } from './harness.mjs';

const CLIENT = '38a6702a-fb0c-4495-976f-5e260e080751';
const TENANT_GUID = 'fc659cb7-0c66-4e32-9f96-c35c869581b6';
const $ = (selector) => `[data-entra-connect] ${selector}`;

/** A unique, current-looking secret: 40 characters with `Q~` at positions 5-6. */
function uniqueSecret(flow) {
  const core = randomBytes(32).toString('base64url').replace(/[-_]/g, 'x').slice(0, 34);
  return `Hy${flow}gQ~${core}`.slice(0, 40);
}

/** The needles for a secret: the whole value and a distinctive part (a truncated leak). */
function needles(secret) {
  return [secret, secret.slice(6, 26)];
}

function count(haystack, needle) {
  let found = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) found++;
  return found;
}

// ---------------------------------------------------------------------------------------
// A scripted identity platform: any secret is accepted; tenants choose the answer.

function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.c2ln`;
}

async function startFakeAuthority() {
  const requests = [];
  let flaky = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      requests.push({ url: req.url, headers: JSON.stringify(req.headers), body });
      const tenant = req.url.split('/')[1];
      const answer = (status, json) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const token = () =>
        answer(200, {
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: jwt({ tid: TENANT_GUID, roles: ['User.Read.All', 'Mail.Read'] }),
        });
      if (tenant === 'denied.example.com') {
        answer(401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
          error_codes: [7000215],
        });
      } else if (tenant === 'slow.example.com') {
        setTimeout(token, 2500);
      } else if (tenant === 'flaky.example.com' && flaky++ === 0) {
        answer(503, { error: 'temporarily_unavailable', error_codes: [] });
      } else {
        token();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---------------------------------------------------------------------------------------

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** A page on `server` that records console calls deeply, requests and responses. */
async function recordingPage(server) {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    // Everything passed to console.*, serialized deeply (own and non-enumerable properties).
    window.__console = [];
    const seen = new WeakSet();
    const dump = (value, depth = 0) => {
      if (value === null || typeof value !== 'object') return String(value);
      if (seen.has(value) || depth > 8) return '[seen]';
      seen.add(value);
      const parts = [];
      for (const key of Object.getOwnPropertyNames(value)) {
        let inner;
        try {
          inner = value[key];
        } catch {
          inner = '[getter threw]';
        }
        if (typeof inner !== 'function') parts.push(`${key}=${dump(inner, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    };
    window.__dump = dump;
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'group']) {
      const original = console[method];
      console[method] = (...args) => {
        window.__console.push(`${method}: ${args.map((arg) => dump(arg)).join(' ')}`);
        return original.apply(console, args);
      };
    }
  });
  const page = await context.newPage();
  const consoleLines = [];
  const requests = [];
  const responses = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('request', async (request) => {
    const entry = { url: request.url(), method: request.method(), body: request.postData() ?? '', headers: '' };
    requests.push(entry);
    entry.headers = JSON.stringify(await request.allHeaders().catch(() => ({})));
  });
  page.on('response', async (response) => {
    const entry = { url: response.url(), body: '' };
    responses.push(entry);
    entry.body = await response.text().catch(() => '');
  });
  await page.goto(server.url + '/');
  await page.locator('html[data-ready="true"]').waitFor({ timeout: 15000 });
  return { page, context, consoleLines, requests, responses };
}

async function openModal(page) {
  await page.click('#open');
  await page.locator($('[role="dialog"]')).waitFor({ state: 'visible', timeout: 15000 });
}

async function eventCount(page, type) {
  return page.evaluate((type) => window.events.filter((event) => event.type === type).length, type);
}

async function waitForEvents(page, type, atLeast) {
  await page.waitForFunction(
    ({ type, atLeast }) => window.events.filter((event) => event.type === type).length >= atLeast,
    { type, atLeast },
    { timeout: 20000 },
  );
}

async function waitClosed(page, outcomes) {
  await page.locator('[data-entra-connect]').waitFor({ state: 'detached', timeout: 10000 });
  await page.waitForFunction((n) => window.outcomes.length === n && window.outcomes[n - 1].state !== 'pending', outcomes);
}

/** Runs the five flows; returns `{ secrets: {flow: secret}, attempts: {flow: n} }`. */
async function runFlows(page) {
  const secrets = { A: uniqueSecret('A'), B: uniqueSecret('B'), C: uniqueSecret('C'), D: uniqueSecret('D'), E: uniqueSecret('E') };
  const fill = async (tenant, secret, { typed = false } = {}) => {
    await page.fill($('input[name="tenantId"]'), tenant);
    await page.fill($('input[name="clientId"]'), CLIENT);
    if (typed) {
      await page.fill($('input[name="clientSecret"]'), '');
      await page.locator($('input[name="clientSecret"]')).pressSequentially(secret);
    } else {
      await page.fill($('input[name="clientSecret"]'), secret);
    }
  };
  const submit = () => page.click($('button[type="submit"]'));

  // A: success, the secret typed key by key, shown and hidden again.
  await openModal(page);
  await fill('contoso.onmicrosoft.com', secrets.A, { typed: true });
  await page.click($('button[data-action="toggle-secret"]'));
  await page.click($('button[data-action="toggle-secret"]'));
  await submit();
  await page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 15000 });
  await page.click($('button[data-action="done"]'));
  await waitClosed(page, 1);

  // B: the server refuses the secret (AADSTS7000215), the admin corrects the tenant, retries.
  await openModal(page);
  let errors = await eventCount(page, 'error');
  await fill('denied.example.com', secrets.B);
  await submit();
  await waitForEvents(page, 'error', errors + 1);
  await page.fill($('input[name="tenantId"]'), 'contoso.onmicrosoft.com');
  await submit();
  await page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 15000 });
  await page.click($('button[data-action="done"]'));
  await waitClosed(page, 2);

  // C: the server refuses, the admin closes: the Promise rejects with that failure.
  await openModal(page);
  errors = await eventCount(page, 'error');
  await fill('denied.example.com', secrets.C);
  await submit();
  await waitForEvents(page, 'error', errors + 1);
  await page.click($('button[data-action="close"]'));
  await waitClosed(page, 3);
  assert.equal(await page.evaluate(() => window.outcomes[2].error.code), 'server');

  // D: cancel while the request is in flight (the identity platform answers after 2.5 s).
  await openModal(page);
  const submits = await eventCount(page, 'submit');
  await fill('slow.example.com', secrets.D);
  await submit();
  await waitForEvents(page, 'submit', submits + 1);
  await page.waitForTimeout(300);
  await page.click($('button[data-action="close"]'));
  await waitClosed(page, 4);
  assert.equal(await page.evaluate(() => window.outcomes[3].error.code), 'cancelled');

  // E: the first attempt meets a 503 (upstream_unavailable), the SDK retries by itself.
  await openModal(page);
  const retries = await eventCount(page, 'retry');
  await fill('flaky.example.com', secrets.E);
  await submit();
  await page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 20000 });
  assert.equal(await eventCount(page, 'retry'), retries + 1, 'one automatic retry');
  await page.click($('button[data-action="done"]'));
  await waitClosed(page, 5);

  // Let the backend finish the cancelled request (D) before its log and files are read.
  await page.waitForTimeout(2800);
  return { secrets, attempts: { A: 1, B: 2, C: 1, D: 1, E: 2 } };
}

/** Everything the browser kept or showed after the flows, as one text per place. */
async function browserPlaces({ page, context, consoleLines, responses, requests }) {
  const inPage = await page.evaluate(async () => {
    const dump = window.__dump;
    const html = (root) => {
      let text = root.innerHTML ?? '';
      for (const element of root.querySelectorAll('*')) {
        if ('value' in element && typeof element.value === 'string') text += `\n[value] ${element.value}`;
        if (element.shadowRoot) text += `\n[shadow] ${html(element.shadowRoot)}`;
      }
      return text;
    };
    const storage = (area) =>
      Object.keys(area)
        .map((key) => `${key}=${area.getItem(key)}`)
        .join('\n');
    let indexedDb = '';
    for (const { name } of (await indexedDB.databases?.()) ?? []) {
      indexedDb += `[db ${name}]`;
      const db = await new Promise((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const store of db.objectStoreNames) {
        const all = await new Promise((resolve) => {
          const request = db.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result);
        });
        indexedDb += dump(all);
      }
      db.close();
    }
    let caches = '';
    for (const key of (await window.caches?.keys()) ?? []) {
      const cache = await window.caches.open(key);
      for (const request of await cache.keys()) {
        caches += `${request.url} ${await (await cache.match(request)).text()}\n`;
      }
    }
    return {
      console: window.__console.join('\n'),
      events: dump(window.events),
      errors: window.outcomes.map((outcome) => dump(outcome.error) + String(outcome.error?.stack)).join('\n'),
      connections: window.outcomes.map((outcome) => dump(outcome.value)).join('\n'),
      url: `${location.href}\n${document.referrer}\nhistory ${history.length} ${JSON.stringify(history.state)}\n` +
        performance.getEntries().map((entry) => entry.name).join('\n'),
      localStorage: storage(localStorage),
      sessionStorage: storage(sessionStorage),
      cookies: document.cookie,
      indexedDb,
      caches,
      dom: `${document.documentElement.outerHTML}\n${html(document)}\n${document.body.innerText}`,
      hostLeft: Boolean(document.querySelector('[data-entra-connect]')),
    };
  });
  assert.equal(inPage.hostLeft, false, 'the modal is gone after close');
  const cookies = JSON.stringify(await context.cookies());
  return {
    'browser console (CDP)': consoleLines.join('\n'),
    'browser console (every argument, deeply)': inPage.console,
    'onEvent payloads': inPage.events,
    ConnectErrors: inPage.errors,
    'connect() results': inPage.connections,
    'URL, history and every fetched URL': `${page.url()}\n${inPage.url}\n${requests.map((r) => r.url).join('\n')}`,
    localStorage: inPage.localStorage,
    sessionStorage: inPage.sessionStorage,
    cookies: `${inPage.cookies}\n${cookies}`,
    IndexedDB: inPage.indexedDb,
    'Cache Storage': inPage.caches,
    'DOM after close (light, shadow, input values)': inPage.dom,
    'responses to the page': responses.map((r) => `${r.url}\n${r.body}`).join('\n'),
    'request headers': requests.map((r) => r.headers).join('\n'),
  };
}

/** Every file of the backend's data directory (SQLite database, WAL, key) as text. */
function dataFiles(dir) {
  let text = '';
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    text += statSync(path).isDirectory() ? dataFiles(path) : `\n[${name}]\n${readFileSync(path).toString('latin1')}`;
  }
  return text;
}

/** Asserts each secret is in no place, and in each attempt's request body exactly once. */
function assertHygiene({ secrets, attempts }, places, requests, endpointPath) {
  const checked = [];
  for (const [flow, secret] of Object.entries(secrets)) {
    for (const [place, text] of Object.entries(places)) {
      for (const needle of needles(secret)) {
        assert.equal(count(text, needle), 0, `flow ${flow}: the secret is in ${place}`);
      }
      checked.push(place);
    }
    const carrying = requests.filter((request) => request.body.includes(secret));
    assert.equal(carrying.length, attempts[flow], `flow ${flow}: one request body per attempt`);
    for (const request of carrying) {
      assert.equal(new URL(request.url).pathname, endpointPath, `flow ${flow}: only the connection endpoint`);
      assert.equal(request.method, 'POST');
      assert.equal(count(request.body, secret), 1, `flow ${flow}: once in the body`);
      assert.equal(count(request.url, needles(secret)[1]), 0, `flow ${flow}: not in the URL`);
      assert.equal(count(request.headers, needles(secret)[1]), 0, `flow ${flow}: not in a header`);
    }
  }
  return [...new Set(checked)];
}

test('five flows: each unique secret is only ever in its attempts\' request bodies', { timeout: 120000 }, async () => {
  const authority = await startFakeAuthority();
  const server = await startServer({
    emulator: false,
    args: ['--authority-url', authority.url, '--www', join(repoRoot, 'tests', 'csp-page')],
    env: { RUST_LOG: 'debug' },
  });
  const recorder = await recordingPage(server);
  try {
    const flows = await runFlows(recorder.page);
    const places = await browserPlaces(recorder);
    places['reference backend log (debug)'] = server.logs();
    places['SQLite files (database, WAL, key)'] = dataFiles(server.dataDir);
    assert.ok(places['SQLite files (database, WAL, key)'].includes('SQLite format 3'), 'the database was read');
    const checked = assertHygiene(flows, places, recorder.requests, '/api/entra/connections');

    // The backend -> identity platform leg: the secret only in the form body, never its URL.
    for (const [flow, secret] of Object.entries(flows.secrets)) {
      const upstream = authority.requests.filter(
        (request) => new URLSearchParams(request.body).get('client_secret') === secret,
      );
      assert.ok(upstream.length >= 1, `flow ${flow}: verified with the identity platform`);
      for (const request of upstream) {
        assert.equal(count(request.url + request.headers, needles(secret)[1]), 0, `flow ${flow}: upstream URL/headers`);
      }
    }
    const stored = await demoConnections(server);
    assert.equal(stored.length, 3, 'A, B and E stored a connection (C failed, D was cancelled)');
    console.log(
      `hygiene: ${Object.keys(flows.secrets).length} flows, ${Object.values(flows.attempts).reduce((a, b) => a + b)} attempts; ` +
        `places checked: ${checked.join('; ')}`,
    );
  } finally {
    await recorder.context.close();
    await server.stop();
    await authority.stop();
  }
});

/** pg_dump of the newest installed PostgreSQL, or the one on PATH. */
function pgDump() {
  if (process.env.PG_DUMP) return process.env.PG_DUMP;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const path = join(base, version, 'bin', 'pg_dump');
      if (existsSync(path)) return path;
    }
  }
  return 'pg_dump';
}

test('PostgreSQL: no secret in any table as plaintext (needs DATABASE_URL)', { timeout: 120000 }, async (t) => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    assert.notEqual(process.env.CI, 'true', 'CI=true but DATABASE_URL is not set');
    t.skip('DATABASE_URL is not set');
    return;
  }
  const authority = await startFakeAuthority();
  t.after(() => authority.stop());
  // PostgreSQL is shared by instances, so the server wants its key ring named (§13).
  const keys = `e2e:${randomBytes(32).toString('hex')}`;
  const server = await startServer({
    emulator: false,
    args: ['--authority-url', authority.url, '--www', join(repoRoot, 'tests', 'csp-page')],
    env: { DATABASE_URL: databaseUrl, ENTRA_CONNECT_KEYS: keys, RUST_LOG: 'debug' },
  });
  t.after(() => server.stop());
  const recorder = await recordingPage(server);
  try {
    const secret = uniqueSecret('P');
    await openModal(recorder.page);
    await recorder.page.fill($('input[name="tenantId"]'), 'contoso.onmicrosoft.com');
    await recorder.page.fill($('input[name="clientId"]'), CLIENT);
    await recorder.page.fill($('input[name="clientSecret"]'), secret);
    await recorder.page.click($('button[type="submit"]'));
    await recorder.page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 15000 });
    const dump = execFileSync(pgDump(), ['--data-only', '--no-owner', `--dbname=${databaseUrl}`], {
      maxBuffer: 512 * 1024 * 1024,
    }).toString('latin1');
    assert.ok(dump.includes('COPY '), 'the dump has table data');
    await recorder.page.waitForFunction(() => window.outcomes[0]?.state === 'resolved');
    const connectionId = await recorder.page.evaluate(() => window.outcomes[0].value.connectionId);
    assert.ok(dump.includes(connectionId), 'the new connection (its sealed secret row) is in the dump');
    for (const needle of needles(secret)) assert.equal(count(dump, needle), 0, 'the secret is in a PostgreSQL table');
    assert.equal(count(server.logs(), needles(secret)[1]), 0, 'the secret is in the backend log');
  } finally {
    await recorder.context.close();
  }
});
