// Shared by the modal's end-to-end tests: opens the real modal on the demo page of the
// reference backend (with its Entra emulator) and drives it into each state of SPEC §4.
//
// Needs `cargo xtask build` (pkg/) and `cargo build -p entra-connect-server`.

export const SAMPLE = {
  tenantId: 'contoso.onmicrosoft.com',
  clientId: '38a6702a-fb0c-4495-976f-5e260e080751',
  clientSecret: 'Emu8Q~ContosoSampleSecret-0123456789abcd',
};

export const $ = (selector) => `[data-entra-connect] ${selector}`;

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
};

/**
 * A fresh page on the demo site with the SDK loaded, in the given colour scheme and
 * viewport; CSP bypassed only so that axe-core can be injected.
 */
export async function newPage(browser, server, { viewport = 'desktop', colorScheme = 'light', reducedMotion = 'reduce' } = {}) {
  const context = await browser.newContext({
    viewport: VIEWPORTS[viewport],
    colorScheme,
    reducedMotion,
    bypassCSP: true,
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.url + '/');
  await page.evaluate(async () => {
    const sdk = await import('/pkg/index.js');
    window.sdk = sdk;
    await sdk.preload();
  });
  page.errors = errors;
  return page;
}

/**
 * Calls connect() in the page; the outcome lands in `window.outcome`, events in
 * `window.events`.
 */
export async function open(page, options = {}) {
  await page.evaluate((options) => {
    window.events = [];
    window.outcome = null;
    window.controller = new AbortController();
    window.connection = window.sdk
      .connect({
        endpoint: '/api/entra/connections',
        sessionToken: async () => {
          const response = await fetch('/api/sessions', { method: 'POST' });
          return (await response.json()).token;
        },
        appName: 'Acme CRM',
        requiredPermissions: ['User.Read.All', 'Mail.Read', 'Sites.Read.All'],
        signal: window.controller.signal,
        onEvent: (event) => window.events.push(JSON.parse(JSON.stringify(event))),
        ...options,
      })
      .then(
        (value) => (window.outcome = { resolved: value }),
        (error) => (window.outcome = { rejected: { code: error.code, message: error.message, field: error.field, isError: error instanceof Error } }),
      );
  }, options);
  await page.locator($('[role="dialog"]')).waitFor();
}

async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    await page.locator($(`input[name="${name}"]`)).fill(value);
  }
}

/**
 * Drives the open modal into `state`: empty, errors, submitting, success, failure, or
 * confirm (the "discard your values?" pane).
 */
export async function toState(page, state) {
  switch (state) {
    case 'empty':
      return;
    case 'errors':
      await fill(page, { tenantId: 'common', clientSecret: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' });
      // The button is aria-disabled (it says why it cannot submit) but still clickable:
      // a click shows every problem. Playwright refuses aria-disabled targets unless forced.
      await page.locator($('button[type="submit"]')).click({ force: true });
      await page.locator($('#clientId-message')).filter({ hasText: /./ }).waitFor();
      return;
    case 'submitting':
      // The emulator's throttled tenant answers 429 with Retry-After: 2, so the modal
      // stays in its submitting state, saying "Retrying in 2 seconds…" in its language
      // (Arabic and Hebrew say two without a digit: "خلال ثانيتين", "בעוד שתי שניות").
      await fill(page, { ...SAMPLE, tenantId: 'throttled.onmicrosoft.com' });
      await page.locator($('button[type="submit"]')).click();
      const inTwoSeconds = await page.evaluate(() => {
        const lang = document.querySelector('[data-entra-connect]').getAttribute('lang');
        return new Intl.RelativeTimeFormat(lang).format(2, 'second');
      });
      await page.locator($('#submit-status')).filter({ hasText: inTwoSeconds }).waitFor();
      return;
    case 'success':
      await fill(page, SAMPLE);
      await page.locator($('button[type="submit"]')).click();
      await page.locator($('[data-view="success"]:not([hidden])')).waitFor();
      return;
    case 'failure':
      await fill(page, { ...SAMPLE, clientSecret: 'Emu8Q~WrongSecretValue-0123456789abcdefgh' });
      await page.locator($('button[type="submit"]')).click();
      await page
        .locator($('#clientSecret-message'))
        .filter({ hasText: /./ })
        .waitFor()
        .catch(async (error) => {
          // Say what the modal shows instead, so a failure explains itself.
          const shown = await page.evaluate(() => {
            const root = document.querySelector('[data-entra-connect]')?.shadowRoot;
            const text = (selector) => root?.querySelector(selector)?.textContent ?? '(none)';
            return `alert: ${text('[role="alert"]')} | status: ${text('#submit-status')} | outcome: ${JSON.stringify(window.outcome)} | events: ${JSON.stringify(window.events)}`;
          });
          throw new Error(`the secret's message did not appear; the modal shows ${shown}`, { cause: error });
        });
      return;
    case 'confirm':
      // Escape on an edited form asks before discarding (SPEC §4).
      await page.locator($('input[name="tenantId"]')).fill('contoso');
      await page.keyboard.press('Escape');
      await page.locator($('.confirm:not([hidden])')).waitFor();
      return;
    default:
      throw new Error('unknown state ' + state);
  }
}

export const STATES = ['empty', 'errors', 'submitting', 'success', 'failure'];

/** {@link STATES} and the confirmation pane. */
export const ALL_STATES = [...STATES, 'confirm'];
