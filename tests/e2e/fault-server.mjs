// A connection endpoint that misbehaves on purpose, for the transport's fault matrix.
//
// One node http server on 127.0.0.1:0 serves a test page, the built package under /pkg/,
// and endpoints whose behaviour is chosen by the URL:
//   POST /api/<scenario>/<run>                     the §6 connection endpoint
//   POST /nango/<scenario>/<run>/oauth2/auth/<key> Nango's client credentials route (§6.4)
// Every request to /api/ and /nango/ is recorded per run (method, URL, headers, body) so a
// test can count attempts, compare Idempotency-Keys and look for the secret.

import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { mimeTypes } from './harness.mjs';

const json = (status, body, headers = {}) => ({ status, headers, body: JSON.stringify(body), type: 'application/json' });

/** A §6.2 success echoing what was sent, with the tenant resolved to its GUID. */
function created(status, request) {
  let sent = {};
  try {
    sent = JSON.parse(request.body);
  } catch {
    // The scenario answers success whatever came; the test checks the body separately.
  }
  return json(status, {
    connection_id: 'conn_' + request.run,
    tenant_id: 'fc659cb7-0c66-4e32-9f96-c35c869581b6',
    client_id: sent.client_id,
    cloud: sent.cloud,
    scope: sent.scope,
    granted_permissions: ['User.Read.All', 'Mail.Read'],
  });
}

const sessionRefused = () =>
  json(401, { error: { code: 'invalid_session', message: 'The session token has expired.' } }, { 'www-authenticate': 'Bearer' });

/**
 * Scenarios: (attemptIndex, request) => an answer `{ status, headers, body, type }`, or the
 * special answers 'hang' (never answer), 'reset' (destroy the socket), 'huge' (10 MB).
 */
export const scenarios = {
  'ok-200': (n, request) => created(200, request),
  'ok-201': (n, request) => created(201, request),
  'validation-422': () =>
    json(422, {
      error: {
        code: 'validation_failed',
        message: 'The client secret has the shape of a Secret ID.',
        field: 'client_secret',
        details: { rule: 'client_secret_is_secret_id' },
      },
    }),
  'bad-400': () => json(400, { error: { code: 'bad_request', message: 'The backend refused the request.' } }),
  'session-401-then-200': (n, request) =>
    request.headers.authorization === 'Bearer fresh-token' ? created(200, request) : sessionRefused(),
  'session-401': () => sessionRefused(),
  'throttle-seconds': (n, request) =>
    n === 0
      ? json(429, { error: { code: 'rate_limited', message: 'Too many requests.' } }, { 'retry-after': '1' })
      : created(200, request),
  'throttle-date': (n, request) =>
    n === 0
      ? json(
          429,
          { error: { code: 'rate_limited', message: 'Too many requests.' } },
          // IMF-fixdate, whole seconds: the wait is between 1 and 2 seconds.
          { 'retry-after': new Date(Date.now() + 2000).toUTCString() },
        )
      : created(200, request),
  'throttle-long': () =>
    json(429, { error: { code: 'rate_limited', message: 'Too many requests.' } }, { 'retry-after': '60' }),
  'unavailable-twice': (n, request) =>
    n < 2
      ? json(503, { error: { code: 'upstream_unavailable', message: 'The identity platform is unavailable.' } })
      : created(200, request),
  'html-500': () => ({
    status: 500,
    headers: {},
    type: 'text/html; charset=utf-8',
    body: '<!doctype html><html><head><title>500</title></head><body><h1>Internal Server Error</h1><p>nginx</p></body></html>',
  }),
  'empty-502': () => ({ status: 502, headers: {}, type: null, body: '' }),
  'huge-500': () => 'huge',
  hang: () => 'hang',
  reset: () => 'reset',
  'nango-ok': (n, request) => json(200, { providerConfigKey: request.providerConfigKey, connectionId: 'nango_' + request.run }),
  'nango-fetch-error': () =>
    json(400, { error: { code: 'client_credentials_fetch_error', message: 'Error fetching client credentials' } }),
};

/**
 * Starts the fault server.
 * @param {{ pkgDir: string, pageScript: string }} options `pageScript` is the module script
 *   of the test page (it imports the package from `/pkg/` and exposes it on `window`).
 */
export async function startFaultServer({ pkgDir, pageScript }) {
  /** @type {Map<string, object[]>} */
  const runs = new Map();
  const pkgRoot = resolve(pkgDir);
  const hanging = new Set();

  const server = createServer((req, res) => {
    // Every answer closes its connection. Chromium resends a request by itself when a
    // reused keep-alive connection dies before any answer (the `reset` row would then
    // count one request more than the SDK sent); fresh connections make the count exact.
    // (That browser behaviour is one more reason the Idempotency-Key matters.)
    res.shouldKeepAlive = false;
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>transport faults</title></head>` +
          `<body><button id="opener">Connect</button><script type="module">${pageScript}</script></body></html>`,
      );
      return;
    }
    if (url.pathname.startsWith('/pkg/')) {
      const file = resolve(pkgRoot, '.' + sep + decodeURIComponent(url.pathname.slice('/pkg/'.length)));
      if (!file.startsWith(pkgRoot + sep) || !existsSync(file) || !statSync(file).isFile()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, {
        'content-type': mimeTypes[extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
      return;
    }
    const api = url.pathname.match(/^\/api\/([^/]+)\/([^/]+)$/);
    const nango = url.pathname.match(/^\/nango\/([^/]+)\/([^/]+)\/oauth2\/auth\/([^/]+)$/);
    if (!api && !nango) {
      res.writeHead(404).end();
      return;
    }
    const [, scenario, run] = api || nango;
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method,
        url: req.url,
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        run,
        providerConfigKey: nango ? decodeURIComponent(nango[3]) : undefined,
      };
      if (!runs.has(run)) runs.set(run, []);
      const log = runs.get(run);
      log.push(request);
      // This origin sends no CORS headers: a cross-origin page's preflight fails here.
      if (req.method !== 'POST') {
        res.writeHead(204).end();
        return;
      }
      const behaviour = scenarios[scenario];
      if (!behaviour) {
        res.writeHead(404).end();
        return;
      }
      const attemptIndex = log.filter((r) => r.method === 'POST').length - 1;
      const answer = behaviour(attemptIndex, request);
      if (answer === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (answer === 'huge') {
        res.writeHead(500, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        res.on('error', () => {});
        // How much of the body left before the client hung up (the last record of the run).
        res.on('close', () => {
          request.bytesWritten = req.socket?.bytesWritten ?? res.socket?.bytesWritten;
          request.finished = res.writableFinished;
        });
        // 10 MB in 64 KB chunks, one every 20 ms (3.2 s in all), so that what left the server
        // measures when the client hung up, not how much the loopback socket buffers hold
        // (several MB, which a loaded machine fills before the page even reads).
        let left = 160;
        const pump = () => {
          if (res.destroyed) return;
          if (left === 0) {
            res.end();
            return;
          }
          left -= 1;
          res.write(chunk);
          setTimeout(pump, 20);
        };
        pump();
        return;
      }
      const headers = { ...answer.headers, 'cache-control': 'no-store' };
      if (answer.type) headers['content-type'] = answer.type;
      res.writeHead(answer.status, headers);
      res.end(answer.body);
    });
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    /** The §6 endpoint URL of a scenario for one run. */
    endpoint: (scenario, run) => `${origin}/api/${scenario}/${run}`,
    /** The Nango host of a scenario for one run. */
    nangoHost: (scenario, run) => `${origin}/nango/${scenario}/${run}`,
    /** Everything recorded for a run. */
    requests: (run) => runs.get(run) || [],
    stop: () =>
      new Promise((resolveClose) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}
