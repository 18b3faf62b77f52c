// The harness itself: the static server answers with the right types and headers, and
// Debian Chromium runs a page from it. Other e2e tests build on both.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, serveStatic } from './harness.mjs';

test('serveStatic serves wasm as application/wasm with extra headers, and refuses traversal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-static-'));
  // The smallest valid wasm module: magic number and version.
  writeFileSync(join(dir, 'empty.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ok</title>');
  const server = await serveStatic(dir, { headers: { 'content-security-policy': "default-src 'self'" } });
  try {
    const wasm = await fetch(`${server.url}/empty.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('content-security-policy'), "default-src 'self'");
    const index = await fetch(`${server.url}/`);
    assert.match(index.headers.get('content-type'), /^text\/html/);
    const missing = await fetch(`${server.url}/nope.js`);
    assert.equal(missing.status, 404);
    const escape = await fetch(`${server.url}/%2e%2e/%2e%2e/etc/passwd`);
    assert.notEqual(escape.status, 200);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('launchBrowser runs a page that instantiates wasm under a strict CSP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-browser-'));
  writeFileSync(join(dir, 'empty.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(join(dir, 'main.js'), `
    const { instance } = await WebAssembly.instantiateStreaming(fetch('./empty.wasm'));
    document.body.dataset.ready = String(instance instanceof WebAssembly.Instance);
  `);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title><script type="module" src="./main.js"></script>');
  const server = await serveStatic(dir, {
    headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'" },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 10000 });
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
