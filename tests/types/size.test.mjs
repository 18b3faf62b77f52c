// The size budget of issue 7: what a page downloads before the English form can be used
// (the entry, the wasm-bindgen glue and the wasm; translations load on demand) must stay
// within 60 KB gzipped (-9). Prints the figures; `cargo xtask bench` has the full table.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pkgDir } from '../e2e/harness.mjs';

const BUDGET = 60 * 1024;
const ENGLISH_FORM = ['index.js', 'entra_connect.js', 'entra_connect_bg.wasm'];

test(`the English form's runtime is at most ${BUDGET} bytes gzipped`, (t) => {
  let total = 0;
  for (const file of ENGLISH_FORM) {
    const bytes = readFileSync(join(pkgDir, file));
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    total += gzipped;
    t.diagnostic(`${file}: ${bytes.length} bytes, ${gzipped} gzipped`);
  }
  const line = `English form runtime: ${total} bytes gzipped (budget ${BUDGET}, ${((100 * total) / BUDGET).toFixed(1)}%)`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(total <= BUDGET, `${line}: over budget`);
});

test('translations are loaded on demand, not with the entry', () => {
  const entry = readFileSync(join(pkgDir, 'index.js'), 'utf8');
  assert.doesNotMatch(entry, /^\s*import[^(]*from\s*["']\.\/locales\//m, 'no static import of a catalog');
  for (const tag of ['de', 'fr', 'es', 'ja', 'ar', 'pt-BR', 'it', 'nl', 'pl', 'sv', 'tr', 'ko', 'zh-Hans', 'zh-Hant', 'he']) {
    assert.match(entry, new RegExp(`import\\(["']\\./locales/${tag}\\.js["']\\)`), `${tag} is a dynamic import`);
  }
});
