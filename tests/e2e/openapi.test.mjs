// www/openapi.yaml: the connection endpoint contract is a valid OpenAPI 3.1 document whose
// references resolve and whose examples conform, and the reference backend's real answers
// (emulator mode) conform to it, status by status, headers included.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadContract } from './contract.mjs';
import { repoRoot, startServer } from './harness.mjs';

const contract = loadContract();
const { doc } = contract;

/** Every `$ref` in the document, with where it was found. */
function collectRefs(node, path = '#', out = []) {
  if (Array.isArray(node)) node.forEach((item, i) => collectRefs(item, `${path}/${i}`, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push([path, value]);
      else collectRefs(value, `${path}/${key}`, out);
    }
  }
  return out;
}

describe('the document', () => {
  test('is OpenAPI 3.1 with the three operations of the reference backend', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.paths['/api/entra/connections'].post, 'POST /api/entra/connections');
    assert.ok(doc.paths['/api/entra/connections'].get, 'GET /api/entra/connections');
    assert.ok(doc.paths['/api/sessions'].post, 'POST /api/sessions');
    const operationIds = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    assert.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
  });

  test('every $ref resolves inside the document', () => {
    const refs = collectRefs(doc);
    assert.ok(refs.length > 20);
    for (const [where, ref] of refs) {
      assert.ok(ref.startsWith('#/'), `${where}: only local references (${ref})`);
      assert.notEqual(contract.at(ref), undefined, `${where}: ${ref} does not resolve`);
    }
  });

  test('every component schema compiles as JSON Schema 2020-12', () => {
    for (const name of Object.keys(doc.components.schemas)) {
      assert.doesNotThrow(() => contract.validatorAt(`#/components/schemas/${name}`), name);
    }
  });

  test('the request carries a bearer token, an Idempotency-Key and the five normalized fields', () => {
    const post = doc.paths['/api/entra/connections'].post;
    assert.deepEqual(post.security, [{ sessionToken: [] }]);
    assert.deepEqual(doc.components.securitySchemes.sessionToken, {
      ...doc.components.securitySchemes.sessionToken,
      type: 'http',
      scheme: 'bearer',
    });
    const key = contract.follow(post.parameters[0])[0];
    assert.equal(key.name, 'Idempotency-Key');
    assert.equal(key.in, 'header');
    assert.equal(key.required, true);
    const request = doc.components.schemas.ConnectionRequest;
    assert.deepEqual(request.required, ['tenant_id', 'client_id', 'client_secret', 'scope', 'cloud']);
    assert.equal(request.properties.client_secret.writeOnly, true);
    // Nothing secret in the URL: the operation has no query or path parameters at all.
    assert.ok(post.parameters.every((p) => contract.follow(p)[0].in === 'header'));
  });

  test('every §6.3 code is enumerated, and each status narrows to its own codes', () => {
    const codes = doc.components.schemas.ErrorCode.enum;
    for (const code of [
      'invalid_session',
      'validation_failed',
      'tenant_not_found',
      'app_not_found',
      'invalid_secret',
      'secret_expired',
      'invalid_scope',
      'rate_limited',
      'upstream_unavailable',
    ]) {
      assert.ok(codes.includes(code), code);
    }
    const check = (pointer, body) => contract.validatorAt(pointer)(body);
    const error = (code) => ({ error: { code, message: 'x' } });
    const unauthorized = '#/components/schemas/InvalidSessionError';
    assert.equal(check(unauthorized, error('invalid_session')), true);
    assert.equal(check(unauthorized, error('rate_limited')), false);
    assert.equal(check('#/components/schemas/UnprocessableError', error('invalid_secret')), true);
    assert.equal(check('#/components/schemas/UnprocessableError', error('upstream_unavailable')), false);
    assert.equal(check('#/components/schemas/Error', error('made_up_code')), false);
    assert.equal(check('#/components/schemas/Error', { error: { code: 'invalid_secret' } }), false, 'message is required');
  });

  test('throttling and gateway answers declare Retry-After (seconds or HTTP date)', () => {
    const responses = doc.paths['/api/entra/connections'].post.responses;
    for (const status of ['429', '502', '503', '504']) {
      const [response] = contract.follow(responses[status]);
      assert.ok(response.headers?.['Retry-After'], `${status} declares Retry-After`);
    }
    assert.equal(contract.follow(responses['429'])[0].headers['Retry-After'].required, true);
    const value = contract.validatorAt('#/components/schemas/RetryAfterValue');
    for (const ok of ['0', '2', '120', 'Sun, 06 Nov 1994 08:49:37 GMT']) assert.equal(value(ok), true, ok);
    for (const bad of ['-1', '1.5', 'soon', 'Sunday, 06-Nov-94 08:49:37 GMT', '']) assert.equal(value(bad), false, bad);
  });

  test('the examples conform to their schemas', () => {
    const post = doc.paths['/api/entra/connections'].post;
    const media = (pointer) => `${pointer}/content/application~1json/schema`;
    const base = '#/paths/~1api~1entra~1connections/post';
    const request = contract.validatorAt(`${base}/requestBody/content/application~1json/schema`);
    assert.equal(request(post.requestBody.content['application/json'].example), true, JSON.stringify(request.errors));
    const created = contract.validatorAt(media(`${base}/responses/201`));
    assert.equal(created(post.responses['201'].content['application/json'].example), true, JSON.stringify(created.errors));
    const unprocessable = contract.validatorAt(media(`${base}/responses/422`));
    for (const [name, example] of Object.entries(post.responses['422'].content['application/json'].examples)) {
      assert.equal(unprocessable(example.value), true, `${name}: ${JSON.stringify(unprocessable.errors)}`);
    }
  });

  test('the checker rejects answers that depart from the contract', () => {
    const base = { method: 'POST', path: '/api/entra/connections', headers: { 'content-type': 'application/json' } };
    const error = (code) => JSON.stringify({ error: { code, message: 'm' } });
    assert.deepEqual(contract.checkResponse({ ...base, status: 401, headers: { ...base.headers, 'www-authenticate': 'Bearer' }, body: error('invalid_session') }), []);
    assert.match(contract.checkResponse({ ...base, status: 418, body: '{}' })[0], /does not document/);
    assert.match(contract.checkResponse({ ...base, status: 429, body: error('rate_limited') })[0], /Retry-After is required/);
    assert.match(
      contract.checkResponse({ ...base, status: 429, headers: { ...base.headers, 'retry-after': 'soon' }, body: error('rate_limited') })[0],
      /header Retry-After/,
    );
    assert.match(contract.checkResponse({ ...base, status: 500, headers: {}, body: '<h1>oops</h1>' }).join(), /not application\/json/);
    assert.match(contract.checkResponse({ ...base, status: 201, body: '{"connection_id":"c"}' })[0], /body:/);
    assert.match(contract.checkResponse({ ...base, method: 'DELETE', status: 200, body: '' })[0], /not in the contract/);
  });

  test('every (status, code) the backend source can answer is documented (drift guard)', () => {
    const statusOf = {
      BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, REQUEST_TIMEOUT: 408, CONFLICT: 409,
      PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_ENTITY: 422, TOO_MANY_REQUESTS: 429,
      INTERNAL_SERVER_ERROR: 500, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503, GATEWAY_TIMEOUT: 504,
    };
    const dir = join(repoRoot, 'www', 'server', 'src');
    const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.rs'));
    const pairs = [];
    for (const file of files) {
      const source = readFileSync(join(dir, String(file)), 'utf8');
      for (const [, name, code] of source.matchAll(/StatusCode::([A-Z_]+),\s*"([a-z_]+)"/g)) pairs.push([name, code, file]);
    }
    assert.ok(pairs.length >= 8, `found ${pairs.length} (status, code) pairs in the backend source`);
    for (const [name, code, file] of pairs) {
      assert.ok(doc.components.schemas.ErrorCode.enum.includes(code), `${code} (${file}) is enumerated`);
      // not_found: unknown /api/ paths and ids, documented on the operations that take an id.
      if (code === 'not_found') continue;
      const status = statusOf[name];
      assert.ok(status, `${name} is a known status`);
      // The session endpoint's own codes are documented on it; every other on the POST.
      const path = String(file).endsWith('sessions.rs') ? '/api/sessions' : '/api/entra/connections';
      const [response, pointer] = contract.follow(
        doc.paths[path].post.responses[String(status)],
        `#/paths/${path.replaceAll('/', '~1')}/post/responses/${status}`,
      );
      assert.ok(response, `${status} ${code} (${file}) is documented`);
      const validate = contract.validatorAt(`${pointer}/content/application~1json/schema`);
      assert.equal(validate({ error: { code, message: 'm' } }), true, `${status} allows ${code}`);
    }
  });

  test('a stored connection may never carry its secret', () => {
    const stored = contract.validatorAt('#/components/schemas/StoredConnection');
    const connection = {
      connection_id: 'c',
      tenant_id: 't',
      client_id: 'x',
      cloud: 'global',
      scope: 's/.default',
      granted_permissions: [],
      created_at: '2025-01-01T00:00:00Z',
      credential_type: 'client_secret',
      status: 'active',
      verified_at: '2025-01-01T00:00:00Z',
      credential_updated_at: '2025-01-01T00:00:00Z',
    };
    assert.equal(stored(connection), true, JSON.stringify(stored.errors));
    const attention = { ...connection, status: 'needs_attention', problem: { code: 'secret_expired', message: 'm', field: 'clientSecret' } };
    assert.equal(stored(attention), true, JSON.stringify(stored.errors));
    assert.equal(stored({ ...connection, status: 'broken' }), false);
    const { status: _status, ...withoutStatus } = connection;
    assert.equal(stored(withoutStatus), false, 'the reference backend always says the status');
    assert.equal(stored({ ...connection, client_secret: 'leak' }), false);
  });
});

// ---------------------------------------------------------------------------------------
// The reference backend against the contract.

const SAMPLE = {
  tenant_id: 'contoso.onmicrosoft.com',
  client_id: '38a6702a-fb0c-4495-976f-5e260e080751',
  client_secret: 'Emu8Q~ContosoSampleSecret-0123456789abcd',
  scope: 'https://graph.microsoft.com/.default',
  cloud: 'global',
};

describe('the reference backend conforms', () => {
  let server;
  let token;
  /** Every answer recorded, checked at the end too (belt and braces). */
  const recorded = [];

  // The SaaS backend's key: with it, sessions are for the account it names.
  const API_KEY = 'openapi-test-key-0123456789abcdefghijklmnop';
  before(async () => {
    server = await startServer({ emulator: true, env: { ENTRA_CONNECT_API_KEYS: API_KEY } });
  });
  after(async () => {
    await server?.stop();
  });

  /** Sends a request with node's fetch (no Origin: like a server-side caller), records and checks the answer. */
  async function call(method, path, { headers = {}, body } = {}) {
    const response = await fetch(server.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const answer = {
      method,
      path,
      status: response.status,
      headers: Object.fromEntries([...response.headers].map(([k, v]) => [k.toLowerCase(), v])),
      body: await response.text(),
    };
    recorded.push(answer);
    const problems = contract.checkResponse(answer);
    assert.deepEqual(problems, [], `${method} ${path} → ${answer.status}: ${problems.join('\n')}\n${answer.body.slice(0, 400)}`);
    return answer;
  }

  const post = (values, extra = {}) =>
    call('POST', '/api/entra/connections', {
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'idempotency-key': crypto.randomUUID(),
        ...extra,
      },
      body: { ...SAMPLE, ...values },
    });

  /** A fresh session per test: the backend limits connection attempts per session (burst 10). */
  async function freshSession() {
    const answer = await call('POST', '/api/sessions');
    assert.equal(answer.status, 201);
    token = JSON.parse(answer.body).token;
  }

  test('POST /api/sessions → 201 with a token', async () => {
    await freshSession();
  });

  test('POST connection → 201, and the same key replays it (Idempotent-Replayed)', async () => {
    await freshSession();
    const key = crypto.randomUUID();
    const first = await post({}, { 'idempotency-key': key });
    assert.equal(first.status, 201);
    const again = await post({}, { 'idempotency-key': key });
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(JSON.parse(again.body).connection_id, JSON.parse(first.body).connection_id);
  });

  test('401 invalid_session without or with an unknown token', async () => {
    await freshSession();
    const missing = await call('POST', '/api/entra/connections', {
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
      body: SAMPLE,
    });
    assert.equal(missing.status, 401);
    const unknown = await post({}, { authorization: 'Bearer ' + 'A'.repeat(43) });
    assert.equal(unknown.status, 401);
  });

  test('422 validation_failed for a Secret ID pasted as the secret, on its field', async () => {
    await freshSession();
    const answer = await post({ client_secret: '6f1c1f2a-8b0e-4a57-9d4e-1f2a3b4c5d6e' });
    assert.equal(answer.status, 422);
    const { error } = JSON.parse(answer.body);
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.field, 'clientSecret');
  });

  test('422 with the identity platform codes and their fields', async () => {
    await freshSession();
    const cases = [
      [{ client_secret: 'Emu8Q~SomethingElseEntirely-0123456789abcd' }, 'invalid_secret', 'clientSecret'],
      [{ client_id: 'f8f13583-c5a3-412a-9edc-4e6d1f79f2eb', client_secret: 'Emu8Q~ExpiredSampleSecret-0123456789abcd' }, 'secret_expired', 'clientSecret'],
      [{ client_id: '11111111-2222-4333-8444-555555555555' }, 'app_not_found', 'clientId'],
      [{ tenant_id: 'nobody.onmicrosoft.com' }, 'tenant_not_found', 'tenantId'],
    ];
    for (const [values, code, field] of cases) {
      const answer = await post(values);
      assert.equal(answer.status, 422, code);
      const { error } = JSON.parse(answer.body);
      assert.equal(error.code, code);
      assert.equal(error.field, field, code);
    }
  });

  test('429 rate_limited with Retry-After when the identity platform throttles', async () => {
    await freshSession();
    const answer = await post({ tenant_id: 'throttled.onmicrosoft.com' });
    assert.equal(answer.status, 429);
    assert.match(answer.headers['retry-after'], /^\d+$/);
  });

  test('503 upstream_unavailable when the identity platform is down', async () => {
    await freshSession();
    const answer = await post({ tenant_id: 'unavailable.onmicrosoft.com' });
    assert.ok([502, 503, 504].includes(answer.status), String(answer.status));
    assert.equal(JSON.parse(answer.body).error.code, 'upstream_unavailable');
  });

  test('415, 400 and 413 for a body that is not the contract', async () => {
    await freshSession();
    const auth = () => ({ authorization: `Bearer ${token}`, 'idempotency-key': crypto.randomUUID() });
    const text = await call('POST', '/api/entra/connections', {
      headers: { ...auth(), 'content-type': 'text/plain' },
      body: 'tenant=contoso',
    });
    assert.equal(text.status, 415);
    const broken = await call('POST', '/api/entra/connections', {
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{"tenant_id":',
    });
    assert.equal(broken.status, 400);
    const huge = await call('POST', '/api/entra/connections', {
      headers: { ...auth(), 'content-type': 'application/json' },
      body: JSON.stringify({ ...SAMPLE, padding: 'x'.repeat(100_000) }),
    });
    assert.equal(huge.status, 413);
    const badKey = await post({}, { 'idempotency-key': 'not a visible key' });
    assert.equal(badKey.status, 400);
  });

  test('GET /api/entra/connections lists the connections of the session account, without secrets', async () => {
    assert.equal((await call('GET', '/api/entra/connections')).status, 401);
    const answer = await call('GET', '/api/entra/connections', { headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.status, 200);
    const { connections } = JSON.parse(answer.body);
    assert.ok(connections.length >= 1);
    assert.ok(!answer.body.includes(SAMPLE.client_secret));
    const id = connections[0].connection_id;
    const one = await call('GET', `/api/entra/connections/${id}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(one.status, 200);
    assert.equal(JSON.parse(one.body).connection_id, id);
    const unknown = await call('GET', `/api/entra/connections/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(unknown.status, 404);
    assert.equal((await call('GET', `/api/entra/connections/${id}`)).status, 401);
  });

  test('POST /api/sessions with the API key mints a session for an account; other accounts see nothing', async () => {
    const minted = await call('POST', '/api/sessions', {
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: { account_id: 'acme', origin: 'https://app.example.com' },
    });
    assert.equal(minted.status, 201);
    const acme = JSON.parse(minted.body).token;
    const listed = await call('GET', '/api/entra/connections', { headers: { authorization: `Bearer ${acme}` } });
    assert.deepEqual(JSON.parse(listed.body).connections, [], 'the demo account connections are not those of acme');
    const wrongKey = await call('POST', '/api/sessions', {
      headers: { authorization: `Bearer ${API_KEY.replace('0', '1')}` },
      body: { account_id: 'acme' },
    });
    assert.equal(wrongKey.status, 401);
    assert.equal(JSON.parse(wrongKey.body).error.code, 'invalid_api_key');
    for (const body of [{}, { account_id: '' }, { account_id: 'a b' }, { account_id: 'acme', origin: 'nowhere' }, { account_id: 'acme', extra: 1 }]) {
      const refused = await call('POST', '/api/sessions', { headers: { authorization: `Bearer ${API_KEY}` }, body });
      assert.equal(refused.status, 400, JSON.stringify(body));
      assert.equal(JSON.parse(refused.body).error.code, 'invalid_session_request');
    }
  });

  test('every recorded answer conforms, and each documented status of the POST was seen', () => {
    assert.ok(recorded.length >= 14);
    for (const answer of recorded) assert.deepEqual(contract.checkResponse(answer), []);
    const seen = new Set(recorded.filter((a) => a.method === 'POST' && a.path === '/api/entra/connections').map((a) => a.status));
    for (const status of [201, 400, 401, 413, 415, 422, 429]) assert.ok(seen.has(status), `saw ${status}`);
  });
});
