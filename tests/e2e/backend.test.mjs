// The whole loop against the reference backend: the modal in real Chromium, the backend's
// verification with the Entra emulator, its errors landing on the right field, the stored
// connection listed once, a cross-origin host page allowed by --allowed-origin (a real CORS
// preflight with Authorization and Idempotency-Key), and nothing secret in the server log.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoConnections, launchBrowser, pkgDir, serveStatic, startServer } from './harness.mjs';

const TENANT = 'contoso.onmicrosoft.com';
const CLIENT = '38a6702a-fb0c-4495-976f-5e260e080751';
const SECRET = 'Emu8Q~ContosoSampleSecret-0123456789abcd';
const WRONG_SECRET = 'Emu8Q~NotTheSampleSecretValue-0123456789';
const EXPIRED_CLIENT = 'f8f13583-c5a3-412a-9edc-4e6d1f79f2eb';
const EXPIRED_SECRET = 'Emu8Q~ExpiredSampleSecret-0123456789abcd';
const modal = '[data-entra-connect]';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

async function openModal(page, url) {
  await page.goto(url);
  await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
  await page.locator(`${modal} [role="dialog"]`).waitFor({ state: 'visible', timeout: 15000 });
}

async function fill(page, tenant, client, secret) {
  await page.fill(`${modal} input[name="tenantId"]`, tenant);
  await page.fill(`${modal} input[name="clientId"]`, client);
  await page.fill(`${modal} input[name="clientSecret"]`, secret);
}

async function submitAndWaitForFieldError(page, field) {
  await page.click(`${modal} button[type="submit"]`);
  const input = page.locator(`${modal} [name="${field}"]`);
  await page.waitForFunction(
    (selector) => {
      const host = document.querySelector('[data-entra-connect]');
      const element = host?.shadowRoot?.querySelector(selector);
      return element?.getAttribute('aria-invalid') === 'true';
    },
    `[name="${field}"]`,
    { timeout: 15000 },
  );
  const message = (await page.locator(`${modal} #${field}-message`).textContent())?.trim() ?? '';
  assert.notEqual(message, '', `${field} shows a message`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true');
  return message;
}

const storedConnections = demoConnections;

test('identity platform rejections land on their field; the corrected secret connects once', async () => {
  const server = await startServer({ emulator: true, env: { RUST_LOG: 'debug' } });
  const page = await browser.newPage();
  try {
    await openModal(page, server.url);
    await fill(page, TENANT, CLIENT, WRONG_SECRET);
    const secretMessage = await submitAndWaitForFieldError(page, 'clientSecret');
    assert.ok(!secretMessage.includes(WRONG_SECRET), 'the message never repeats the secret');
    assert.deepEqual(await storedConnections(server), [], 'a rejected secret stores nothing');

    await page.fill(`${modal} input[name="tenantId"]`, 'fabrikam.onmicrosoft.com');
    await page.fill(`${modal} input[name="clientSecret"]`, SECRET);
    await submitAndWaitForFieldError(page, 'tenantId');

    await fill(page, TENANT, EXPIRED_CLIENT, EXPIRED_SECRET);
    await submitAndWaitForFieldError(page, 'clientSecret');

    await fill(page, TENANT, CLIENT, SECRET);
    await page.click(`${modal} button[type="submit"]`);
    await page.locator('#status[data-kind="success"]').waitFor({ timeout: 15000 });
    const stored = await storedConnections(server);
    assert.equal(stored.length, 1, 'exactly one connection');
    assert.equal(stored[0].tenant_id, 'fc659cb7-0c66-4e32-9f96-c35c869581b6');
    assert.deepEqual(stored[0].granted_permissions, ['User.Read.All', 'Mail.Read', 'Calendars.ReadWrite']);
    for (const secret of [SECRET, WRONG_SECRET, EXPIRED_SECRET]) {
      assert.ok(!server.logs().includes(secret), 'no secret in the server log');
    }
  } finally {
    await page.close();
    await server.stop();
  }
});

/** A host page on its own origin that connects to the backend at `?backend=`. */
function hostPageDir() {
  const dir = mkdtempSync(join(tmpdir(), 'entra-connect-host-'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><title>host</title><button id="go">Connect</button><output id="result"></output>' +
      '<script type="module" src="./host.js"></script>',
  );
  writeFileSync(
    join(dir, 'host.js'),
    `import { connect } from '/pkg/index.js';
const backend = new URL(location.href).searchParams.get('backend');
const result = document.getElementById('result');
document.getElementById('go').addEventListener('click', async () => {
  try {
    const connection = await connect({
      endpoint: backend + '/api/entra/connections',
      sessionToken: async () => (await (await fetch(backend + '/api/sessions', { method: 'POST' })).json()).token,
      prefill: { tenantId: ${JSON.stringify(TENANT)}, clientId: ${JSON.stringify(CLIENT)} },
      timeoutMs: 8000,
    });
    result.dataset.state = 'connected';
    result.textContent = connection.connectionId;
  } catch (error) {
    result.dataset.state = 'failed';
    result.textContent = error.code;
  }
});
`,
  );
  return dir;
}

async function connectFromHost(page, hostUrl, backendUrl) {
  await page.goto(`${hostUrl}/?backend=${encodeURIComponent(backendUrl)}`);
  await page.click('#go');
  await page.locator(`${modal} [role="dialog"]`).waitFor({ state: 'visible', timeout: 15000 });
  await page.fill(`${modal} input[name="clientSecret"]`, SECRET);
  await page.click(`${modal} button[type="submit"]`);
  await page.waitForSelector('#result[data-state]', { state: 'attached', timeout: 20000 });
  return page.locator('#result').getAttribute('data-state');
}

test('a host page on another origin connects only when --allowed-origin names it', async () => {
  const dir = hostPageDir();
  const host = await serveStatic(dir, { mounts: { '/pkg/': pkgDir } });
  const allowed = await startServer({ emulator: true, args: ['--allowed-origin', host.url] });
  const other = await startServer({ emulator: true });
  const page = await browser.newPage();
  try {
    assert.equal(await connectFromHost(page, host.url, allowed.url), 'connected');
    assert.equal((await storedConnections(allowed)).length, 1);

    const refused = await browser.newPage();
    try {
      assert.equal(await connectFromHost(refused, host.url, other.url), 'failed');
      assert.deepEqual(await storedConnections(other), [], 'a refused origin creates nothing');
    } finally {
      await refused.close();
    }
  } finally {
    await page.close();
    await allowed.stop();
    await other.stop();
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
