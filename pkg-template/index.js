// entra-connect: the package entry. It loads the WebAssembly module on first use, so a
// host never calls an init function, and turns the module's plain error objects into
// ConnectError instances.

import init, * as wasm from './entra_connect.js';

// The translations (English is built into the wasm), one of which is loaded when a modal
// opens in its language. Literal import() paths, so bundlers make each catalog a chunk of its own.
const catalogs = {
  de: () => import('./locales/de.js'),
  fr: () => import('./locales/fr.js'),
  es: () => import('./locales/es.js'),
  ja: () => import('./locales/ja.js'),
  ar: () => import('./locales/ar.js'),
  'pt-BR': () => import('./locales/pt-BR.js'),
  it: () => import('./locales/it.js'),
  nl: () => import('./locales/nl.js'),
  pl: () => import('./locales/pl.js'),
  sv: () => import('./locales/sv.js'),
  tr: () => import('./locales/tr.js'),
  ko: () => import('./locales/ko.js'),
  'zh-Hans': () => import('./locales/zh-Hans.js'),
  'zh-Hant': () => import('./locales/zh-Hant.js'),
  he: () => import('./locales/he.js'),
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
  // The locale is chosen here, once; the catalog names it and the wasm speaks it. A catalog
  // that cannot be loaded leaves the modal in English rather than failing the connection.
  const tag = localeOf(options);
  const catalog = tag && (await catalogs[tag]().then((module) => module.default, () => undefined));
  try {
    return await wasm.connect(options, catalog);
  } catch (raw) {
    throw toConnectError(raw);
  }
}

/**
 * The catalog a modal with these options speaks: the `locale` option, else the browser's
 * `navigator.languages` in order; the first language with a catalog wins, by primary
 * subtag (`de-AT` is German), with `pt` as Portuguese (Brazil), Chinese by script, else by
 * region (Taiwan, Hong Kong, Macao write traditional characters), and `iw` (Hebrew's old
 * code) as Hebrew. `undefined` means English (`en`, or no catalog for the language, as
 * for `nb` and `no`).
 * @param {unknown} options
 * @returns {keyof typeof catalogs | undefined}
 */
function localeOf(options) {
  const nav = globalThis.navigator;
  const tags = options != null && options.locale != null ? [options.locale] : (nav && (nav.languages || [nav.language])) || [];
  for (const tag of tags) {
    const [primary, ...rest] = String(tag).toLowerCase().split(/[-_]/);
    if (primary === 'en') return undefined;
    if (primary === 'zh') {
      const has = (subtag) => rest.includes(subtag);
      return has('hant') || (!has('hans') && (has('tw') || has('hk') || has('mo'))) ? 'zh-Hant' : 'zh-Hans';
    }
    const name = primary === 'pt' ? 'pt-BR' : primary === 'iw' ? 'he' : primary;
    if (Object.hasOwn(catalogs, name)) return name;
  }
  return undefined;
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
      'entra-connect: validate() needs the WebAssembly module loaded: await preload() first',
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
    for (const key of ['field', 'status', 'retryAfter', 'details']) {
      if (extra[key] !== undefined) this[key] = extra[key];
    }
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
  return String((cause && cause.message) || cause);
}
