// entra-connect/react in a real React 19 app: StrictMode's double effects open nothing twice,
// closing reports `cancelled`, a double click opens one modal, and unmounting the component
// while the modal is open closes it. Run on Vite's dev server (where StrictMode double-invokes
// effects) and once as a production build under a strict CSP.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build, createServer } from 'vite';
import { artifactsDir, launchBrowser, serveStatic } from '../e2e/harness.mjs';
import { installApp, packTarball, strictCsp, watchPage } from './lib.mjs';

let browser;
let app;
let dev;

before(async () => {
  app = await installApp('react', await packTarball());
  browser = await launchBrowser();
  dev = await createServer({
    root: app,
    configFile: false,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, hmr: false },
  });
  await dev.listen();
});

after(async () => {
  await dev?.close();
  await browser?.close();
});

const host = '[data-entra-connect]';
const dialog = `${host} [role="dialog"]`;

async function openPage(url) {
  const page = await browser.newPage();
  const problems = watchPage(page);
  await page.goto(url);
  await page.locator('#connect').waitFor();
  return { page, problems };
}

async function text(page, selector) {
  return (await page.textContent(selector)) ?? '';
}

test('open shows one modal, closing reports cancelled and isOpen goes back to false (StrictMode)', async () => {
  const { page, problems } = await openPage(dev.resolvedUrls.local[0]);
  try {
    await page.click('#connect');
    await page.locator(dialog).waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await text(page, '#state'), 'open');
    assert.equal(await page.locator(host).count(), 1);
    await page.screenshot({ path: join(artifactsDir, 'consumer-react.png') });
    await page.click(`${host} button[data-action="close"]`);
    await page.waitForFunction(() => document.querySelector('#error')?.textContent === 'cancelled');
    assert.equal(await text(page, '#state'), 'closed');
    assert.equal(await page.locator(host).count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('a double click on open draws one modal and reports no already_open', async () => {
  const { page, problems } = await openPage(dev.resolvedUrls.local[0]);
  try {
    await page.evaluate(() => {
      const button = document.querySelector('#connect');
      button.click();
      button.click();
    });
    await page.locator(dialog).waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await page.locator(host).count(), 1);
    assert.equal(await text(page, '#error'), '');
    await page.click(`${host} button[data-action="close"]`);
    await page.waitForFunction(() => document.querySelector('#error')?.textContent === 'cancelled');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('unmounting the component while the modal is open closes it, and a remount can open again', async () => {
  const { page, problems } = await openPage(dev.resolvedUrls.local[0]);
  try {
    await page.click('#connect');
    await page.locator(dialog).waitFor({ state: 'visible', timeout: 15000 });
    // The modal traps pointer and focus, as it should; the host app unmounts programmatically.
    await page.evaluate(() => document.querySelector('#toggle').click());
    await page.locator(host).waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await page.locator('#connect').count(), 0);

    await page.click('#toggle');
    await page.click('#connect');
    await page.locator(dialog).waitFor({ state: 'visible', timeout: 15000 });
    assert.equal(await text(page, '#error'), '', 'the remounted hook is not blocked by already_open');
    await page.click(`${host} button[data-action="close"]`);
    await page.waitForFunction(() => document.querySelector('#error')?.textContent === 'cancelled');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});

test('the production build works under a strict CSP', async () => {
  await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
  const server = await serveStatic(join(app, 'dist'), { headers: { 'content-security-policy': strictCsp } });
  const { page, problems } = await openPage(server.url);
  try {
    await page.click('#connect');
    await page.locator(dialog).waitFor({ state: 'visible', timeout: 15000 });
    await page.click(`${host} button[data-action="close"]`);
    await page.waitForFunction(() => document.querySelector('#error')?.textContent === 'cancelled');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    await server.stop();
  }
});
