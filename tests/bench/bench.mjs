// `cargo xtask bench`, browser half: open latency of the SDK's modal against a vanilla
// baseline in the same run, leaks over repeated open/close, validate() throughput and
// keystroke-to-feedback latency, in headless Debian Chromium. Prints figures; asserts
// nothing about time (benchmarks measure, tests check behaviour).
//
// Usage: node bench/bench.mjs [--runs N] [--cycles N]   (from tests/, after `cargo xtask build`)

import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { launchBrowser, pkgDir, serveStatic, repoRoot } from '../e2e/harness.mjs';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '41' },
    cycles: { type: 'string', default: '1000' },
  },
});
const runs = Number(values.runs);
const cycles = Number(values.cycles);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const ms = (x) => x.toFixed(1).padStart(7) + ' ms';
const describe = (xs) =>
  `median ${ms(median(xs))}   p10 ${ms(quantile(xs, 0.1))}   p90 ${ms(quantile(xs, 0.9))}   (n=${xs.length})`;

const site = await serveStatic(join(repoRoot, 'tests', 'bench', 'page'), { mounts: { '/pkg/': pkgDir } });
const browser = await launchBrowser();

async function freshPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  await page.goto(site.url + '/index.html');
  await page.waitForFunction(() => typeof window.openSdk === 'function');
  return { context, page, errors };
}

try {
  // 2. Open latency: cold = fresh context, package imported, wasm not yet instantiated.
  const cold = { sdk: [], vanilla: [] };
  const warm = { sdk: [], vanilla: [] };
  for (let i = 0; i < runs; i += 1) {
    for (const kind of ['sdk', 'vanilla']) {
      const { context, page, errors } = await freshPage();
      const open = kind === 'sdk' ? 'openSdk' : 'openBaseline';
      const first = await page.evaluate(`window.${open}()`);
      const second = await page.evaluate(`window.${open}()`);
      if (errors.length) throw errors[0];
      cold[kind].push(first.frame);
      warm[kind].push(second.frame);
      await context.close();
    }
  }
  console.log('\n== open latency: connect() call -> dialog painted with the first field focused ==');
  console.log(`cold  entra-connect ${describe(cold.sdk)}`);
  console.log(`cold  vanilla       ${describe(cold.vanilla)}`);
  console.log(`warm  entra-connect ${describe(warm.sdk)}`);
  console.log(`warm  vanilla       ${describe(warm.vanilla)}`);
  const coldRatio = median(cold.sdk) / median(cold.vanilla);
  const warmRatio = median(warm.sdk) / median(warm.vanilla);
  console.log(`ratio to vanilla: cold ${coldRatio.toFixed(2)}x (budget 3x), warm ${warmRatio.toFixed(2)}x (budget 2x)`);

  // 3. Leaks over repeated open/close by every close path.
  const { context, page, errors } = await freshPage();
  const cdp = await context.newCDPSession(page);
  const counters = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const dom = await cdp.send('Memory.getDOMCounters');
    const { usedSize: heap } = await cdp.send('Runtime.getHeapUsage');
    const wasm = await page.evaluate('window.wasmMemoryBytes()');
    return { nodes: dom.nodes, listeners: dom.jsEventListeners, heap, wasm };
  };
  await page.evaluate('window.cycle(4)'); // one-time allocations (stylesheet, locale, caches)
  const before = await counters();
  const paths = await page.evaluate(`window.cycle(${cycles})`);
  const after = await counters();
  if (errors.length) throw errors[0];
  console.log(`\n== leaks after ${cycles} open/close cycles (close paths: ${JSON.stringify(paths)}) ==`);
  console.log(`document nodes     ${before.nodes} -> ${after.nodes}   (${after.nodes - before.nodes >= 0 ? '+' : ''}${after.nodes - before.nodes})`);
  console.log(`event listeners    ${before.listeners} -> ${after.listeners}   (${after.listeners - before.listeners >= 0 ? '+' : ''}${after.listeners - before.listeners})`);
  console.log(`JS heap            ${(before.heap / 1024).toFixed(0)} KB -> ${(after.heap / 1024).toFixed(0)} KB`);
  console.log(`wasm memory        ${before.wasm / 1024} KB -> ${after.wasm / 1024} KB   (+${(after.wasm - before.wasm) / 1024} KB, budget 64 KB)`);

  // 4. validate() throughput and keystroke-to-feedback latency.
  const rate = await page.evaluate('window.validateRate(1000)');
  const feedback = await page.evaluate('window.keystrokeFeedback(21)');
  console.log('\n== validation ==');
  console.log(`validate() calls per second   ${Math.round(rate).toLocaleString('en-US')}`);
  console.log(`keystroke -> feedback         ${describe(feedback)}`);
  await context.close();
} finally {
  await browser.close();
  await site.stop();
}
