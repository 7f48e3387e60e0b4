/**
 * The HTML report in a real browser (Debian's Chromium driven by playwright-core): it renders, sorts,
 * filters, expands, makes no request but its own file, logs no error, and the hostile report's payloads
 * never run. Also takes a screenshot of the report of samples/ plus a log with a hostile EHLO; with UPDATE_SCREENSHOT=1 it replaces
 * docs/report-screenshot.png, so an ordinary test run leaves the working tree as it was.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../src/output/html.js';
import type { Report } from '../src/types.js';
import { XSS_EHLO, XSS_HOST, XSS_SAMPLE, cleanReport, hostileReport } from './fixtures/html/report.js';
import { scan } from '../src/scan.js';

const XSS_EHLO_LOG = '<img src=x onerror=alert(3)>';
const HOSTILE_RECEIVE_LOG = [
  '\uFEFF#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  '#Log-type: SMTP Receive Protocol Log',
  '#Date: 2025-11-10T11:00:00.000Z',
  '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
  '2025-11-10T11:00:01.000Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,0,10.0.1.30:25,203.0.113.66:40000,+,,',
  '2025-11-10T11:00:01.010Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,1,10.0.1.30:25,203.0.113.66:40000,>,220 EVIL Microsoft ESMTP MAIL Service ready,',
  `2025-11-10T11:00:01.020Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,2,10.0.1.30:25,203.0.113.66:40000,<,EHLO ${XSS_EHLO_LOG},`,
  '2025-11-10T11:00:01.030Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,3,10.0.1.30:25,203.0.113.66:40000,>,250  EVIL Hello [203.0.113.66] SIZE STARTTLS AUTH,',
  '2025-11-10T11:00:01.040Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,4,10.0.1.30:25,203.0.113.66:40000,<,MAIL FROM:<x@evil.example>,',
  '2025-11-10T11:00:01.050Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,5,10.0.1.30:25,203.0.113.66:40000,>,250 2.1.0 Sender OK,',
  '2025-11-10T11:00:01.060Z,EVIL\\Default Frontend EVIL,08DE1B4BA26EFFF1,6,10.0.1.30:25,203.0.113.66:40000,-,,Remote',
  '',
].join('\r\n');

const CHROMIUM = '/usr/bin/chromium';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DOCS_SCREENSHOT = join(ROOT, 'docs', 'report-screenshot.png');
const FIXED_NOW = new Date('2024-05-14T19:05:00.000Z');

let browser: Browser | undefined;
let dir = '';

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: run scripts/install-browser.sh first (CI runs it before the tests).`);
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  dir = mkdtempSync(join(tmpdir(), 'logscan-html-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  context: BrowserContext;
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

function writeReport(report: Report, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, renderHtml(report, { generatedAt: FIXED_NOW }));
  return pathToFileURL(file).href;
}

async function open(report: Report, name: string, contextOptions: Parameters<Browser['newContext']>[0] = {}): Promise<Opened> {
  if (!browser) throw new Error('browser not started');
  const url = writeReport(report, name);
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...contextOptions });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { context, page, url, requests, errors, dialogs };
}

function hostOrder(page: Page): Promise<string[]> {
  return page.$$eval('#groups > tbody', (bodies) => bodies.map((b) => b.querySelector('td.host .h')?.textContent ?? ''));
}

function visibleHosts(page: Page): Promise<string[]> {
  return page.locator('#groups > tbody:visible > tr.row td.host .h').allTextContents();
}

/** Expected order for a numeric column the page sorts "largest first" on the first click. */
function bySessions(report: Report, dir: 1 | -1): string[] {
  return report.groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => (a.g.sessions - b.g.sessions) * dir || a.i - b.i)
    .map((x) => x.g.remoteHost);
}

describe('HTML report in Chromium', () => {
  it('renders the chart and one visible row per group without requests, errors or dialogs', async () => {
    const report = hostileReport();
    const o = await open(report, 'hostile.html');
    try {
      const svg = o.page.locator('svg.timeline');
      await expect(svg.isVisible()).resolves.toBe(true);
      const box = await svg.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(600);
      const expectedRects = (report.timeline?.points ?? []).reduce((s, p) => s + Object.values(p.byCategory).filter((n) => n > 0).length, 0);
      expect(await o.page.locator('svg.timeline rect').count()).toBe(expectedRects);

      expect(await o.page.locator('#groups > tbody').count()).toBe(report.groups.length);
      expect(await o.page.locator('#groups tr.row:visible').count()).toBe(report.groups.length);
      expect(await o.page.locator('#groups tr.detail:visible').count()).toBe(0);
      expect(await o.page.locator('#group-count').textContent()).toBe(`Showing ${report.groups.length} of ${report.groups.length} groups`);
      const hostsWithTls = report.hosts.filter((h) => Object.values(h.tlsVersions).some((n) => (n ?? 0) > 0)).length;
      expect(await o.page.locator('#tls-hosts .tlsrow:visible').count()).toBe(hostsWithTls);

      // The hostile strings are on the page as text, and built no element.
      expect(await o.page.locator('#groups td.host .h', { hasText: XSS_HOST }).count()).toBe(1);
      expect(await o.page.locator('img').count()).toBe(0);
      expect(await o.page.locator('svg').count()).toBe(1);
      expect(await o.page.locator('script').count()).toBe(2);
      expect(await o.page.locator('a[href^="javascript:" i], a[href^="data:" i]').count()).toBe(0);

      expect(o.requests).toEqual([o.url]);
      expect(o.errors).toEqual([]);
      expect(o.dialogs).toEqual([]);
    } finally {
      await o.context.close();
    }
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    const report = hostileReport();
    const o = await open(report, 'sort.html');
    try {
      const initial = await hostOrder(o.page);
      expect(initial).toEqual(report.groups.map((g) => g.remoteHost));
      const header = o.page.locator('#groups thead th', { hasText: 'Sessions' });
      await header.locator('button').click();
      const desc = await hostOrder(o.page);
      expect(desc).toEqual(bySessions(report, -1));
      expect(desc).not.toEqual(initial);
      await expect(header.getAttribute('aria-sort')).resolves.toBe('descending');
      await header.locator('button').click();
      expect(await hostOrder(o.page)).toEqual(bySessions(report, 1));
      await expect(header.getAttribute('aria-sort')).resolves.toBe('ascending');

      // A text column: first seen, oldest first (ISO strings order like times).
      await o.page.locator('#groups thead th', { hasText: 'First seen' }).locator('button').click();
      const byFirst = report.groups
        .map((g, i) => ({ g, i }))
        .sort((a, b) => Date.parse(a.g.firstSeen ?? '') - Date.parse(b.g.firstSeen ?? '') || a.i - b.i)
        .map((x) => x.g.remoteHost);
      expect(await hostOrder(o.page)).toEqual(byFirst);
      expect(o.errors).toEqual([]);
    } finally {
      await o.context.close();
    }
  });

  it('hides rows with the category filter and the text filter', async () => {
    const report = hostileReport();
    const o = await open(report, 'filter.html');
    try {
      const has = (id: string) => report.groups.filter((g) => (g.byCategory[id] ?? 0) > 0).map((g) => g.remoteHost);
      // Unchecking legacy TLS hides the groups whose only finding is legacy TLS.
      await o.page.locator('#groups-section label', { hasText: 'Legacy TLS' }).locator('input').uncheck();
      const onlyLegacy = report.groups.filter((g) => {
        const cats = Object.entries(g.byCategory).filter(([, n]) => n > 0).map(([c]) => c);
        return cats.length > 0 && cats.every((c) => c === 'legacy-tls');
      });
      expect(onlyLegacy.length).toBeGreaterThan(0);
      const visible = await visibleHosts(o.page);
      expect(visible).toHaveLength(report.groups.length - onlyLegacy.length);
      for (const g of onlyLegacy) expect(visible).not.toContain(g.remoteHost);

      // None, then plaintext only.
      await o.page.locator('#cats-none').click();
      expect(await visibleHosts(o.page)).toEqual([]);
      await o.page.locator('#groups-section label', { hasText: 'Plaintext' }).locator('input').check();
      expect(await visibleHosts(o.page)).toEqual(has('plaintext'));
      expect(await o.page.locator('#group-count').textContent()).toBe(`Showing ${has('plaintext').length} of ${report.groups.length} groups`);

      // All again, then a text filter on an EHLO name.
      await o.page.locator('#cats-all').click();
      await o.page.locator('#group-search').fill('TAILSPIN');
      expect(await visibleHosts(o.page)).toEqual(report.groups.filter((g) => g.remoteNames.some((n) => n.includes('tailspin'))).map((g) => g.remoteHost));
      expect(o.errors).toEqual([]);
    } finally {
      await o.context.close();
    }
  });

  it('expands a row to its evidence samples, and the XSS payloads stay text', async () => {
    const report = hostileReport();
    const o = await open(report, 'expand.html');
    try {
      const printer = report.groups.find((g) => g.remoteHost === '10.20.4.17');
      const sample = printer?.samples[0];
      if (!printer || !sample) throw new Error('fixture changed');
      const body = o.page.locator('#groups > tbody', { has: o.page.locator('td.host .h', { hasText: printer.remoteHost }) });
      const detail = body.locator('tr.detail');
      await expect(detail.isVisible()).resolves.toBe(false);
      await body.locator('button.expander').click();
      await expect(detail.isVisible()).resolves.toBe(true);
      await expect(body.locator('button.expander').getAttribute('aria-expanded')).resolves.toBe('true');
      const shown = await detail.locator('table.samples td.text').allTextContents();
      expect(shown).toEqual(printer.samples.map((s) => s.text));
      expect(await detail.textContent()).toContain(`${sample.source}:${sample.line}`);
      await body.locator('button.expander').click();
      await expect(detail.isVisible()).resolves.toBe(false);

      const evil = o.page.locator('#groups > tbody', { has: o.page.locator('td.host .h', { hasText: XSS_HOST }) });
      await evil.locator('button.expander').click();
      const texts = await evil.locator('table.samples td.text').allTextContents();
      expect(texts).toContain(XSS_SAMPLE);
      expect(texts.some((t) => t.includes(XSS_EHLO))).toBe(true);
      expect(await o.page.locator('img').count()).toBe(0);

      await o.page.locator('#expand-all').click();
      expect(await o.page.locator('#groups tr.detail:visible').count()).toBe(report.groups.length);
      await o.page.locator('#collapse-all').click();
      expect(await o.page.locator('#groups tr.detail:visible').count()).toBe(0);
      // Hovering the hostile names must not fire handlers either.
      await o.page.locator('#groups td.host', { hasText: XSS_HOST }).hover();
      await o.page.locator('.catcard', { hasText: 'alert(6)' }).hover();
      expect(o.dialogs).toEqual([]);
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([o.url]);
    } finally {
      await o.context.close();
    }
  });

  it('enforces its CSP: scripts in the page cannot reach the network', async () => {
    // A real listener counts what would leak; Chromium reports CSP-blocked loads as requests, so the
    // request log alone cannot tell "sent" from "blocked".
    let hits = 0;
    const server = createServer((_req, res) => {
      hits += 1;
      res.end('x');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    const o = await open(hostileReport(), 'csp.html');
    try {
      const target = `http://127.0.0.1:${port}`;
      // Strings, not functions: the type-check has no DOM lib, and this code runs in the page anyway.
      const fetched = await o.page.evaluate(
        `fetch(${JSON.stringify(`${target}/leak`)}).then(() => 'fetched', () => 'blocked')`,
      );
      expect(fetched).toBe('blocked');
      await o.page.evaluate(`(() => {
        const img = document.createElement('img');
        img.src = ${JSON.stringify(`${target}/pixel.png`)};
        document.body.append(img);
        const link = document.createElement('link');
        link.rel = 'stylesheet';
        link.href = ${JSON.stringify(`${target}/style.css`)};
        document.head.append(link);
      })()`);
      await o.page.waitForTimeout(300);
      expect(hits).toBe(0);
      expect(o.errors.filter((e) => /Content Security Policy/i.test(e)).length).toBeGreaterThanOrEqual(3);
    } finally {
      await o.context.close();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('works without JavaScript (evidence shown, controls hidden) and prints without controls', async () => {
    const report = cleanReport();
    const o = await open(report, 'nojs.html', { javaScriptEnabled: false });
    try {
      expect(await o.page.locator('#groups tr.row:visible').count()).toBe(report.groups.length);
      expect(await o.page.locator('#groups tr.detail:visible').count()).toBe(report.groups.length);
      expect(await o.page.locator('.controls').isVisible()).toBe(false);
    } finally {
      await o.context.close();
    }
    const p = await open(report, 'print.html');
    try {
      await p.page.emulateMedia({ media: 'print' });
      expect(await p.page.locator('.controls').isVisible()).toBe(false);
      expect(await p.page.locator('nav.toc').isVisible()).toBe(false);
      expect(await p.page.locator('#groups tr.row:visible').count()).toBe(report.groups.length);
    } finally {
      await p.context.close();
    }
  });

  it('renders the report of samples/ (plus a hostile EHLO) and takes its screenshot', async () => {
    const hostileLog = join(dir, 'EVIL', 'FrontEnd', 'ProtocolLog', 'SmtpReceive', 'RECV2025111011-1.LOG');
    mkdirSync(dirname(hostileLog), { recursive: true });
    writeFileSync(hostileLog, HOSTILE_RECEIVE_LOG);
    const report = await scan([join(ROOT, 'samples'), hostileLog]);
    expect(report.groups.some((g) => g.remoteNames.includes(XSS_EHLO_LOG))).toBe(true);
    const o = await open(report, 'samples.html');
    try {
      expect(await o.page.locator('#groups tr.row:visible').count()).toBe(report.groups.length);
      expect(await o.page.locator('svg').first().isVisible()).toBe(true);
      // The hostile name is shown as text, never parsed as markup.
      expect(await o.page.locator('#groups td.host', { hasText: XSS_EHLO_LOG }).count()).toBeGreaterThan(0);
      expect(await o.page.locator('#groups img').count()).toBe(0);
      // Show one expanded group so the screenshot documents the evidence view.
      const first = o.page.locator('#groups > tbody').first();
      await first.locator('button.expander').click();
      await expect(first.locator('tr.detail').isVisible()).resolves.toBe(true);
      const shot = process.env.UPDATE_SCREENSHOT === '1' ? DOCS_SCREENSHOT : join(dir, 'report-screenshot.png');
      mkdirSync(dirname(shot), { recursive: true });
      await o.page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([o.url]);
      expect(o.dialogs).toEqual([]);
    } finally {
      await o.context.close();
    }
  });
});
