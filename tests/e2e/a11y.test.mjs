// axe-core (WCAG 2.0/2.1/2.2 A and AA rules, colour contrast included) on the real modal in
// every state of SPEC §4 (empty, field errors, submitting, success, failure), in the light
// and dark themes, in English and in Arabic (right to left), and with `theme: 'auto'`
// following a dark `prefers-color-scheme`. Zero violations allowed.
//
// The same in Hebrew (right to left), Korean, Traditional Chinese and Polish, light and dark,
// plus the confirmation pane: there each state also speaks the locale (`lang`, `dir`, Learn
// links in that language), no text is clipped or overlaps (layout.mjs), and a screenshot
// lands in tests/artifacts/locale-<tag>-<theme>-<state>.png.
//
// Needs `cargo xtask build` (pkg/) and `cargo build -p entra-connect-server`.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, startServer } from './harness.mjs';
import { layoutProblems } from './layout.mjs';
import { $, ALL_STATES, STATES, newPage, open, toState } from './modal_pages.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

let server;
let browser;
const summary = [];

before(async () => {
  // 25 runs through every state, about 100 API calls from one address in a few seconds:
  // above the default per-IP limit (60 at once, 2 a second), which only tests approach.
  server = await startServer({ emulator: true, args: ['--ip-rate-limit', '6000'] });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  writeFileSync(join(artifactsDir, 'a11y-summary.json'), JSON.stringify(summary, null, 2));
});

async function audit(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(
      { include: [['[data-entra-connect]']] },
      { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
    );
    return {
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
      })),
      passes: result.passes.length,
    };
  }, TAGS);
}

const variants = [
  { name: 'light', theme: 'light', locale: 'en', colorScheme: 'light' },
  { name: 'dark', theme: 'dark', locale: 'en', colorScheme: 'light' },
  { name: 'auto-dark', theme: 'auto', locale: 'en', colorScheme: 'dark' },
  { name: 'ar-light', theme: 'light', locale: 'ar', colorScheme: 'light' },
  { name: 'ar-dark', theme: 'dark', locale: 'ar', colorScheme: 'light' },
];
// The four the issue names: right to left, Hangul, Han (traditional), Latin with long words.
const LOCALES = [
  { locale: 'he', lang: 'he', dir: 'rtl', learn: 'he-il' },
  { locale: 'ko-KR', lang: 'ko', dir: 'ltr', learn: 'ko-kr' },
  { locale: 'zh-TW', lang: 'zh-Hant', dir: 'ltr', learn: 'zh-tw' },
  { locale: 'pl', lang: 'pl', dir: 'ltr', learn: 'pl-pl' },
];
for (const spoken of LOCALES) {
  for (const theme of ['light', 'dark']) {
    variants.push({ name: `${spoken.lang}-${theme}`, theme, colorScheme: 'light', states: ALL_STATES, ...spoken });
  }
}

/** The modal's `lang`, `dir` and the Learn locale segments of its documentation links. */
async function spokenLocale(page) {
  return page.evaluate(() => {
    const host = document.querySelector('[data-entra-connect]');
    const dialog = host.shadowRoot.querySelector('[role="dialog"]');
    const links = [...host.shadowRoot.querySelectorAll('a.doc')].map((a) => new URL(a.href).pathname.split('/')[1]);
    return { lang: host.getAttribute('lang'), dir: getComputedStyle(dialog).direction, learn: [...new Set(links)] };
  });
}

describe('axe-core finds no WCAG 2.2 AA violation', () => {
  for (const variant of variants) {
    for (const state of variant.states ?? STATES) {
      test(`${state} (${variant.name})`, async () => {
        const page = await newPage(browser, server, { colorScheme: variant.colorScheme });
        try {
          await open(page, { theme: variant.theme, locale: variant.locale });
          await toState(page, state);
          const { violations, passes } = await audit(page);
          summary.push({ state, variant: variant.name, violations: violations.length, passes });
          assert.deepEqual(violations, [], JSON.stringify(violations, null, 2));
          assert.deepEqual(page.errors, []);
          if (variant.learn) {
            await page.screenshot({ path: join(artifactsDir, `locale-${variant.lang}-${variant.theme}-${state}.png`) });
            const spoken = await spokenLocale(page);
            assert.equal(spoken.lang, variant.lang);
            assert.equal(spoken.dir, variant.dir);
            if (state !== 'success' && state !== 'confirm') assert.deepEqual(spoken.learn, [variant.learn]);
            assert.deepEqual(await page.evaluate(layoutProblems), []);
          }
        } finally {
          await page.context().close();
        }
      });
    }
  }
});
