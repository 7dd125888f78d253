/**
 * Headless Chromium for the end-to-end tests, driven by playwright-core (no bundled browser: the
 * system's chromium, or CHROMIUM_PATH). Without a browser the tests are skipped locally with a
 * visible reason, but in CI they fail: a browser suite that silently skips proves nothing.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';


export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

function findMissingBrowser(): string | undefined {
  if (existsSync(chromiumPath)) return undefined;
  const reason = `Chromium not found at ${chromiumPath} (set CHROMIUM_PATH)`;
  if (process.env['CI']) throw new Error(`${reason}: end-to-end tests must not be skipped in CI`);
  console.warn(`Skipping end-to-end tests: ${reason}`);
  return reason;
}

/** Why the browser tests cannot run here, or undefined when they can. Use with describe.skipIf. */
export const browserMissing: string | undefined = findMissingBrowser();

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true });
}

let shared: Promise<Browser> | undefined;

/**
 * This worker's Chromium, started at its first use: browser test files run one after another in a
 * worker (vitest.config.ts: not isolated) and each opens its own contexts in it, instead of each
 * starting a browser (~0.5 s). Playwright ends it when the worker exits; if it crashes, the next
 * file starts another.
 */
export function sharedBrowser(): Promise<Browser> {
  shared ??= chromium
    .launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false })
    .then((browser) => {
      browser.on('disconnected', () => (shared = undefined));
      return browser;
    });
  return shared;
}

/** What a test file leaves in the shared browser when it ends: nothing, so the next file starts clean. */
export async function closeContexts(browser: Browser): Promise<void> {
  await Promise.all(browser.contexts().map((context) => context.close()));
}

/** A desktop-sized page (or the given viewport) as a user in mainland China would see it. */
export async function newPage(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = { width: 1366, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  // Reduced motion: dialogs open without animation, so a click never lands on a moving button.
  const context = await browser.newContext({ baseURL, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
  const page = await context.newPage();
  return { context, page };
}

export const resultsDir = path.resolve('test-results');

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(resultsDir, name);
  // In CI nobody looks at the pictures of passing steps, and a full-page capture costs up to a
  // second of the run's CPU each: CI keeps only those of failures (failed-*.png).
  if (process.env['CI'] && !name.startsWith('failed')) return file;
  await mkdir(resultsDir, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
