// The README's quickstart, pasted into a Vite app as written: its index.html, src/main.js and
// vite.config.js (only the proxy target is pointed at this run's backend) connect the
// emulator's sample tenant through the reference backend.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'vite';
import { launchBrowser, repoRoot, startServer } from '../e2e/harness.mjs';
import { installApp, packTarball, watchPage } from './lib.mjs';

/** The fenced code blocks after the README's quickstart marker, in order. */
function quickstartBlocks() {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- quickstart');
  assert.ok(start >= 0, 'README.md has the quickstart marker');
  const section = readme.slice(start, readme.indexOf('\n## ', start));
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, code]) => ({ lang, code }));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

let browser;
let backend;
let vite;

before(async () => {
  const [install, html, main, config] = quickstartBlocks();
  assert.equal(install.lang, 'sh');
  assert.match(install.code, /^npm install entra-connect\s*$/);
  assert.equal(html.lang, 'html');
  assert.equal(main.lang, 'js');
  assert.equal(config.lang, 'js');
  assert.match(config.code, /'http:\/\/127\.0\.0\.1:8080'/);

  const vitePort = await freePort();
  const viteOrigin = `http://127.0.0.1:${vitePort}`;
  backend = await startServer({ emulator: true, args: ['--allowed-origin', viteOrigin] });
  const app = await installApp('quickstart', await packTarball(), {
    'index.html': html.code,
    'src/main.js': main.code,
    'vite.config.js': config.code.replace("'http://127.0.0.1:8080'", JSON.stringify(backend.url)),
  });
  vite = await createServer({
    root: app,
    configFile: join(app, 'vite.config.js'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: vitePort, strictPort: true, hmr: false },
  });
  await vite.listen();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await vite?.close();
  await backend?.stop();
});

test("the README's quickstart connects the emulator's sample tenant from a Vite app", async () => {
  const page = await browser.newPage();
  const problems = watchPage(page);
  try {
    await page.goto(vite.resolvedUrls.local[0]);
    await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
    const modal = '[data-entra-connect]';
    await page.locator(`${modal} [role="dialog"]`).waitFor({ state: 'visible', timeout: 15000 });
    await page.fill(`${modal} input[name="tenantId"]`, 'contoso.onmicrosoft.com');
    await page.fill(`${modal} input[name="clientId"]`, '38a6702a-fb0c-4495-976f-5e260e080751');
    await page.fill(`${modal} input[name="clientSecret"]`, 'Emu8Q~ContosoSampleSecret-0123456789abcd');
    await page.click(`${modal} button[type="submit"]`);
    await page.waitForFunction(
      () => document.querySelector('#connect-result')?.textContent?.startsWith('Connected tenant '),
      null,
      { timeout: 15000 },
    );
    assert.equal(await page.textContent('#connect-result'), 'Connected tenant fc659cb7-0c66-4e32-9f96-c35c869581b6');
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
  }
});
