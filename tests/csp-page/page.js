// The host side of the strict-CSP and injection tests: a page that imports the package as an
// app would, opens connect() on a click (or when a test calls `window.openConnect`), and
// records everything the SDK hands back (the outcome, every onEvent payload) for the tests to
// inspect. It also sets the injection tripwire: any script smuggled in through an option, a
// field or a server message calls `window.__pwned(id)` (or alert/confirm/prompt).

import { connect, preload } from '/pkg/index.js';

window.__pwnedCalls = [];
window.__pwned = (id) => {
  window.__pwnedCalls.push(String(id));
};
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = (...args) => {
    window.__pwnedCalls.push(`${name}(${args.map(String).join(',')})`);
  };
}

/** What the SDK handed back, newest last. */
window.events = [];
window.outcomes = [];
window.controller = null;

async function sessionToken() {
  const response = await fetch('/api/sessions', { method: 'POST' });
  if (!response.ok) throw new Error('POST /api/sessions answered ' + response.status);
  return (await response.json()).token;
}

/**
 * Opens the modal with the page's defaults plus `extra` (plain JSON options).
 * Resolves once the Promise of connect() settled; the outcome is also kept in `outcomes`.
 */
window.openConnect = (extra = {}) => {
  window.controller = new AbortController();
  const options = {
    endpoint: '/api/entra/connections',
    sessionToken,
    appName: 'Acme CRM',
    signal: window.controller.signal,
    onEvent: (event) => window.events.push(event),
    ...extra,
  };
  const record = { state: 'pending' };
  window.outcomes.push(record);
  record.promise = connect(options).then(
    (connection) => {
      record.state = 'resolved';
      record.value = connection;
      document.getElementById('result').textContent = 'connected ' + connection.connectionId;
      return record;
    },
    (error) => {
      record.state = 'rejected';
      record.error = error;
      document.getElementById('result').textContent = 'error ' + error.code;
      return record;
    },
  );
  return record.promise.then(() => undefined);
};

const button = document.getElementById('open');
button.addEventListener('click', () => {
  window.openConnect(window.connectOptions || {});
});
preload().then(
  () => {
    button.disabled = false;
    document.documentElement.dataset.ready = 'true';
  },
  (error) => {
    document.getElementById('result').textContent = 'preload failed: ' + error.message;
  },
);
