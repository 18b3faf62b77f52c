// A plain static page with no bundler: `<script type="module">` imports the installed
// package's entry by its path, served with a strict CSP, and opens the modal.

import { after, before, test } from 'node:test';
import { launchBrowser, serveStatic } from '../e2e/harness.mjs';
import { installApp, opensTheModal, packTarball, strictCsp } from './lib.mjs';

let browser;
let app;

before(async () => {
  app = await installApp('static', await packTarball());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('a static page with <script type="module"> and no bundler opens the modal under a strict CSP', async () => {
  const server = await serveStatic(app, { headers: { 'content-security-policy': strictCsp } });
  try {
    await opensTheModal(browser, server.url, 'static');
  } finally {
    await server.stop();
  }
});
