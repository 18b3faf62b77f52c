// A Vite 8 app installs the packed tarball, builds, and opens the modal in Chromium under a
// strict CSP; the same app also works on Vite's dev server (dependency pre-bundling included).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, createServer } from 'vite';
import { launchBrowser, serveStatic } from '../e2e/harness.mjs';
import { installApp, opensTheModal, packTarball, strictCsp } from './lib.mjs';

let browser;
let app;

before(async () => {
  app = await installApp('vite', await packTarball());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('vite build bundles the package and the built app opens the modal under a strict CSP', async () => {
  await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
  const assets = readdirSync(join(app, 'dist/assets'));
  assert.ok(assets.some((file) => file.endsWith('.wasm')), `the wasm is emitted as an asset: ${assets.join(', ')}`);
  const server = await serveStatic(join(app, 'dist'), { headers: { 'content-security-policy': strictCsp } });
  try {
    await opensTheModal(browser, server.url, 'vite-build');
  } finally {
    await server.stop();
  }
});

test('the app opens the modal on the Vite dev server', async () => {
  const server = await createServer({
    root: app,
    configFile: false,
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  try {
    const url = server.resolvedUrls.local[0];
    await opensTheModal(browser, url, 'vite-dev');
  } finally {
    await server.close();
  }
});
