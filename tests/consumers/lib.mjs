// Shared steps of the consumer tests: pack pkg/ with `npm pack` exactly as it would be
// published, install the tarball into a fresh copy of an app under tests/artifacts/consumers,
// and drive the built app in Chromium until the modal is open.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { artifactsDir, pkgDir, repoRoot } from '../e2e/harness.mjs';

const run = promisify(execFile);

/** Where the apps are installed and built (ignored by git, kept for inspection). */
export const workDir = join(artifactsDir, 'consumers');

/** The strict Content-Security-Policy the built apps are served with (SPEC §4). */
export const strictCsp =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";

/** Packs pkg/ into a tarball in the work folder and returns its path. */
export async function packTarball() {
  assert.ok(existsSync(join(pkgDir, 'package.json')), 'pkg/ is not built: run `cargo xtask build`');
  mkdirSync(workDir, { recursive: true });
  const { stdout } = await run('npm', ['pack', pkgDir, '--json', '--pack-destination', workDir], {
    cwd: repoRoot,
  });
  const [{ filename }] = JSON.parse(stdout);
  return join(workDir, filename);
}

/**
 * Copies tests/consumers/apps/<name> (if any) and `files` (path → text) into a fresh work
 * folder and `npm install`s the
 * tarball there, as a developer would. Tools (vite, webpack, react) come from tests/node_modules,
 * which node resolves from the parent folders.
 */
export async function installApp(name, tarball, files = {}) {
  const dir = join(workDir, name);
  rmSync(dir, { recursive: true, force: true });
  const template = join(repoRoot, 'tests/consumers/apps', name);
  if (existsSync(template)) cpSync(template, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name: `consumer-${name}`, private: true, type: 'module', dependencies: { 'entra-connect': `file:${tarball}` } },
      null,
      2,
    ),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], { cwd: dir });
  assert.ok(existsSync(join(dir, 'node_modules/entra-connect/index.js')), 'the tarball installed entra-connect');
  assert.ok(!existsSync(join(dir, 'node_modules/react')), 'react is an optional peer: not installed by default');
  return dir;
}

/** Records console errors, page errors and failed requests of a page. */
export function watchPage(page) {
  const problems = [];
  page.on('console', (message) => {
    // A missing favicon is the browser's own request, not the app's.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

/**
 * The check every consumer app passes: the button opens the modal through the package's
 * public entry, the modal closes with a `cancelled` ConnectError, and `validate()` works
 * after `preload()`. The app pages write outcomes into `#result`.
 */
export async function opensTheModal(browser, url, name) {
  const page = await browser.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(url);
    await page.click('#connect');
    const dialog = page.locator('[data-entra-connect] [role="dialog"]');
    await dialog.waitFor({ state: 'visible', timeout: 15000 });
    await page.locator('[data-entra-connect] input[name="tenantId"]').waitFor({ state: 'visible' });
    await page.screenshot({ path: join(artifactsDir, `consumer-${name}.png`) });
    await page.click('[data-entra-connect] button[data-action="close"]');
    await page.waitForFunction(() => document.querySelector('#result')?.textContent === 'ConnectError cancelled', null, {
      timeout: 10000,
    });
    assert.equal(await page.locator('[data-entra-connect]').count(), 0, 'closing removes the host element');

    await page.click('#validate');
    await page.waitForFunction(() => document.querySelector('#result')?.textContent?.startsWith('validate '));
    assert.equal(await page.textContent('#result'), 'validate tenant_common');
    assert.deepEqual(problems, [], 'no console errors, CSP violations or failed requests');
  } finally {
    await page.close();
  }
}
