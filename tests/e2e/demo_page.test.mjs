// The demo page served by the reference backend: loads under the server's strict CSP without
// errors, shows the emulator's sample values only when the emulator is on, and its button opens
// the modal through the package's public entry (/pkg/index.js).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { artifactsDir, launchBrowser, startServer } from './harness.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

function watch(page) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}

test('with the emulator, the demo page shows the sample values and opens the modal', async () => {
  const server = await startServer({ emulator: true });
  const page = await browser.newPage();
  const problems = watch(page);
  try {
    const response = await page.goto(server.url);
    assert.match(response.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    await page.locator('#emulator').waitFor({ state: 'visible' });
    assert.equal(await page.textContent('#sample-tenant'), 'contoso.onmicrosoft.com');
    assert.equal(await page.textContent('#sample-client'), '38a6702a-fb0c-4495-976f-5e260e080751');

    // No opening animation in the picture: the dialog as it looks once it has settled.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
    await page.locator('[data-entra-connect] [role="dialog"]').waitFor({ state: 'visible', timeout: 15000 });
    await page.screenshot({ path: join(artifactsDir, 'demo-modal.png') });
    await page.click('[data-entra-connect] button[data-action="close"]');
    await page.locator('#status[data-kind="neutral"]').waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('with the emulator, connecting the sample tenant lists it under Connected tenants', async () => {
  const server = await startServer({ emulator: true });
  const page = await browser.newPage();
  const problems = watch(page);
  try {
    await page.goto(server.url);
    await page.locator('#emulator').waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
    const modal = '[data-entra-connect]';
    await page.locator(`${modal} [role="dialog"]`).waitFor({ state: 'visible', timeout: 15000 });
    await page.fill(`${modal} input[name="tenantId"]`, 'contoso.onmicrosoft.com');
    await page.fill(`${modal} input[name="clientId"]`, '38a6702a-fb0c-4495-976f-5e260e080751');
    await page.fill(`${modal} input[name="clientSecret"]`, 'Emu8Q~ContosoSampleSecret-0123456789abcd');
    await page.click(`${modal} button[type="submit"]`);
    await page.locator('#status[data-kind="success"]').waitFor({ timeout: 15000 });
    await page.locator('#connections tbody tr').first().waitFor();
    assert.equal(await page.locator('#connections tbody tr').count(), 1);
    assert.match(await page.textContent('#connections tbody tr'), /User\.Read\.All/);
    assert.doesNotMatch(await page.textContent('#events'), /ContosoSampleSecret/, 'no event carries the secret');
    assert.doesNotMatch(await page.textContent('#status'), /ContosoSampleSecret/);
    // The page with a connected tenant, in both colour schemes (artifacts to look at).
    await page.click(`${modal} [data-view="success"] button`);
    await page.locator(modal).waitFor({ state: 'detached' });
    await page.screenshot({ path: join(artifactsDir, 'demo-page-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(artifactsDir, 'demo-page-dark.png'), fullPage: true });
    // Check asks Microsoft again; Disconnect (confirmed) removes the row.
    const row = page.locator('#connections tbody tr').first();
    assert.match(await row.textContent(), /Active/);
    await page.getByRole('button', { name: /^Check the connection to / }).click();
    await page.locator('#status[data-kind="success"]', { hasText: 'works (checked just now)' }).waitFor();
    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: /^Disconnect / }).click();
    await page.locator('#connections-empty').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#status'), /Disconnected .*stored credential is destroyed/);
    assert.equal(await page.locator('#connections tbody tr').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('the playground passes its options: German, inline in the page, the call shown as code', async () => {
  const server = await startServer({ emulator: true });
  const page = await browser.newPage();
  const problems = watch(page);
  try {
    await page.goto(server.url);
    await page.selectOption('#playground select[name="locale"]', 'de');
    await page.check('#playground input[name="inline"]');
    await page.fill('#playground input[name="prefillTenant"]', 'contoso.onmicrosoft.com');
    await page.check('#playground input[name="lockTenant"]');
    const snippet = await page.textContent('#snippet');
    assert.match(snippet, /locale: "de"/);
    assert.match(snippet, /locked: \[\s*"tenantId"\s*\]/);
    assert.match(snippet, /container: document\.getElementById\('inline-container'\)/);

    await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
    const host = page.locator('#inline-container [data-entra-connect]');
    await host.waitFor({ state: 'attached', timeout: 15000 });
    assert.equal(await host.getAttribute('lang'), 'de');
    const tenant = page.locator('#inline-container [data-entra-connect] input[name="tenantId"]');
    await tenant.waitFor({ state: 'visible' });
    assert.equal(await tenant.inputValue(), 'contoso.onmicrosoft.com');
    assert.equal(await tenant.isEditable(), false, 'the locked tenant cannot be changed');
    await page.screenshot({ path: join(artifactsDir, 'demo-playground-inline.png'), fullPage: true });
    await page.click('#inline-container [data-entra-connect] button[data-action="close"]');
    await page.locator('#status[data-kind="neutral"]').waitFor();
    assert.equal(await page.locator('#inline-container').isHidden(), true);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.stop();
  }
});

test('without the emulator, no sample values are shown', async () => {
  const server = await startServer({ emulator: false });
  const page = await browser.newPage();
  try {
    await page.goto(server.url);
    await page.locator('#connections-empty').waitFor();
    // Give the config request time to answer before checking the panel stayed hidden.
    await page.waitForLoadState('networkidle');
    assert.equal(await page.locator('#emulator').isHidden(), true);
  } finally {
    await page.close();
    await server.stop();
  }
});
