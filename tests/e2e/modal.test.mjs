// The real modal in real Chromium, on the demo page of the reference backend with its
// Entra emulator: the keyboard-only flow from the opener to a stored connection, Escape
// with and without edits, 200 open/close cycles with the page's DOM node and event
// listener counts (Chrome DevTools Protocol) back where they started, and screenshots of
// every state (light/dark, desktop 1280x800 / mobile 390x844, Arabic) in tests/artifacts/.
//
// Needs `cargo xtask build` (pkg/) and `cargo build -p entra-connect-server`.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, startServer } from './harness.mjs';
import { $, SAMPLE, STATES, newPage, open, toState } from './modal_pages.mjs';

let server;
let browser;

before(async () => {
  server = await startServer({ emulator: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The name, data-action or type of the element focused inside the modal. */
async function focused(page) {
  return page.evaluate(() => {
    const active = document.querySelector('[data-entra-connect]')?.shadowRoot?.activeElement;
    if (!active) return document.activeElement?.id || document.activeElement?.tagName;
    return active.name || active.dataset.action || active.type || active.tagName;
  });
}

/** Adds a button to the page that opens the modal when pressed, and focuses it. */
async function addOpener(page, options = {}) {
  await page.evaluate((options) => {
    const button = document.createElement('button');
    button.id = 'opener';
    button.textContent = 'Open entra-connect';
    document.body.prepend(button);
    button.addEventListener('click', () => {
      window.outcome = null;
      window.events = [];
      window.sdk
        .connect({
          endpoint: '/api/entra/connections',
          sessionToken: async () => (await (await fetch('/api/sessions', { method: 'POST' })).json()).token,
          appName: 'Acme CRM',
          onEvent: (event) => window.events.push(event),
          ...options,
        })
        .then(
          (value) => (window.outcome = { resolved: value }),
          (error) => (window.outcome = { rejected: error.code, isError: error instanceof Error }),
        );
    });
    button.focus();
  }, options);
}

describe('keyboard only', () => {
  test('from the opener to a stored connection and back, without a mouse', async () => {
    const page = await newPage(browser, server);
    await addOpener(page, { requiredPermissions: ['User.Read.All', 'Sites.Read.All'] });
    await page.keyboard.press('Enter');
    await page.locator($('[role="dialog"]')).waitFor();
    assert.equal(await focused(page), 'tenantId', 'focus starts on the first empty field');
    await page.keyboard.type(SAMPLE.tenantId);
    await page.keyboard.press('Tab'); // documentation link
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'clientId');
    await page.keyboard.type(SAMPLE.clientId);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'clientSecret');
    await page.keyboard.type(SAMPLE.clientSecret);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'toggle-secret');
    await page.keyboard.press('Space');
    assert.equal(await page.locator($('input[name="clientSecret"]')).getAttribute('type'), 'text');
    await page.keyboard.press('Space');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter'); // implicit submission from the secret field
    await page.locator($('[data-view="success"]:not([hidden])')).waitFor();
    await page.waitForFunction(() => window.outcome !== null);
    const outcome = await page.evaluate(() => window.outcome);
    assert.deepEqual(outcome.resolved.grantedPermissions, ['User.Read.All', 'Mail.Read', 'Calendars.ReadWrite']);
    assert.deepEqual(outcome.resolved.missingPermissions, ['Sites.Read.All']);
    assert.equal(await focused(page), 'done');
    await page.keyboard.press('Enter');
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'opener', 'focus returns to the opener');
    const types = await page.evaluate(() => window.events.map((event) => event.type));
    assert.deepEqual(types, ['open', 'submit', 'success', 'close']);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('Tab and Shift+Tab cycle inside the dialog', async () => {
    const page = await newPage(browser, server);
    await addOpener(page);
    await page.keyboard.press('Enter');
    await page.locator($('[role="dialog"]')).waitFor();
    const seen = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      seen.push(await focused(page));
    }
    assert.ok(!seen.includes('opener') && !seen.includes('BODY'), seen.join(', '));
    assert.ok(seen.includes('close') && seen.includes('submit'), seen.join(', '));
    await page.keyboard.press('Escape');
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached' });
    assert.equal((await page.evaluate(() => window.outcome)).rejected, 'cancelled');
    await page.context().close();
  });

  test('Escape asks before discarding edits; Escape again keeps editing', async () => {
    const page = await newPage(browser, server);
    await addOpener(page);
    await page.keyboard.press('Enter');
    await page.locator($('[role="dialog"]')).waitFor();
    await page.keyboard.type('contoso');
    await page.keyboard.press('Escape');
    await page.locator($('.confirm:not([hidden])')).waitFor();
    assert.equal(await focused(page), 'keep');
    await page.keyboard.press('Escape');
    await page.locator($('.confirm')).waitFor({ state: 'hidden' });
    assert.equal(await page.locator($('input[name="tenantId"]')).inputValue(), 'contoso');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Shift+Tab'); // to "Discard and close"
    assert.equal(await focused(page), 'discard');
    await page.keyboard.press('Enter');
    await page.locator('[data-entra-connect]').waitFor({ state: 'detached' });
    await page.waitForFunction(() => window.outcome !== null);
    assert.deepEqual(await page.evaluate(() => window.outcome), { rejected: 'cancelled', isError: true });
    await page.context().close();
  });
});

describe('lifecycle', () => {
  test('200 open/close cycles leave the DOM node and event listener counts where they were', async () => {
    const page = await newPage(browser, server);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name) => metrics.find((m) => m.name === name).value;
      return { nodes: get('Nodes'), listeners: get('JSEventListeners'), heap: get('JSHeapUsedSize') };
    };
    const cycle = async (path) => {
      await page.evaluate(async (path) => {
        const controller = new AbortController();
        const done = window.sdk
          .connect({ endpoint: '/api/entra/connections', sessionToken: 't', signal: controller.signal, requiredPermissions: ['User.Read.All'] })
          .catch((error) => error.code);
        // The package entry awaits the (loaded) module first, so the modal appears a
        // microtask later.
        while (!document.querySelector('[data-entra-connect]')) await Promise.resolve();
        const root = document.querySelector('[data-entra-connect]').shadowRoot;
        if (path === 'close') root.querySelector('[data-action="close"]').click();
        if (path === 'escape') root.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
        if (path === 'backdrop') {
          const backdrop = root.querySelector('.backdrop');
          backdrop.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
          backdrop.click();
        }
        if (path === 'signal') controller.abort();
        const code = await done;
        if (code !== 'cancelled' && code !== 'aborted') throw new Error(path + ': ' + code);
      }, path);
    };
    const paths = ['close', 'escape', 'backdrop', 'signal'];
    for (let i = 0; i < 20; i++) await cycle(paths[i % 4]);
    const start = await metrics();
    for (let i = 0; i < 200; i++) await cycle(paths[i % 4]);
    const end = await metrics();
    console.log(
      `200 cycles: nodes ${start.nodes} -> ${end.nodes}, listeners ${start.listeners} -> ${end.listeners}, JS heap ${Math.round(start.heap / 1024)} KB -> ${Math.round(end.heap / 1024)} KB`,
    );
    assert.ok(end.nodes <= start.nodes, `nodes ${start.nodes} -> ${end.nodes}`);
    assert.ok(end.listeners <= start.listeners, `listeners ${start.listeners} -> ${end.listeners}`);
    assert.equal(await page.locator('[data-entra-connect]').count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('locale negotiation', () => {
  // The package entry chooses the catalog once: the `locale` option, else
  // navigator.languages in order, by primary language; the modal's `lang` names the result.
  const TABLE = [
    [['de-AT'], 'de'],
    [['JA_jp'], 'ja'],
    [['ar-EG'], 'ar'],
    [['pt'], 'pt-BR'],
    [['pt-BR'], 'pt-BR'],
    [['pt-PT'], 'pt-BR'],
    [['zh'], 'zh-Hans'],
    [['zh-CN'], 'zh-Hans'],
    [['zh-SG'], 'zh-Hans'],
    [['zh-Hans'], 'zh-Hans'],
    [['zh-Hans-HK'], 'zh-Hans'],
    [['zh-TW'], 'zh-Hant'],
    [['zh-HK'], 'zh-Hant'],
    [['zh-MO'], 'zh-Hant'],
    [['zh-Hant'], 'zh-Hant'],
    [['zh-Hant-TW'], 'zh-Hant'],
    [['zh_hant_cn'], 'zh-Hant'],
    [['he-IL'], 'he'],
    [['iw'], 'he'],
    [['iw-IL'], 'he'],
    [['it-CH'], 'it'],
    [['nl-BE'], 'nl'],
    [['pl-PL'], 'pl'],
    [['sv-FI'], 'sv'],
    [['tr-TR'], 'tr'],
    [['ko-KR'], 'ko'],
    [['en-GB', 'de'], 'en'],
    [['nb'], 'en'],
    [['no'], 'en'],
    [['nb-NO', 'sv'], 'sv'],
    [['nn-NO', 'de'], 'de'],
    [['fi', 'pt-BR', 'fr-CA'], 'pt-BR'],
    [['hu-HU'], 'en'],
    [['pter'], 'en'],
    [['zhx'], 'en'],
    [[''], 'en'],
    [[], 'en'],
  ];

  /** Opens a modal with `options`, returns its `lang` and `dir`, and cancels it. */
  async function langOf(page, options) {
    await open(page, options);
    const host = page.locator('[data-entra-connect]');
    const found = { lang: await host.getAttribute('lang'), dir: await host.getAttribute('dir') };
    await page.locator($('[data-action="cancel"]')).click();
    await page.waitForFunction(() => window.outcome !== null);
    return found;
  }

  test('the locale option and navigator.languages follow the same table', async () => {
    const page = await newPage(browser, server);
    try {
      for (const [tags, lang] of TABLE) {
        await page.evaluate((tags) => {
          Object.defineProperty(navigator, 'languages', { configurable: true, get: () => tags });
        }, tags);
        const fromBrowser = await langOf(page, {});
        assert.equal(fromBrowser.lang, lang, `navigator.languages ${JSON.stringify(tags)}`);
        assert.equal(fromBrowser.dir, lang === 'ar' || lang === 'he' ? 'rtl' : 'ltr');
        if (tags.length === 1) {
          // The option wins over the browser, which now asks for German.
          await page.evaluate(() => {
            Object.defineProperty(navigator, 'languages', { configurable: true, get: () => ['de-DE'] });
          });
          const fromOption = await langOf(page, { locale: tags[0] });
          assert.equal(fromOption.lang, lang, `locale ${JSON.stringify(tags[0])}`);
        }
      }
      assert.deepEqual(page.errors, []);
    } finally {
      await page.context().close();
    }
  });
});

describe('screenshots', () => {
  // A server of its own with a higher per-IP limit: the 25 states open the demo page and a
  // session each and submit, about 100 API calls in 20 seconds from one address, beyond
  // the default limit (60 at once, 2 a second) that no real administrator approaches.
  let shotServer;
  before(async () => {
    shotServer = await startServer({ emulator: true, args: ['--ip-rate-limit', '6000'] });
  });
  after(async () => {
    await shotServer?.stop();
  });
  const shots = [];
  for (const viewport of ['desktop', 'mobile']) {
    for (const theme of ['light', 'dark']) {
      for (const state of STATES) shots.push({ viewport, theme, state, locale: 'en' });
    }
    for (const state of STATES) shots.push({ viewport, theme: viewport === 'desktop' ? 'light' : 'dark', state, locale: 'ar' });
  }
  for (const shot of shots) {
    const name = `modal-${shot.state}-${shot.theme}-${shot.viewport}${shot.locale === 'en' ? '' : '-' + shot.locale}.png`;
    test(name, async () => {
      const page = await newPage(browser, shotServer, { viewport: shot.viewport });
      try {
        await open(page, { theme: shot.theme, locale: shot.locale });
        await toState(page, shot.state);
        await page.screenshot({ path: join(artifactsDir, name) });
        assert.deepEqual(page.errors, []);
      } finally {
        await page.context().close();
      }
    });
  }
});
