// Shared set-up for the browser tests: a fresh demo server and Debian's chromium.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
export const SPIRE_BIN = process.env.SPIRE_BIN ?? join(here, '..', 'target', 'debug', 'spire');
export const PASSWORD = 'spire-demo-2026';
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const SHOTS = join(here, 'screenshots');
mkdirSync(SHOTS, { recursive: true });

/** The demo database, made once per build of `spire` and copied for each test file:
 * making it is most of a test file's set-up time on two cores. */
function demoTemplate() {
  const binary = statSync(SPIRE_BIN);
  const template = join(tmpdir(), `spire-e2e-template-${binary.size}-${Math.floor(binary.mtimeMs)}`);
  if (existsSync(join(template, 'demo.db'))) return template;
  const making = mkdtempSync(join(tmpdir(), 'spire-e2e-making-'));
  const made = spawnSync(SPIRE_BIN, ['demo', '--db', join(making, 'demo.db'), '--no-serve'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (made.status !== 0) throw new Error(`spire demo --no-serve failed:\n${made.stdout}\n${made.stderr}`);
  try {
    renameSync(making, template);
  } catch (e) {
    if (!existsSync(join(template, 'demo.db'))) throw e;
  }
  return template;
}

/** Starts `spire demo` on a free port with a fresh copy of the demo database;
 * resolves to { url, stop }. A server that does not start is stopped. A port
 * taken meanwhile (another test file's server) is tried again with another. */
export async function startDemo() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDemoOnce();
    } catch (e) {
      if (attempt >= 5 || !String(e.message).includes('Address already in use')) throw e;
    }
  }
}

async function startDemoOnce() {
  const template = demoTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'spire-e2e-'));
  for (const file of ['demo.db', 'demo.key']) copyFileSync(join(template, file), join(dir, file));
  // Below Linux's ephemeral range (32768–60999), where client sockets take ports.
  const port = 20000 + Math.floor(Math.random() * 12000);
  const child = spawn(SPIRE_BIN, ['demo', '--db', join(dir, 'demo.db'), '--bind', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (output.includes('Spire is serving')) break;
    if (child.exitCode !== null) throw new Error(`spire demo exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!output.includes('Spire is serving')) {
    // A server left running would keep the test process, and CI, waiting forever.
    child.kill('SIGKILL');
    throw new Error(`spire demo did not start within 60 s:\n${output}`);
  }
  return { url, output: () => output, stop: () => child.kill('SIGTERM') };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export async function logIn(page, url, login) {
  await page.goto(`${url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL(`${url}/home`), page.click('button[type=submit]')]);
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function accessibilityProblems(page) {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Starts the demo and a browser before the file's tests and stops them after; the
 * returned object holds `server` and `browser` once the tests run. */
export function demoAndBrowser(hooks) {
  const shared = {};
  hooks.before(async () => {
    shared.server = await startDemo();
    shared.browser = await launchBrowser();
  });
  hooks.after(async () => {
    await shared.browser?.close();
    shared.server?.stop();
  });
  return shared;
}

/** A 390 px phone in Danish, touch and all. */
export const phoneContext = (browser) =>
  browser.newContext({ locale: 'da-DK', bypassCSP: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

/** The page fits a 390 px phone: nothing scrolls sideways. */
export async function fitsThePhone(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${page.url()} fits a 390 px phone (overflow ${overflow} px)`);
}
