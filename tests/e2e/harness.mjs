// Shared harness for the end-to-end tests: Debian Chromium through playwright-core, the
// reference backend started on a free loopback port, and a static file server for tests
// that need a page of their own.
//
// Every test assumes `cargo xtask build` produced `pkg/` and that the server binary was
// built (`cargo build -p entra-connect-server`); `cargo xtask test` does both first.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

/** The repository root (the folder holding Cargo.toml). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The built npm package (`cargo xtask build`). */
export const pkgDir = join(repoRoot, 'pkg');

/** Where tests put screenshots and other files worth looking at after a run. */
export const artifactsDir = join(repoRoot, 'tests', 'artifacts');
mkdirSync(artifactsDir, { recursive: true });

/** Debian's Chromium; `CHROMIUM` overrides it. Never a browser downloaded by playwright. */
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

/** The flags every headless Chromium of the test suite runs with. */
export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches headless Debian Chromium.
 * @param {import('playwright-core').LaunchOptions} [options] extra launch options
 * @returns {Promise<import('playwright-core').Browser>}
 */
export async function launchBrowser(options = {}) {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `Chromium not found at ${chromiumPath}: run \`apt-get install -y chromium chromium-driver\` ` +
        '(cargo xtask test does it when run as root), or set CHROMIUM to its path',
    );
  }
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, ...options });
}

/** Path of the reference backend binary built by `cargo build -p entra-connect-server`. */
export const serverBinary =
  process.env.ENTRA_CONNECT_SERVER_BIN ||
  join(process.env.CARGO_TARGET_DIR || join(repoRoot, 'target'), 'debug', 'entra-connect-server');

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

// Strips terminal colour codes so the ready line is found whatever the logger does.
// eslint-disable-next-line no-control-regex
const ansi = /\u001b\[[0-9;]*m/g;
const readyLine = /entra-connect-server listening on (http:\/\/127\.0\.0\.1:\d+)/;

/**
 * Starts the reference backend on a free port of 127.0.0.1 with a fresh temporary data
 * directory (its own SQLite database and key), and waits for its ready line.
 *
 * `DATABASE_URL` of the environment is NOT passed on, so that each server has a database of
 * its own; pass `env: { DATABASE_URL }` to test PostgreSQL on purpose.
 *
 * @param {{ emulator?: boolean, demo?: boolean, args?: string[], env?: Record<string, string>, timeoutMs?: number }} [options]
 *   `demo` (default true) passes `--demo`: the test pages mint their sessions from the browser.
 * @returns {Promise<{ url: string, stop: () => Promise<void>, logs: () => string, dataDir: string }>}
 */
export async function startServer({ emulator = true, demo = true, args = [], env = {}, timeoutMs = 30000 } = {}) {
  if (!existsSync(serverBinary)) {
    throw new Error(
      `server binary not found at ${serverBinary}: run \`cargo build -p entra-connect-server\` ` +
        '(cargo xtask test builds it before the end-to-end tests)',
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'entra-connect-e2e-'));
  const argv = ['--listen', '127.0.0.1:0', '--data-dir', dataDir];
  // The test pages mint their sessions from the browser, as the demo page does.
  if (demo) argv.push('--demo');
  if (emulator) argv.push('--entra-emulator');
  argv.push(...args);

  const childEnv = { ...process.env, ...env };
  if (!('DATABASE_URL' in env)) delete childEnv.DATABASE_URL;
  if (!childEnv.RUST_LOG) childEnv.RUST_LOG = 'info';

  const child = spawn(serverBinary, argv, {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let stderr = '';
  let exited = null;
  const exitPromise = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolveExit();
    });
  });

  const url = await new Promise((resolveUrl, reject) => {
    let settled = false;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const describe = (why) =>
      new Error(
        `entra-connect-server ${why}\n  command: ${serverBinary} ${argv.join(' ')}\n` +
          `  stderr:\n${indent(stderr || '(empty)')}\n  stdout+stderr:\n${indent(output || '(empty)')}`,
      );
    const scan = (chunk, isErr) => {
      const text = chunk.toString('utf8');
      output += text;
      if (isErr) stderr += text;
      const match = output.replace(ansi, '').match(readyLine);
      if (match) settle(resolveUrl, match[1]);
    };
    child.stdout.on('data', (c) => scan(c, false));
    child.stderr.on('data', (c) => scan(c, true));
    child.once('error', (err) => settle(reject, describe(`could not be started: ${err.message}`)));
    exitPromise.then(() =>
      settle(
        reject,
        describe(`exited before it was ready (code ${exited.code}, signal ${exited.signal})`),
      ),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      settle(reject, describe(`printed no ready line within ${timeoutMs} ms`));
    }, timeoutMs);
  }).catch((err) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });

  return {
    url,
    dataDir,
    logs: () => output,
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(killer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function indent(text) {
  return text
    .trimEnd()
    .split('\n')
    .slice(-60)
    .map((line) => `    ${line}`)
    .join('\n');
}

/** MIME types of the files the package, the demo and the test pages are made of. */
export const mimeTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};

/**
 * Serves a directory on a free port of 127.0.0.1 (`index.html` for folders), with optional
 * extra response headers on every answer (for example a `Content-Security-Policy`).
 *
 * `mounts` maps URL prefixes to other directories, e.g. `{ '/pkg/': pkgDir }`.
 *
 * @param {string} dir
 * @param {{ headers?: Record<string, string>, mounts?: Record<string, string> }} [options]
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function serveStatic(dir, { headers = {}, mounts = {} } = {}) {
  const roots = [
    ...Object.entries(mounts).map(([prefix, path]) => [prefix, resolve(path)]),
    ['/', resolve(dir)],
  ];
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    const [prefix, root] = roots.find(([p]) => pathname.startsWith(p));
    let file = resolve(root, '.' + sep + pathname.slice(prefix.length));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': mimeTypes[extname(file)] || 'application/octet-stream',
      'cache-control': 'no-store',
      ...headers,
    });
    if (req.method === 'HEAD') res.end();
    else res.end(readFileSync(file));
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolveListen);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolveClose) => {
        server.closeAllConnections?.();
        server.close(() => resolveClose());
      }),
  };
}

/**
 * The connections a demo session of `server` lists (every test page's sessions belong to
 * the account `demo`).
 *
 * @param {{ url: string }} server
 * @returns {Promise<object[]>}
 */
export async function demoConnections(server) {
  const session = await fetch(`${server.url}/api/sessions`, { method: 'POST' });
  if (session.status !== 201) throw new Error(`POST /api/sessions answered ${session.status}`);
  const { token } = await session.json();
  const response = await fetch(`${server.url}/api/entra/connections`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status !== 200) throw new Error(`GET /api/entra/connections answered ${response.status}`);
  return (await response.json()).connections;
}
