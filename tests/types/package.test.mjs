// The npm manifest the build writes into pkg/: the fields bundlers and TypeScript read,
// the version of Cargo.toml, and a tarball holding exactly the files it should.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pkgDir, repoRoot } from '../e2e/harness.mjs';

const run = promisify(execFile);
const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));

test('package.json names the package, is ESM, side-effect free, with types first in exports', () => {
  assert.equal(manifest.name, 'entra-connect');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.sideEffects, false);
  assert.deepEqual(Object.keys(manifest.exports['.']), ['types', 'default']);
  assert.deepEqual(Object.keys(manifest.exports['./react']), ['types', 'default']);
  assert.equal(manifest.peerDependenciesMeta.react.optional, true);
  assert.equal(manifest.dependencies, undefined, 'the package has no runtime dependencies');
});

test('the version is the workspace version of Cargo.toml', () => {
  const cargo = readFileSync(join(repoRoot, 'Cargo.toml'), 'utf8');
  const section = cargo.slice(cargo.indexOf('[workspace.package]'));
  const version = section.match(/^version\s*=\s*"([^"]+)"/m)[1];
  assert.equal(manifest.version, version);
});

test('npm pack holds the entry, the glue, the wasm, the locale catalogs, the declarations and the README only', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', pkgDir], { cwd: repoRoot });
  const files = JSON.parse(stdout)[0].files.map((f) => f.path).sort();
  assert.deepEqual(
    files.filter((f) => !f.startsWith('snippets/')),
    [
      'README.md',
      'entra_connect.js',
      'entra_connect_bg.wasm',
      'index.d.ts',
      'index.js',
      'locales/ar.js',
      'locales/de.js',
      'locales/es.js',
      'locales/fr.js',
      'locales/he.js',
      'locales/it.js',
      'locales/ja.js',
      'locales/ko.js',
      'locales/nl.js',
      'locales/pl.js',
      'locales/pt-BR.js',
      'locales/sv.js',
      'locales/tr.js',
      'locales/zh-Hans.js',
      'locales/zh-Hant.js',
      'package.json',
      'react.d.ts',
      'react.js',
    ],
  );
});
