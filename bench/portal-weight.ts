/**
 * `npx tsx bench/portal-weight.ts`: what a visitor's browser downloads to show the login page, and
 * how soon it paints — measured in Chromium (playwright-core) against a server process started as
 * `npm start` starts it, on loopback. For each page: the JS and CSS as transferred (compressed) and
 * as decoded, the number of files, the bytes a second visit transfers (the hashed assets come from
 * the cache), and the median first contentful paint over BENCH_LOADS cold loads (each in a new
 * browser context: empty cache). Issue 17's goal: the login page ≤ 300 KB of compressed JS and CSS,
 * first contentful paint ≤ 0.5 s. The web build is made first when stale (scripts/build-web.mjs).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumPath } from '../test/support/browser.ts';
import { freePort, startServerProcess } from '../test/support/process.ts';
import { percentile } from './stats.ts';

const LOADS = Number(process.env['BENCH_LOADS'] ?? 7);
const GOAL_BYTES = 300 * 1024;
const GOAL_FCP_MS = 500;

/**
 * Main before issue 17 (27e078c), measured with this bench on the same machine (median of two
 * runs of 7 loads, 696 and 788 ms; the issue saw 1.9 s): one 1,580,122-byte script and a 4,642-byte
 * stylesheet sent uncompressed with `max-age=0`, revalidated on every visit; the same bundle for
 * every page.
 */
const BEFORE: Load = { jsCssTransferred: 1_584_764, jsCssDecoded: 1_584_764, files: 2, fcpMs: 742, lcpMs: 742, repeatTransferred: 922 };

interface Load {
  jsCssTransferred: number;
  jsCssDecoded: number;
  files: number;
  fcpMs: number;
  lcpMs: number;
  repeatTransferred: number;
}

interface Entry {
  name: string;
  transferSize: number;
  encodedBodySize: number;
  decodedBodySize: number;
}

const isJsOrCss = (url: string) => /\.(m?js|css)(\?|$)/.test(new URL(url).pathname);

async function loadOnce(browser: Browser, base: string, pagePath: string, ready: string): Promise<Load> {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1366, height: 800 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    await page.goto(pagePath, { waitUntil: 'networkidle' });
    await page.getByText(ready, { exact: false }).first().waitFor();
    const measure = () =>
      page.evaluate(async () => ({
        resources: performance.getEntriesByType('resource').map((e) => {
          const r = e as PerformanceResourceTiming;
          return { name: r.name, transferSize: r.transferSize, encodedBodySize: r.encodedBodySize, decodedBodySize: r.decodedBodySize };
        }),
        navigation: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.transferSize ?? 0,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
        lcp: await new Promise<number>((resolve) => {
          new PerformanceObserver((list) => resolve(list.getEntries().at(-1)?.startTime ?? Number.NaN)).observe({ type: 'largest-contentful-paint', buffered: true });
          setTimeout(() => resolve(Number.NaN), 1000);
        }),
      }));
    const first = await measure();
    const assets: Entry[] = first.resources.filter((e) => isJsOrCss(e.name));
    // A second visit in the same browser: a new navigation, the cache kept.
    await page.goto(pagePath, { waitUntil: 'networkidle' });
    await page.getByText(ready, { exact: false }).first().waitFor();
    const second = await measure();
    const repeat = second.navigation + second.resources.filter((e) => isJsOrCss(e.name)).reduce((sum, e) => sum + e.transferSize, 0);
    return {
      jsCssTransferred: assets.reduce((sum, e) => sum + e.encodedBodySize, 0),
      jsCssDecoded: assets.reduce((sum, e) => sum + e.decodedBodySize, 0),
      files: assets.length,
      fcpMs: first.fcp,
      lcpMs: first.lcp,
      repeatTransferred: repeat,
    };
  } finally {
    await context.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`.padStart(10);
const ms = (value: number) => `${value.toFixed(0).padStart(5)} ms`;

function print(label: string, l: Load): void {
  console.log(
    `${label.padEnd(22)} JS+CSS ${kb(l.jsCssTransferred)} sent ${kb(l.jsCssDecoded)} decoded, ${String(l.files).padStart(2)} files` +
      `   FCP ${ms(l.fcpMs)}   LCP ${ms(l.lcpMs)}   second visit ${kb(l.repeatTransferred)}`,
  );
}

async function measurePage(browser: Browser, base: string, label: string, pagePath: string, ready: string): Promise<Load> {
  await loadOnce(browser, base, pagePath, ready); // warm-up: the server's first answers, Chromium's compile cache aside
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) loads.push(await loadOnce(browser, base, pagePath, ready));
  const median = (pick: (l: Load) => number) => percentile(loads.map(pick).sort((a, b) => a - b), 50);
  const last = loads[loads.length - 1]!;
  const result = { ...last, fcpMs: median((l) => l.fcpMs), lcpMs: median((l) => l.lcpMs) };
  print(label, result);
  return result;
}

execFileSync(process.execPath, ['scripts/build-web.mjs', '--if-stale'], { stdio: 'inherit' });
const dataDir = mkdtempSync(path.join(tmpdir(), 'certdesk-bench-web-'));
const server = await startServerProcess({ CERTDESK_MODE: 'development', LOG_LEVEL: 'warn', DATA_DIR: dataDir, DATABASE_URL: '' }, await freePort());
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  console.log(`\nThe portal in Chromium on loopback: JS and CSS of a first visit, medians of FCP and LCP over ${LOADS} cold loads, ${new Date().toISOString()}`);
  print('before: /login', BEFORE);
  const login = await measurePage(browser, server.url, 'login page /login', '/login', '免密码登录');
  await measurePage(browser, server.url, 'staff /console/login', '/console/login', '用户名');
  await measurePage(browser, server.url, 'public /verify', '/verify', '证书与电子印章验证');
  const bytesMet = login.jsCssTransferred <= GOAL_BYTES;
  const fcpMet = login.fcpMs <= GOAL_FCP_MS;
  console.log(
    `login page goal ≤ 300 KB JS+CSS: ${bytesMet ? 'met' : 'NOT met'} (${(BEFORE.jsCssTransferred / login.jsCssTransferred).toFixed(1)}× less than before); ` +
      `FCP ≤ 500 ms: ${fcpMet ? 'met' : 'NOT met'} (${(BEFORE.fcpMs / login.fcpMs).toFixed(1)}× sooner; the login form itself, LCP, ${(BEFORE.lcpMs / login.lcpMs).toFixed(1)}× sooner)`,
  );
} finally {
  await browser.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
