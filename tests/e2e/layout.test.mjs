// Long translations do not break the layout: in a pseudo-locale (every English text accented
// and 40% longer, written by `cargo xtask build` to target/test-locales/qps-ploc.json and
// passed as `messages`), no text of any state (empty, Advanced open, errors, submitting,
// success, failure, confirm) is clipped, overflows its element or the viewport, or overlaps
// other text, measured in Chromium in the modal (desktop) and the sheet (narrow) layouts.
// Screenshots land in tests/artifacts/layout-*.png.
//
// Needs `cargo xtask build` (pkg/ and the pseudo-locale) and `cargo build -p entra-connect-server`.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, repoRoot, startServer } from './harness.mjs';
import { layoutProblems } from './layout.mjs';
import { $, ALL_STATES, newPage, open, toState } from './modal_pages.mjs';

const pseudoPath = join(process.env.CARGO_TARGET_DIR || join(repoRoot, 'target'), 'test-locales', 'qps-ploc.json');
const pseudo = JSON.parse(readFileSync(pseudoPath, 'utf8'));

let server;
let browser;

before(async () => {
  // Fourteen runs, each with a session and a submission or two, from one address.
  server = await startServer({ emulator: true, args: ['--ip-rate-limit', '6000'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The state, and for `advanced` the empty form with its disclosure open. */
async function reach(page, state) {
  if (state !== 'advanced') return toState(page, state);
  // By keyboard, as an administrator tabbing through the form would.
  await page.locator($('details.advanced > summary')).focus();
  await page.keyboard.press('Enter');
  await page.locator($('select')).waitFor();
}

describe('the pseudo-locale fits in every state', () => {
  test('the pseudo-locale is every text, 40% longer and accented', () => {
    const title = pseudo.title;
    assert.match(title, /^\[.*\{appName\}.*\]$/);
    assert.match(title, /Éñţŕá|Éñtŕá/);
    assert.ok(Object.keys(pseudo).length > 90, 'every message key');
  });

  for (const viewport of ['desktop', 'mobile']) {
    for (const state of ['advanced', ...ALL_STATES]) {
      test(`${state} (${viewport === 'desktop' ? 'modal' : 'sheet'})`, async () => {
        const page = await newPage(browser, server, { viewport });
        try {
          await open(page, { theme: 'light', locale: 'en', messages: pseudo });
          await reach(page, state);
          // The pseudo texts are on screen, not English ones.
          const heading = await page.locator($('h2')).first().textContent();
          assert.match(heading, /^\[/);
          await page.screenshot({ path: join(artifactsDir, `layout-${state}-${viewport}.png`) });
          const problems = await page.evaluate(layoutProblems);
          assert.deepEqual(problems, []);
          assert.deepEqual(page.errors, []);
        } finally {
          await page.context().close();
        }
      });
    }
  }

  test('the check sees a clipped button and overlapping text (positive control)', async () => {
    const page = await newPage(browser, server, { viewport: 'mobile' });
    try {
      await open(page, { theme: 'light', locale: 'en', messages: pseudo });
      assert.deepEqual(await page.evaluate(layoutProblems), []);
      await page.evaluate(() => {
        const root = document.querySelector('[data-entra-connect]').shadowRoot;
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(
          '.actions button { max-width: 4rem; overflow: hidden; white-space: nowrap }' +
            ' .intro { margin-top: -2.5rem }',
        );
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      });
      const problems = await page.evaluate(layoutProblems);
      assert.ok(problems.some((p) => /clipped by button|button.* is narrower/.test(p)), problems.join('\n'));
      assert.ok(problems.some((p) => /overlaps/.test(p)), problems.join('\n'));
    } finally {
      await page.context().close();
    }
  });
});
