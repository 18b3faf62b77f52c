// The in-page half of `cargo xtask bench`: opens the SDK's modal and the vanilla baseline
// and reports timings, and runs the open/close and validate() loops. The package is
// imported the way an app imports it; the wasm is instantiated by the first connect().

import { connect, validate, preload } from '/pkg/index.js';
import init from '/pkg/entra_connect.js';
import { openVanilla } from './vanilla.js';

const options = () => ({
  endpoint: '/api/entra/connections',
  sessionToken: 'benchmark-session-token',
  appName: 'Bench CRM',
  locale: 'en',
});

// Resolves once the next frame has been rendered: a message posted from a frame callback
// is handled after that frame's style, layout and paint, so the time includes drawing the
// dialog, not just reaching the frame.
const afterPaint = () =>
  new Promise((resolve) =>
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    }),
  );

// Resolves when focus lands inside the element matching `selector` (focus inside a shadow
// root is retargeted to its host for listeners on document).
function focusIn(selector) {
  return new Promise((resolve) => {
    const onFocus = (event) => {
      if (event.target instanceof Element && event.target.matches(selector)) {
        document.removeEventListener('focusin', onFocus, true);
        resolve(performance.now());
      }
    };
    document.addEventListener('focusin', onFocus, true);
  });
}

const sdkHost = () => document.querySelector('[data-entra-connect]');

/** Opens the SDK's modal; returns ms to first field focused and to the dialog painted. */
window.openSdk = async () => {
  document.getElementById('opener').focus();
  const controller = new AbortController();
  const focused = focusIn('[data-entra-connect]');
  const start = performance.now();
  const settled = connect({ ...options(), signal: controller.signal }).catch((error) => error);
  const focusAt = await focused;
  await afterPaint();
  const frameAt = performance.now();
  if (!sdkHost()?.shadowRoot?.querySelector('[role="dialog"]')) throw new Error('no dialog drawn');
  controller.abort();
  const error = await settled;
  if (error?.code !== 'aborted') throw new Error('expected the aborted rejection, got ' + String(error?.code));
  return { focus: focusAt - start, frame: frameAt - start };
};

/** Same measurement for the vanilla baseline. */
window.openBaseline = async () => {
  document.getElementById('opener').focus();
  const focused = focusIn('[data-vanilla-modal]');
  const start = performance.now();
  const closed = openVanilla();
  const focusAt = await focused;
  await afterPaint();
  const frameAt = performance.now();
  document.querySelector('[data-vanilla-modal]').shadowRoot.querySelector('[data-action="close"]').click();
  await closed;
  return { focus: focusAt - start, frame: frameAt - start };
};

/** Bytes of the wasm module's linear memory. */
window.wasmMemoryBytes = async () => {
  await preload();
  const exports = await init(); // returns the already-instantiated module's exports
  return exports.memory.buffer.byteLength;
};

/** Opens and closes the modal `count` times, rotating through every close path. */
window.cycle = async (count) => {
  const paths = ['abort', 'escape', 'close-button', 'backdrop'];
  const seen = {};
  for (let i = 0; i < count; i += 1) {
    const path = paths[i % paths.length];
    const controller = new AbortController();
    const focused = focusIn('[data-entra-connect]');
    const settled = connect({ ...options(), signal: controller.signal }).catch((error) => error);
    await focused;
    const root = sdkHost().shadowRoot;
    if (path === 'abort') controller.abort();
    else if (path === 'escape') {
      root.activeElement.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }),
      );
    } else if (path === 'close-button') root.querySelector('button[data-action="close"]').click();
    else {
      // A click on the dim layer (`.backdrop`): the press must start there too, so that
      // a drag out of an input never closes the modal.
      const backdrop = root.querySelector('.backdrop');
      backdrop.dispatchEvent(new MouseEvent('mousedown', { bubbles: true, composed: true }));
      backdrop.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    }
    const error = await settled;
    seen[error?.code] = (seen[error?.code] || 0) + 1;
    if (sdkHost()) throw new Error('modal still in the document after closing by ' + path);
  }
  return seen;
};

/** validate() calls per second over a mix of valid and invalid pasted inputs. */
window.validateRate = async (durationMs) => {
  await preload();
  const inputs = [
    { tenantId: 'contoso.onmicrosoft.com', clientId: '38a6702a-fb0c-4495-976f-5e260e080751', clientSecret: 'Emu8Q~ContosoSampleSecret-0123456789abcd' },
    { tenantId: ' {FC659CB7-0C66-4E32-9F96-C35C869581B6}\u200b', clientId: 'nope', clientSecret: '38a6702a-fb0c-4495-976f-5e260e080751', scope: 'User.Read' },
    { tenantId: 'https://login.microsoftonline.com/common/oauth2/v2.0/token', clientId: '', clientSecret: 'short', cloud: 'usgov' },
  ];
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < durationMs) {
    for (let i = 0; i < 100; i += 1) validate(inputs[(calls + i) % inputs.length]);
    calls += 100;
    now = performance.now();
  }
  return (calls * 1000) / (now - start);
};

/** ms from an input event in the tenant field to its message text changing. */
window.keystrokeFeedback = async (samples) => {
  const controller = new AbortController();
  const focused = focusIn('[data-entra-connect]');
  const settled = connect({ ...options(), signal: controller.signal }).catch((error) => error);
  await focused;
  const root = sdkHost().shadowRoot;
  const input = root.querySelector('input[name="tenantId"]');
  const message = root.getElementById('tenantId-message');
  const type = (value) => {
    input.value = value;
    input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  };
  // Touch the field first: errors show for fields the admin has left once.
  type('common');
  input.dispatchEvent(new FocusEvent('blur'));
  input.dispatchEvent(new FocusEvent('focusout', { bubbles: true, composed: true }));
  await new Promise((resolve) => setTimeout(resolve, 400));
  const timings = [];
  for (let i = 0; i < samples; i += 1) {
    const before = message.textContent;
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (message.textContent !== before) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(message, { childList: true, characterData: true, subtree: true });
    });
    const start = performance.now();
    type(i % 2 === 0 ? 'commonx' : 'common');
    timings.push((await changed) - start);
  }
  controller.abort();
  await settled;
  return timings;
};
