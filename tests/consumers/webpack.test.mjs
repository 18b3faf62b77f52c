// A webpack 5 app installs the packed tarball, builds in production mode, and opens the
// modal in Chromium under a strict CSP.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import webpack from 'webpack';
import { launchBrowser, serveStatic } from '../e2e/harness.mjs';
import { installApp, opensTheModal, packTarball, strictCsp } from './lib.mjs';

let browser;
let app;

before(async () => {
  app = await installApp('webpack', await packTarball());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

function compile(config) {
  return new Promise((resolve, reject) => {
    webpack(config, (error, stats) => {
      if (error) reject(error);
      else resolve(stats);
    });
  });
}

test('webpack 5 bundles the package and the built app opens the modal under a strict CSP', async () => {
  const stats = await compile({
    mode: 'production',
    context: app,
    entry: './src/main.js',
    output: { path: join(app, 'dist'), filename: 'main.js', clean: true },
    performance: { hints: false },
  });
  const info = stats.toJson({ all: false, errors: true, warnings: true });
  assert.deepEqual(info.errors, [], 'webpack reports no errors');
  copyFileSync(join(app, 'index.html'), join(app, 'dist/index.html'));
  const emitted = readdirSync(join(app, 'dist'));
  assert.ok(emitted.some((file) => file.endsWith('.wasm')), `the wasm is emitted as an asset: ${emitted.join(', ')}`);
  const server = await serveStatic(join(app, 'dist'), { headers: { 'content-security-policy': strictCsp } });
  try {
    await opensTheModal(browser, server.url, 'webpack');
  } finally {
    await server.stop();
  }
});
