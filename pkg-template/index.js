// entra-connect: the package entry. It loads the WebAssembly module on first use, so a
// host never calls an init function, and turns the module's plain error objects into
// ConnectError instances.

import init, * as wasm from './entra_connect.js';

// The translations other than English (built into the wasm), loaded when a modal opens in
// that language. Literal import() paths, so bundlers make each catalog a chunk of its own.
const catalogs = {
  de: () => import('./locales/de.js'),
  fr: () => import('./locales/fr.js'),
  es: () => import('./locales/es.js'),
  ja: () => import('./locales/ja.js'),
  ar: () => import('./locales/ar.js'),
};

/** @type {Promise<void> | null} */
let loading = null;
let loaded = false;

/**
 * Fetches, compiles and instantiates the WebAssembly module, once. Call it ahead of a
 * click (on hover, on idle) so that `connect()` draws the form without waiting.
 * A failed load (offline) is retried by the next call.
 * @returns {Promise<void>}
 */
export function preload() {
  if (!loading) {
    loading = init({ module_or_path: new URL('./entra_connect_bg.wasm', import.meta.url) }).then(
      () => {
        loaded = true;
      },
      (cause) => {
        loading = null;
        throw new ConnectError(
          'network',
          'entra-connect could not load its WebAssembly module: ' + describe(cause),
          { cause },
        );
      },
    );
  }
  return loading;
}

/**
 * Opens the connection modal and settles once: resolves with the connection the backend
 * created, or rejects with a {@link ConnectError}.
 * @param {import('./index.js').ConnectOptions} options
 * @returns {Promise<import('./index.js').Connection>}
 */
export async function connect(options) {
  await preload();
  // The wasm names the locale (the `locale` option, else navigator.languages); a catalog
  // that cannot be loaded leaves the modal in English rather than failing the connection.
  const load = catalogs[wasm.locale(options)];
  const catalog = load && (await load().then((module) => module.default, () => undefined));
  try {
    return await wasm.connect(options, catalog);
  } catch (raw) {
    throw toConnectError(raw);
  }
}

/**
 * Runs the form's validation rules on values a host collected itself (headless use).
 * Synchronous, so the module must be loaded: `await preload()` first.
 * @param {import('./index.js').ValidateInput} input
 * @returns {import('./index.js').ValidationResult}
 */
export function validate(input) {
  if (!loaded) {
    throw new Error(
      'entra-connect: validate() is synchronous and the WebAssembly module is not loaded yet: await preload() first',
    );
  }
  return wasm.validate(input == null ? {} : input);
}

/** Why `connect()` rejected: `code` says what happened, `message` explains it. */
export class ConnectError extends Error {
  /**
   * @param {import('./index.js').ConnectErrorCode} code
   * @param {string} message
   * @param {{ field?: string, status?: number, retryAfter?: number, details?: unknown, cause?: unknown }} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ConnectError';
    this.code = code;
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.status !== undefined) this.status = extra.status;
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.details !== undefined) this.details = extra.details;
  }
}

// The wasm rejects with plain `{ name: 'ConnectError', code, message, ... }` objects.
function toConnectError(raw) {
  if (raw instanceof ConnectError) return raw;
  if (raw && typeof raw === 'object' && raw.name === 'ConnectError' && typeof raw.code === 'string') {
    return new ConnectError(raw.code, String(raw.message), raw);
  }
  return raw;
}

function describe(cause) {
  return cause && typeof cause === 'object' && 'message' in cause ? String(cause.message) : String(cause);
}
