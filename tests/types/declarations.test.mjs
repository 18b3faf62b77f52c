// The package's TypeScript surface: the typed example compiles under --strict (and every
// `@ts-expect-error` misuse really is an error), the declarations never fall back to `any`,
// and they list exactly the rule codes the Rust core defines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pkgDir, repoRoot } from '../e2e/harness.mjs';

const run = promisify(execFile);
const tests = join(repoRoot, 'tests');

test('the typed example compiles with tsc --strict --noEmit, misuse included', async () => {
  const tsc = join(tests, 'node_modules/.bin/tsc');
  try {
    await run(tsc, ['--strict', '--noEmit', '-p', 'types/tsconfig.json'], { cwd: tests });
  } catch (failure) {
    assert.fail(`tsc reported errors:\n${failure.stdout}${failure.stderr}`);
  }
});

/** The declaration text without comments, so words in doc comments do not count. */
function code(file) {
  return readFileSync(join(pkgDir, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '');
}

test('the declarations use no `any`', () => {
  for (const file of ['index.d.ts', 'react.d.ts']) {
    const uses = code(file).match(/\bany\b/g) ?? [];
    assert.equal(uses.length, 0, `${file} uses \`any\``);
  }
});

test('RuleCode lists exactly the codes of src/rules/mod.rs', () => {
  const rust = readFileSync(join(repoRoot, 'src/rules/mod.rs'), 'utf8');
  const rustCodes = [...rust.matchAll(/^\s*[A-Z]\w* = "([a-z_]+)", \w+, (?:Error|Warning);/gm)].map((m) => m[1]);
  assert.ok(rustCodes.length > 10, 'found the codes! macro in src/rules/mod.rs');
  const declared = code('index.d.ts');
  const ruleTypes = declared.slice(declared.indexOf('export type TenantRuleCode'), declared.indexOf('export type RuleCode'));
  const tsCodes = [...ruleTypes.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...tsCodes].sort(), [...rustCodes].sort());
});

test('ConnectErrorCode lists exactly the codes of src/error.rs', () => {
  const rust = readFileSync(join(repoRoot, 'src/error.rs'), 'utf8');
  const rustCodes = [...rust.matchAll(/ErrorCode::\w+ => "([a-z_]+)"/g)].map((m) => m[1]);
  const declared = code('index.d.ts');
  const union = declared.slice(declared.indexOf('export type ConnectErrorCode'), declared.indexOf('export type TenantRuleCode'));
  const tsCodes = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...tsCodes].sort(), [...rustCodes].sort());
});
