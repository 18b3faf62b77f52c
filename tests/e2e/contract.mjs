// The connection endpoint contract, www/openapi.yaml, as a checker other end-to-end tests
// can use: `checkResponse({ method, path, status, headers, body })` lists every way a
// recorded answer departs from the document (undocumented status, body or header not
// matching its schema). Schemas are checked with Ajv's JSON Schema 2020-12 validator,
// the dialect of OpenAPI 3.1.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { repoRoot } from './harness.mjs';

/** Where the contract lives. */
export const openapiPath = join(repoRoot, 'www', 'openapi.yaml');

const DOC_ID = 'https://entra-connect.invalid/openapi.json';

/** `/api/x` → `~1api~1x` (RFC 6901). */
export const escapePointer = (segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1');

/** Loads and parses the contract, and prepares the validator. */
export function loadContract() {
  const doc = YAML.parse(readFileSync(openapiPath, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(doc, DOC_ID);
  const compiled = new Map();

  /** The value at a local JSON pointer (`#/a/b`), or undefined. */
  const at = (pointer) =>
    pointer
      .replace(/^#\/?/, '')
      .split('/')
      .filter((part) => part !== '')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((node, part) => (node == null ? undefined : node[part]), doc);

  /** Follows `$ref`s of non-schema objects (responses, headers); returns `[object, pointer]`. */
  const follow = (object, pointer) => {
    let seen = 0;
    while (object && typeof object.$ref === 'string' && seen++ < 10) {
      pointer = object.$ref;
      object = at(pointer);
    }
    return [object, pointer];
  };

  /** A validator for the schema at `pointer` in the document. */
  const validatorAt = (pointer) => {
    if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: DOC_ID + pointer }));
    return compiled.get(pointer);
  };

  const describeErrors = (errors) =>
    (errors || []).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');

  /**
   * Checks one recorded answer against the document.
   * @param {{ method: string, path: string, status: number, headers: Record<string,string>, body: string }} answer
   *   `headers` with lowercase names; `body` as text.
   * @returns {string[]} problems (empty when the answer conforms)
   */
  function checkResponse({ method, path, status, headers, body }) {
    const problems = [];
    // A path such as /api/entra/connections/{connection_id} matches any one segment there.
    const template =
      Object.keys(doc.paths).find((documented) => documented === path) ??
      Object.keys(doc.paths).find((documented) => {
        const want = documented.split('/');
        const got = path.split('/');
        return want.length === got.length && want.every((part, i) => /^\{[^}]+\}$/.test(part) ? got[i] !== '' : part === got[i]);
      }) ??
      path;
    const opPointer = `#/paths/${escapePointer(template)}/${method.toLowerCase()}`;
    const operation = at(opPointer);
    if (!operation) return [`${method} ${path} is not in the contract`];
    const [response, responsePointer] = follow(
      operation.responses?.[String(status)] ?? operation.responses?.default,
      `${opPointer}/responses/${status}`,
    );
    if (!response) return [`${method} ${path} answered ${status}, which the contract does not document`];

    for (const [name, declared] of Object.entries(response.headers || {})) {
      const [header, headerPointer] = follow(declared, `${responsePointer}/headers/${escapePointer(name)}`);
      const value = headers[name.toLowerCase()];
      if (value === undefined) {
        if (declared.required || header.required) problems.push(`header ${name} is required but missing`);
        continue;
      }
      const schemaPointer = header.schema ? `${headerPointer}/schema` : null;
      if (schemaPointer) {
        const validate = validatorAt(schemaPointer);
        if (!validate(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${describeErrors(validate.errors)}`);
      }
    }

    const media = response.content?.['application/json'];
    if (media) {
      const type = headers['content-type'] || '';
      if (!/^application\/json\b/i.test(type)) problems.push(`content-type is ${JSON.stringify(type)}, not application/json`);
      let parsed;
      try {
        parsed = JSON.parse(body);
      } catch {
        problems.push(`body is not JSON: ${JSON.stringify(String(body).slice(0, 120))}`);
        return problems;
      }
      const validate = validatorAt(`${responsePointer}/content/${escapePointer('application/json')}/schema`);
      if (!validate(parsed)) problems.push(`body: ${describeErrors(validate.errors)}`);
    }
    return problems;
  }

  return { doc, ajv, at, follow, validatorAt, checkResponse, docId: DOC_ID };
}
