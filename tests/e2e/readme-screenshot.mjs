// Takes the README's screenshot of the modal on the demo page (www/screenshots/modal.png):
// `node tests/e2e/readme-screenshot.mjs` after `cargo xtask build` and
// `cargo build -p entra-connect-server`. Not a test; kept so the picture can be redone.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';

const server = await startServer({ emulator: true });
const browser = await launchBrowser();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 860 }, deviceScaleFactor: 1 });
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' });
  await page.goto(server.url);
  await page.locator('#emulator').waitFor({ state: 'visible' });
  await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
  const modal = '[data-entra-connect]';
  await page.locator(`${modal} [role="dialog"]`).waitFor({ state: 'visible' });
  await page.fill(`${modal} input[name="tenantId"]`, 'contoso.onmicrosoft.com');
  await page.fill(`${modal} input[name="clientId"]`, '38a6702a-fb0c-4495-976f-5e260e080751');
  // A Secret ID pasted instead of the secret's Value: the mistake the modal explains at once.
  await page.fill(`${modal} input[name="clientSecret"]`, 'b2f6c1de-8a4e-4f0b-9d3c-5e7a1f2b3c4d');
  await page.locator(`${modal} input[name="tenantId"]`).focus();
  await page.waitForTimeout(400);
  const dir = join(repoRoot, 'www/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, 'modal.png') });
  console.log(`wrote ${join(dir, 'modal.png')}`);
} finally {
  await browser.close();
  await server.stop();
}
