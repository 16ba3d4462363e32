// Shared helpers for the browser tests (node --test tests/browser/*.test.mjs).
//
// The tests drive Debian's Chromium (/usr/bin/chromium, headless) with npm's playwright-core
// against a real server (BASE_URL) serving web/ and the API over a database seeded with
// sql/seed/demo.sql, as tests/api do. Every page a test opens records console errors, uncaught
// exceptions and Content-Security-Policy violations; assertClean() fails the test on any of them
// (a test names the HTTP error statuses it provokes on purpose, which Chromium logs as
// "Failed to load resource"). Screenshots go to tests/browser/screenshots/ (git-ignored).
//
// Environment: BASE_URL (default http://127.0.0.1:8080), CHROMIUM (default /usr/bin/chromium),
// JWT_SECRET (optional: lets a test make a correctly signed but expired token).

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export { assert };
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const PASSWORD = 'demo12345';
export const SCREENSHOTS = resolve(ROOT, 'tests/browser/screenshots');
// Lower-case alphanumeric: survives the diacritics-insensitive search unchanged.
export const RUN = 'b' + Date.now().toString(36) + randomBytes(2).toString('hex');

export const DEMO = {
  province: '79', // Thành phố Hồ Chí Minh (sql/seed/demo.sql)
  district: '990', // Khu vực Thủ Dầu Một (tests/fixtures/intermediate-level.sql)
  commune: '25747', // Phường Thủ Dầu Một (Phường Phú Cường until the 2025 reform), under 990
  dianDistrict: '991', // Khu vực Dĩ An (tests/fixtures/intermediate-level.sql)
  dian: '25942', // Phường Dĩ An, under 991
  accounts: ['demo.province', 'demo.district', 'demo.commune', 'demo.enterprise', 'demo.readonly', 'demo.commune.dian'],
};

let seq = 0;
export function uniq(prefix) {
  seq += 1;
  return `${prefix} ${RUN}-${seq}`;
}

// ---------------------------------------------------------------------------------------------
// The API, for fixtures and for the figures the pages must show.

const tokens = new Map();

export async function token(username) {
  if (!tokens.has(username)) {
    const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    assert.equal(res.status, 200, `sign-in of ${username}`);
    tokens.set(username, (await res.json()).access_token);
  }
  return tokens.get(username);
}

/** api('GET', '/teams', {as: 'demo.commune', query, body}) → {status, json}. */
export async function api(method, path, { as = 'demo.province', query, body, raw, type } = {}) {
  const url = new URL(`${BASE_URL}/api/v1${path}`);
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined) url.searchParams.set(k, v);
  const headers = { Authorization: `Bearer ${await token(as)}`, Accept: 'application/json' };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    headers['Content-Type'] = type || 'text/csv';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body: payload });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

export async function apiOk(method, path, opts) {
  const res = await api(method, path, opts);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return res.json;
}

/** A correctly signed token that expired an hour ago (needs JWT_SECRET), else a malformed one. */
export function staleToken(claims) {
  const secret = process.env.JWT_SECRET;
  if (!secret) return 'not.a.token';
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = b64({ ...claims, iss: process.env.JWT_ISSUER || 'cdt', aud: process.env.JWT_AUDIENCE || 'cdt-api', iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
  const head = b64({ alg: 'HS256', typ: 'JWT' });
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

// ---------------------------------------------------------------------------------------------
// Formats the pages must use (web/js/i18n.js): numbers 12.548, dates dd/mm/yyyy.

const NUMBER = new Intl.NumberFormat('vi-VN');
const PERCENT = new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 });
export const fmtNumber = (n) => NUMBER.format(n);
export const fmtPercent = (r) => (r === null || r === undefined ? '—' : PERCENT.format(r));
export const fmtDate = (iso) => iso.split('-').reverse().join('/');

// ---------------------------------------------------------------------------------------------
// The browser.

const ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let browserPromise;
export function browser() {
  if (!browserPromise) {
    browserPromise = chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
  }
  return browserPromise;
}

export async function closeBrowser() {
  if (browserPromise) await (await browserPromise).close();
  browserPromise = undefined;
}

export const PHONE = { width: 360, height: 780 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * A fresh context and page (its own sessionStorage), watching for console errors, uncaught
 * exceptions, CSP violations and dialogs (alert() would mean injected script ran).
 */
export async function newPage(viewport = DESKTOP, contextOptions = {}) {
  // Neither locale nor time zone is set: the client must not depend on the browser's.
  const context = await (await browser()).newContext({ viewport, ...contextOptions });
  const page = await context.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') page.problems.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('dialog', async (d) => {
    page.dialogs.push(d.message());
    await d.dismiss();
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.setDefaultTimeout(30000);
  return page;
}

/**
 * Fails on console errors, exceptions, CSP violations or dialogs, except the HTTP statuses
 * (allowStatus) and other messages (allow: regexps) that the test provoked on purpose.
 */
export async function assertClean(page, { allowStatus = [], allow = [] } = {}) {
  const allowed = (p) => allowStatus.some((s) => p.includes(`Failed to load resource: the server responded with a status of ${s}`))
    || allow.some((re) => re.test(p));
  const problems = page.problems.filter((p) => !allowed(p));
  const csp = await page.evaluate(() => window.__csp || []).catch(() => []);
  assert.deepEqual(problems, [], `console errors or exceptions on ${page.url()}`);
  assert.deepEqual(csp, [], `CSP violations on ${page.url()}`);
  assert.deepEqual(page.dialogs, [], `dialogs on ${page.url()}`);
}

export async function close(page) {
  await page.context().close();
}

export async function goto(page, hash) {
  await page.goto(`${BASE_URL}/${hash}`);
}

/** Signs in through the form and waits for the dashboard (or `then`) to be shown. */
export async function signIn(page, username, { hash = '#/' } = {}) {
  await goto(page, hash === '#/' ? '#/signin' : hash);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(PASSWORD);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL((url) => !url.hash.startsWith('#/signin'));
  await page.locator('#page-title').first().waitFor();
}

/**
 * Waits until the page for the current address has rendered (the app marks body[data-rendered])
 * and nothing on it is loading any more.
 */
/** Clicks what starts a download and resolves to the download (playwright's Download). */
export async function downloadBy(locator) {
  const [download] = await Promise.all([locator.page().waitForEvent('download'), locator.click()]);
  return download;
}

export async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.rendered === (location.hash || '#/')
    && !document.querySelector('[aria-busy="true"], .loading'), null, { polling: 100 });
}

/** The page is no wider than the viewport (no horizontal scrolling). */
export async function assertNoHorizontalScroll(page) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `page scrolls sideways on ${page.url()}: ${scroll} > ${width}`);
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Chooses an option of a <select> by its visible label. */
export async function choose(locator, text) {
  await locator.selectOption({ label: text });
}

/** YYYY-MM-DD, `days` from today (UTC; fine for due dates weeks ahead). */
export function todayPlus(days) {
  return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}
