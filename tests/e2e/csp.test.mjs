// Strict Content-Security-Policy (issue 8): the demo page and a dedicated test page, both
// served by the reference backend with
//   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self';
//   img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none';
//   require-trusted-types-for 'script'
// run the whole flow (open, validation errors, a server-side rejection on its field, the
// secret toggle, the Advanced disclosure, dark theme, custom appearance, right-to-left
// Arabic, success, cancel) and the page records zero `securitypolicyviolation` events and
// no CSP or Trusted Types message in the console.
//
// The violation listener is installed before any page script (an init script), so even a
// violation during the first paint is seen. The endpoint is same-origin (connect-src 'self').

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';

export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
  "require-trusted-types-for 'script'";

const SAMPLE = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '38a6702a-fb0c-4495-976f-5e260e080751',
  clientSecret: 'Emu8Q~ContosoSampleSecret-0123456789abcd',
};
const WRONG_SECRET = 'Emu8Q~NotTheSampleSecretValue-0123456789';
const $ = (selector) => `[data-entra-connect] ${selector}`;

/** `directive -> sorted sources`, so two policies compare regardless of order. */
function directives(policy) {
  return Object.fromEntries(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name.toLowerCase(), sources.sort().join(' ')]),
  );
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/**
 * A page that records every CSP violation from the first byte on, and every console line.
 * @returns {Promise<{ page: import('playwright-core').Page, console: string[], errors: string[] }>}
 */
async function recordingPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener(
      'securitypolicyviolation',
      (event) =>
        window.__violations.push({
          directive: event.violatedDirective,
          blocked: event.blockedURI,
          sample: event.sample,
          source: `${event.sourceFile}:${event.lineNumber}`,
        }),
      true,
    );
  });
  const page = await context.newPage();
  const consoleLines = [];
  const errors = [];
  page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, console: consoleLines, errors };
}

async function assertNoViolation({ page, console: lines, errors }, where) {
  // Violation events are queued tasks: let them land before reading.
  await page.waitForTimeout(100);
  const violations = await page.evaluate(() => window.__violations);
  assert.deepEqual(violations, [], `${where}: securitypolicyviolation events`);
  const cspLines = lines.filter((line) =>
    /Content Security Policy|Content-Security-Policy|TrustedHTML|TrustedScript|Trusted Type/i.test(line),
  );
  assert.deepEqual(cspLines, [], `${where}: CSP messages in the console`);
  assert.deepEqual(errors, [], `${where}: page errors`);
}

function assertStrictPolicy(response) {
  const header = response.headers()['content-security-policy'];
  assert.ok(header, 'the page is served with a Content-Security-Policy');
  assert.deepEqual(directives(header), directives(STRICT_CSP), 'exactly the strict policy');
  assert.equal(response.headers()['content-security-policy-report-only'], undefined);
}

async function waitForDialog(page) {
  await page.locator($('[role="dialog"]')).waitFor({ state: 'visible', timeout: 15000 });
}

async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.fill($(`input[name="${name}"]`), value);
  }
}

test('the demo page runs the whole flow under the strict CSP with zero violations', { timeout: 60000 }, async () => {
  const server = await startServer({ emulator: true });
  const recorder = await recordingPage();
  const { page } = recorder;
  try {
    const response = await page.goto(server.url + '/');
    assertStrictPolicy(response);
    await page.getByRole('button', { name: 'Connect Microsoft Entra ID' }).click();
    await waitForDialog(page);
    await fill(page, { tenantId: 'common', clientId: 'nope' });
    // The blocked submit button is aria-disabled (it says why instead of doing nothing).
    await page.click($('button[type="submit"]'), { force: true });
    await page.locator($('#tenantId-message')).filter({ hasText: /\S/ }).waitFor({ timeout: 10000 });
    await fill(page, SAMPLE);
    await page.click($('button[type="submit"]'));
    await page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 15000 });
    await page.locator('#status[data-kind="success"]').waitFor({ timeout: 15000 });
    await page.click($('button[data-action="done"]'));
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached', timeout: 10000 });
    await assertNoViolation(recorder, 'demo page');
  } finally {
    await page.context().close();
    await server.stop();
  }
});

test('a dedicated test page: every state of the modal under the strict CSP, zero violations', { timeout: 60000 }, async () => {
  const server = await startServer({
    emulator: true,
    args: ['--www', join(repoRoot, 'tests', 'csp-page')],
  });
  const recorder = await recordingPage();
  const { page } = recorder;
  try {
    const response = await page.goto(server.url + '/');
    assertStrictPolicy(response);
    await page.locator('html[data-ready="true"]').waitFor({ timeout: 15000 });

    // Dark theme, custom appearance, required permissions with the consent button.
    await page.evaluate(() => {
      window.__opened = [];
      window.open = (url) => {
        window.__opened.push(String(url));
        return null;
      };
      window.connectOptions = {
        theme: 'dark',
        appearance: { accent: '#8a2be2', radius: '14px', fontFamily: 'Georgia, serif' },
        requiredPermissions: ['User.Read.All', 'Mail.Read'],
      };
    });
    await page.click('#open');
    await waitForDialog(page);
    // Errors shown on blur and on submit.
    await fill(page, { tenantId: '9188040d-6c67-4c5b-b112-36a304b66dad', clientId: SAMPLE.tenantId });
    await page.click($('button[type="submit"]'), { force: true });
    await page.locator($('#clientId-message')).filter({ hasText: /\S/ }).waitFor({ timeout: 10000 });
    // The secret toggle and the Advanced disclosure (cloud and scope).
    await fill(page, { tenantId: SAMPLE.tenantId, clientId: SAMPLE.clientId, clientSecret: WRONG_SECRET });
    await page.click($('button[data-action="toggle-secret"]'));
    assert.equal(await page.locator($('input[name="clientSecret"]')).getAttribute('type'), 'text');
    await page.click($('button[data-action="toggle-secret"]'));
    await page.click($('details summary'));
    await page.selectOption($('select[name="cloud"]'), 'global');
    await page.fill($('input[name="scope"]'), 'User.Read');
    await page.locator($('#scope-message')).filter({ hasText: /\S/ }).waitFor({ timeout: 10000 });
    await page.fill($('input[name="scope"]'), 'https://graph.microsoft.com/.default');
    await page.click($('button[data-action="consent"]'));
    const opened = await page.evaluate(() => window.__opened);
    assert.equal(opened.length, 1, 'the admin-consent button opened one URL');
    assert.ok(opened[0].startsWith('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?'));
    // A server-side rejection lands on its field (AADSTS7000215 from the emulator).
    await page.click($('button[type="submit"]'));
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-entra-connect]')
          ?.shadowRoot?.querySelector('[name="clientSecret"]')
          ?.getAttribute('aria-invalid') === 'true',
      null,
      { timeout: 15000 },
    );
    // Corrected: success view, then dismissed.
    await page.fill($('input[name="clientSecret"]'), SAMPLE.clientSecret);
    await page.click($('button[type="submit"]'));
    await page.locator($('[data-view="success"]')).waitFor({ state: 'visible', timeout: 15000 });
    await page.click($('button[data-action="done"]'));
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached', timeout: 10000 });
    const first = await page.evaluate(() => window.outcomes[0].state);
    assert.equal(first, 'resolved');

    // Right-to-left Arabic, inline in a container, light theme; then cancelled.
    await page.evaluate(() => {
      const container = document.createElement('section');
      container.id = 'inline';
      document.body.append(container);
      window.openConnect({ locale: 'ar', theme: 'light', container });
    });
    await waitForDialog(page);
    await page.fill($('input[name="tenantId"]'), 'contoso');
    await page.click($('button[data-action="close"]'));
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached', timeout: 10000 });
    await page.waitForFunction(() => window.outcomes[1].state === 'rejected');
    assert.equal(await page.evaluate(() => window.outcomes[1].error.code), 'cancelled');

    // Aborted through the signal while a submission waits to retry (the emulator's throttled
    // tenant answers 429 with Retry-After: 2).
    await page.evaluate(() => {
      window.openConnect({});
    });
    await waitForDialog(page);
    await fill(page, { ...SAMPLE, tenantId: 'throttled.onmicrosoft.com' });
    await page.click($('button[type="submit"]'));
    await page.waitForFunction(() => window.events.some((event) => event.type === 'retry'), null, {
      timeout: 15000,
    });
    await page.evaluate(() => window.controller.abort());
    await page.waitForFunction(() => window.outcomes[2].state === 'rejected', null, { timeout: 10000 });
    assert.equal(await page.evaluate(() => window.outcomes[2].error.code), 'aborted');

    await assertNoViolation(recorder, 'test page');
  } finally {
    await page.context().close();
    await server.stop();
  }
});

test('the recorder sees a violation when there is one (the test can fail)', { timeout: 60000 }, async () => {
  const server = await startServer({
    emulator: true,
    args: ['--www', join(repoRoot, 'tests', 'csp-page')],
  });
  const recorder = await recordingPage();
  const { page } = recorder;
  try {
    await page.goto(server.url + '/');
    await page.evaluate(() => {
      const div = document.createElement('div');
      div.setAttribute('style', 'color: red');
      document.body.append(div);
    });
    await page.waitForTimeout(100);
    const violations = await page.evaluate(() => window.__violations);
    assert.ok(
      violations.some((violation) => violation.directive.startsWith('style-src')),
      'an inline style attribute is reported',
    );
    await assert.rejects(
      page.evaluate(() => {
        document.body.innerHTML = '<b>x</b>';
      }),
      /TrustedHTML/,
      'Trusted Types are enforced',
    );
  } finally {
    await page.context().close();
    await server.stop();
  }
});
