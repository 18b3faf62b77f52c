// No injection (issue 8): every string of the hostile corpus (tests/e2e/hostile-corpus.mjs)
// goes through every string option (`appName`, every key of `messages`, `prefill.tenantId`,
// `prefill.clientId`, `prefill.scope`, `scope`, `requiredPermissions`), is typed into every
// field, and comes back from the server as `message`, `field`, `details` and `code` of a
// failure, and as every field of a success body. Then:
// - no script runs: the page's tripwire (`__pwned`, alert, confirm, prompt) is never called
//   and no dialog opens; the page runs WITHOUT its CSP here (bypassCSP), so a smuggled
//   handler would really run instead of being blocked;
// - no element or attribute appears other than the modal's own: every (tag, attribute) pair
//   in the page and in the shadow root, including ones added and removed in between
//   (MutationObserver), was seen when the same states were reached with benign values;
// - no link points anywhere but Microsoft's documentation, and the admin-consent button
//   opens nothing but the identity platform's adminconsent URL.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, repoRoot, startServer } from './harness.mjs';
import { hostileCorpus, label } from './hostile-corpus.mjs';

const CLIENT = '38a6702a-fb0c-4495-976f-5e260e080751';

/** Every key of the message catalog, read from its definition (src/messages/mod.rs). */
function messageKeys() {
  const source = readFileSync(join(repoRoot, 'src', 'messages', 'mod.rs'), 'utf8');
  const block = source.slice(source.indexOf('messages! {'));
  const keys = [...block.matchAll(/^\s+[A-Z]\w* = "([a-z_]+)",/gm)].map((match) => match[1]);
  return [...new Set(keys)];
}

let browser;
let server;
before(async () => {
  browser = await launchBrowser();
  server = await startServer({ emulator: true, args: ['--www', join(repoRoot, 'tests', 'csp-page')] });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** What the fake endpoint answers for the request whose tenant is `t{id}m{mode}.example.com`. */
function hostileAnswer(tenant, corpus) {
  const match = /^t(\d+)m(\d)\.example\.com$/.exec(tenant || '');
  const text = match ? corpus[Number(match[1])].text : 'benign message';
  const id = match ? Number(match[1]) : 0;
  const mode = match ? Number(match[2]) : 0;
  if (mode === 1) {
    return {
      status: 201,
      body: {
        connection_id: text,
        tenant_id: text,
        client_id: text,
        cloud: text,
        scope: text,
        granted_permissions: [text, 'User.Read.All', text.slice(0, 200)],
      },
    };
  }
  const field = ['tenantId', text, undefined, 'clientSecret'][id % 4];
  const code = ['invalid_secret', text, 'validation_failed', 'tenant_not_found'][id % 4];
  return {
    status: [422, 400, 422, 500][id % 4],
    body: {
      error: {
        code,
        message: text,
        ...(field === undefined ? {} : { field }),
        details: { rule: text, errors: [{ field: text, rule: text }], [text.slice(0, 100)]: text, html: text },
      },
    },
  };
}

async function newPage(corpus) {
  // bypassCSP: a payload that slipped through must be able to run, so the tripwire sees it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  await context.addInitScript(() => {
    window.__opened = [];
    window.open = (url) => {
      window.__opened.push(String(url));
      return null;
    };
  });
  const page = await context.newPage();
  const dialogs = [];
  const errors = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/hostile/connections', async (route) => {
    let tenant = '';
    try {
      tenant = JSON.parse(route.request().postData() || '{}').tenant_id;
    } catch {}
    const { status, body } = hostileAnswer(tenant, corpus);
    await route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  await page.goto(server.url + '/');
  await page.locator('html[data-ready="true"]').waitFor({ timeout: 15000 });
  return { page, dialogs, errors };
}

/**
 * The in-page driver: runs `entries` (strings) through every option, field and server answer,
 * collecting every (tag, attribute) seen, links, and anything suspicious.
 * With `baseline`, it runs benign values through the same states and returns what it saw.
 */
async function drive(page, { entries, keys, allowed, serveAll = false }) {
  return page.evaluate(
    async ({ entries, keys, allowed, client, serveAll }) => {
      const { connect } = await import('/pkg/index.js');
      const seen = {}; // tag -> { attribute: true }
      const problems = [];
      const links = new Set();
      const note = (element, where) => {
        const tag = element.localName;
        const attrs = (seen[tag] ||= {});
        for (const attribute of element.attributes) {
          attrs[attribute.name] = true;
          const name = attribute.name.toLowerCase();
          if (name.startsWith('on')) problems.push(`${where}: ${tag}[${name}] event-handler attribute`);
          const ours = element.getRootNode() instanceof ShadowRoot || element.closest('[data-entra-connect]');
          if (ours && ['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data', 'poster'].includes(name)) {
            links.add(`${tag}[${name}]=${attribute.value}`);
          }
        }
      };
      const walk = (root, where, visit) => {
        for (const element of root.querySelectorAll('*')) {
          visit(element, where);
          if (element.shadowRoot) walk(element.shadowRoot, where, visit);
        }
      };
      const host = () => document.querySelector('[data-entra-connect]');
      const shadow = () => host()?.shadowRoot;
      const scriptsBefore = document.scripts.length;
      const scan = (where) => {
        note(document.documentElement, where);
        walk(document, where, note);
        if (document.scripts.length !== scriptsBefore) problems.push(`${where}: a script element was added`);
      };
      // Elements and attributes that come and go between scans.
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          if (record.type === 'attributes' && record.target.nodeType === 1) note(record.target, 'mutation');
          for (const node of record.addedNodes) {
            if (node.nodeType !== 1) continue;
            note(node, 'mutation');
            walk(node, 'mutation', note);
            if (node.shadowRoot) {
              observer.observe(node.shadowRoot, { childList: true, subtree: true, attributes: true });
              walk(node.shadowRoot, 'mutation', note);
            }
          }
        }
      });
      observer.observe(document, { childList: true, subtree: true, attributes: true });

      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      const until = async (predicate, ms = 8000) => {
        const started = performance.now();
        while (!predicate()) {
          if (performance.now() - started > ms) return false;
          await sleep(5);
        }
        return true;
      };
      const control = (name) => shadow()?.querySelector(`[name="${name}"]`);
      const type = (name, value) => {
        const input = control(name);
        if (!input) return;
        input.focus();
        input.value = value;
        input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, data: value }));
        input.dispatchEvent(new Event('change', { bubbles: true }));
        input.blur();
      };
      const click = (selector) => shadow()?.querySelector(selector)?.click();
      const settled = async (promise) => {
        let outcome;
        promise.then(
          (value) => (outcome = { value }),
          (error) => (outcome = { error }),
        );
        await sleep(0);
        return () => outcome;
      };
      const closeModal = async () => {
        click('button[data-action="close"]') ?? click('button[data-action="done"]');
        await until(() => !host());
      };

      /** One connect() with `options`; drives the open modal through its states with `text`. */
      const session = async (where, options, text, id, withServer) => {
        const events = [];
        const finished = () => events.filter((event) => event.type === 'success' || event.type === 'error').length;
        const promise = connect({
          endpoint: '/hostile/connections',
          sessionToken: 'static-session-token',
          onEvent: (event) => events.push(event),
          timeoutMs: 8000,
          ...options,
        });
        const outcome = await settled(promise);
        await until(() => host() || outcome(), 4000);
        if (!host()) {
          await until(() => outcome());
          scan(`${where}/refused`);
          return outcome();
        }
        await until(() => shadow()?.querySelector('[role="dialog"]'));
        scan(`${where}/open`);
        // The string reached the modal, as text (a title, a hint, a value).
        if (text.trim() && shadow().textContent.includes(text.trim().slice(0, 50))) shownAsText += 1;
        // Opened as the administrator opens it, which draws its fields.
        click('details summary');
        click('button[data-action="toggle-secret"]');
        for (const name of ['tenantId', 'clientId', 'clientSecret', 'scope']) type(name, text);
        await sleep(0);
        scan(`${where}/typed`);
        click('button[type="submit"]');
        await sleep(0);
        scan(`${where}/blocked`);
        if (withServer) {
          serverLegs += 1;
          // Valid values, the hostile scope kept: the consent URL must stay Microsoft's.
          type('tenantId', `t${id}m0.example.com`);
          type('clientId', client);
          type('clientSecret', 'Inj8Q~HostileInputTestSecret-0123456789ab');
          click('button[data-action="consent"]');
          type('scope', '');
          click('button[type="submit"]');
          await until(() => finished() === 1 || outcome());
          await sleep(0);
          scan(`${where}/server-error`);
          // The server's success body, every field hostile.
          type('tenantId', `t${id}m1.example.com`);
          click('button[type="submit"]');
          await until(() => finished() === 2 || outcome());
          await sleep(0);
          scan(`${where}/success`);
        }
        await closeModal();
        await until(() => outcome());
        scan(`${where}/closed`);
        return outcome();
      };

      const outcomes = [];
      let serverLegs = 0;
      let shownAsText = 0;
      for (const { id, text } of entries) {
        const messages = Object.fromEntries(keys.map((key) => [key, text]));
        // The server's hostile answers are shown once per string: in the first run that opens
        // the modal. `messages` alone only runs when `appName` (100 characters at most) made
        // the first run refuse.
        let served = false;
        let firstRefused = false;
        const runs = [
          ['appName+messages', { appName: text, messages, requiredPermissions: ['User.Read.All'] }],
          ['prefill', { prefill: { tenantId: text, clientId: text, scope: text }, requiredPermissions: ['Mail.Read'] }],
          ['scope+requiredPermissions', { scope: text, requiredPermissions: [text] }],
          ['messages-only', { messages }],
        ];
        for (const [name, options] of runs) {
          if (name === 'messages-only' && !firstRefused) continue;
          const where = `#${id} ${name}`;
          const withServer = (serveAll || !served) && name !== 'scope+requiredPermissions';
          try {
            const began = performance.now();
            const result = await session(where, options, text, id, withServer);
            const error = result?.error;
            if (error?.code === 'invalid_options') {
              if (name === 'appName+messages') firstRefused = true;
            } else if (withServer) {
              served = true;
            }
            outcomes.push({
              id,
              name,
              code: error?.code ?? 'resolved',
              isError: error instanceof Error,
              ms: Math.round(performance.now() - began),
            });
          } catch (thrown) {
            problems.push(`${where}: the driver failed: ${thrown?.message ?? thrown}`);
            if (host()) await closeModal();
          }
          if (host()) problems.push(`${where}: the modal stayed open`);
        }
      }
      observer.disconnect();

      // Against the baseline: only (tag, attribute) pairs the modal makes for benign values.
      if (allowed) {
        for (const [tag, attrs] of Object.entries(seen)) {
          if (!allowed[tag]) {
            problems.push(`an element <${tag}> appeared`);
            continue;
          }
          for (const attribute of Object.keys(attrs)) {
            if (!allowed[tag][attribute]) problems.push(`an attribute ${tag}[${attribute}] appeared`);
          }
        }
      }
      return {
        seen,
        problems,
        links: [...links],
        opened: window.__opened.splice(0),
        pwned: window.__pwnedCalls.splice(0),
        outcomes,
        serverLegs,
        shownAsText,
      };
    },
    { entries, keys, allowed: allowed ?? null, client: CLIENT, serveAll },
  );
}

/** Links may only point at Microsoft's documentation. */
function assertLinks(links) {
  for (const link of links) {
    const [, tagAttribute, url] = /^([^=]+)=(.*)$/s.exec(link);
    assert.equal(tagAttribute, 'a[href]', `only <a href> links: ${link.slice(0, 120)}`);
    assert.ok(url.startsWith('https://learn.microsoft.com/'), `a link to ${url.slice(0, 120)}`);
  }
}

/** The admin-consent URLs opened: the identity platform's adminconsent endpoint only. */
function assertConsentUrls(opened, expectedCount) {
  assert.equal(opened.length, expectedCount, 'one admin-consent URL per consent click');
  for (const text of opened) {
    const url = new URL(text);
    assert.equal(url.origin, 'https://login.microsoftonline.com', text.slice(0, 120));
    assert.match(url.pathname, /^\/t\d+m0\.example\.com\/v2\.0\/adminconsent$/, text.slice(0, 120));
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'scope', 'state']);
    assert.equal(url.searchParams.get('client_id'), CLIENT);
    assert.equal(url.hash, '');
  }
}

test(
  `${hostileCorpus.length} hostile strings through every option, field and server answer: nothing runs, nothing foreign is created`,
  { timeout: 240000 },
  async () => {
    assert.ok(hostileCorpus.length >= 100, 'at least 100 hostile strings');
    const keys = messageKeys();
    assert.ok(keys.length > 50, `the message keys were read (${keys.length})`);
    const { page, dialogs, errors } = await newPage(hostileCorpus);
    try {
      // Baseline: the same states with benign values (the server answering in every run).
      const benign = [
        { id: 0, text: 'contoso' },
        { id: 1, text: 'Acme CRM' },
        { id: 2, text: '38a6702a-fb0c-4495-976f-5e260e080751' },
      ];
      const baseline = await drive(page, { entries: benign, keys, serveAll: true });
      assert.deepEqual(baseline.problems, [], 'the benign run is clean');
      assert.deepEqual(baseline.pwned, []);
      assert.ok(baseline.seen.form && baseline.seen.input && baseline.seen.a, 'the baseline saw the form');
      assertLinks(baseline.links);

      const started = Date.now();
      const result = await drive(page, { entries: hostileCorpus, keys, allowed: baseline.seen });
      const took = Date.now() - started;
      const timing = {};
      for (const o of result.outcomes) (timing[o.name] ||= []).push(o.ms);
      console.log(
        'ms per run:',
        Object.entries(timing)
          .map(([name, list]) => `${name} avg ${Math.round(list.reduce((a, b) => a + b, 0) / list.length)} max ${Math.max(...list)}`)
          .join('; '),
      );
      assert.deepEqual(result.pwned, [], 'the tripwire was never called');
      assert.deepEqual(dialogs, [], 'no alert/confirm/prompt dialog opened');
      assert.deepEqual(errors, [], 'no uncaught error in the page');
      assert.deepEqual(result.problems, [], 'no foreign element or attribute, no event handler');
      assertLinks(result.links);
      assert.ok(result.serverLegs >= hostileCorpus.length, 'every string came back from the server');
      assert.ok(result.shownAsText >= 100, `the strings were shown as text (${result.shownAsText})`);
      assertConsentUrls(result.opened, result.serverLegs);
      // Every call settled with the SDK's own ConnectError or a connection.
      assert.ok(result.outcomes.length >= hostileCorpus.length * 3);
      for (const outcome of result.outcomes) {
        assert.ok(
          outcome.code === 'resolved' || outcome.isError,
          `${label(hostileCorpus[outcome.id])} ${outcome.name}: rejected with a ConnectError (${outcome.code})`,
        );
      }
      const byCode = {};
      for (const outcome of result.outcomes) byCode[`${outcome.name}: ${outcome.code}`] = (byCode[`${outcome.name}: ${outcome.code}`] ?? 0) + 1;
      console.log(
        `injection: ${hostileCorpus.length} strings, ${result.outcomes.length} connect() calls, ` +
          `${result.serverLegs} sessions with hostile server answers (failure and success), ` +
          `${result.shownAsText} sessions showing the string as text, in ${took} ms; ` +
          `${Object.keys(result.seen).length} element types seen; outcomes ${JSON.stringify(byCode)}`,
      );
    } finally {
      await page.context().close();
    }
  },
);

test('the tripwire and the element check catch an injection (the test can fail)', { timeout: 60000 }, async () => {
  const { page } = await newPage(hostileCorpus);
  try {
    const caught = await page.evaluate(() => {
      const div = document.createElement('div');
      div.innerHTML = '<img src=x onerror="__pwned(\'control\')">';
      document.body.append(div);
      return new Promise((resolve) => setTimeout(() => resolve(window.__pwnedCalls.splice(0)), 300));
    });
    assert.deepEqual(caught, ['control'], 'a handler that gets into the page runs and trips the wire');
  } finally {
    await page.context().close();
  }
});
