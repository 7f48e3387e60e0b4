/**
 * The HTML report without a browser: structure, self-containment, and that hostile log text only ever
 * appears escaped. The browser behaviour is in html.browser.test.ts.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketRange,
  bucketStart,
  chooseBucket,
  denseTimeline,
  deriveTimeline,
  MAX_BUCKETS,
  niceScale,
  renderTimelineSvg,
} from '../src/output/html-chart.js';
import { escapeHtml, formatSpan, formatTime, jsonForScript, safeHttpUrl } from '../src/output/html-text.js';
import { renderHtml } from '../src/output/html.js';
import { categoryInfo } from '../src/classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE } from '../src/classify/rules.js';
import type { Report, ReportGroup } from '../src/types.js';
import {
  CATEGORIES,
  XSS_CATEGORY,
  XSS_DOCS,
  XSS_EHLO,
  XSS_FILE,
  XSS_HOST,
  XSS_SAMPLE,
  buildReport,
  cleanGroups,
  cleanReport,
  hostileReport,
} from './fixtures/html/report.js';

const NOW = new Date('2024-05-14T19:05:00.000Z');

function render(report: Report): string {
  return renderHtml(report, { generatedAt: NOW });
}

/** Every `<script>` block, with its attributes and content. */
function scripts(html: string): Array<{ attrs: string; body: string }> {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? '', body: m[2] ?? '' }));
}

function attributeValues(html: string, name: string): string[] {
  return [...html.matchAll(new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'gi'))].map((m) => m[1] ?? '');
}

function dataBlock(html: string): { columns: Array<{ key: string; type: string }>; cats: string[]; rows: Array<{ v: unknown[]; cats: number[]; text: string }> } {
  const block = scripts(html).find((s) => s.attrs.includes('application/json'));
  if (!block) throw new Error('no JSON block');
  return JSON.parse(block.body);
}

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('renderHtml structure', () => {
  const report = cleanReport();
  const html = render(report);

  it('is one HTML document with every section', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    for (const id of ['summary', 'scope', 'timeline', 'groups-section', 'tls', 'categories']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<title>Exchange SMTP TLS mail-flow report</title>');
    expect(render({ ...report })).toBe(html);
    expect(renderHtml(report, { generatedAt: NOW, title: 'Change 4711 <evidence>' })).toContain('<h1>Change 4711 &lt;evidence&gt;</h1>');
  });

  it('states the generation time and the coverage, overall and per server', () => {
    expect(html).toContain('Generated 2024-05-14 19:05:00 UTC by logscan 0.1.0');
    expect(html).toContain('Logs cover <strong>2024-05-13 06:00:02 UTC</strong> → <strong>2024-05-14 18:39:58 UTC</strong>');
    expect(html).toContain('(1 day 12 hours 39 minutes)');
    const scope = html.slice(html.indexOf('id="scope"'), html.indexOf('id="timeline"'));
    for (const s of report.coverage.servers) {
      expect(scope).toContain(`<td class="break">${s.server}</td>`);
      expect(scope).toContain(formatTime(s.from));
    }
  });

  it('lists every input with lines, records, skipped reasons and errors', () => {
    const inputs = html.slice(html.indexOf('<table id="inputs">'), html.indexOf('</table>', html.indexOf('<table id="inputs">')));
    expect(count(inputs, '<tr>')).toBe(report.inputs.length + 1);
    for (const i of report.inputs) {
      expect(inputs).toContain(i.source);
      expect(inputs).toContain(`<td class="num">${i.lines.toLocaleString('en-US')}</td><td class="num">${i.records.toLocaleString('en-US')}</td>`);
    }
    expect(inputs).toContain('80 queue continuation');
    expect(inputs).toContain('1 truncated last line');
    expect(inputs).toContain('<div class="err">refused: message-tracking log (not an SMTP protocol log)</div>');
    expect(html).toContain('6 inputs: 134,861 lines, 134,747 records, 114 lines skipped, <span class="err">1 with errors</span>');
  });

  it('gives every built-in category a colour of its own; the extra colours stay with connect-failed and queue-error', () => {
    const builtin = categoryInfo([...defaultRules, QUEUE_ERROR_RULE]);
    const page = render({ ...report, categories: builtin });
    const summary = page.slice(page.indexOf('id="summary"'), page.indexOf('id="scope"'));
    const colors = new Map([...summary.matchAll(/border-left-color:(#[0-9a-f]{6})"><div class="n">[\d,]+<\/div><div class="l">([^<]+)</g)].map((m) => [m[2]!, m[1]!]));
    const title = (id: string) => builtin.find((c) => c.id === id)!.title;
    expect(colors.size).toBe(builtin.length);
    expect(new Set(colors.values()).size).toBe(builtin.length);
    // A category added to the rules without a fixed colour would take the first extra one and shift these.
    expect(colors.get(title('connect-failed'))).toBe('#0d9488');
    expect(colors.get(title('queue-error'))).toBe('#db2777');
  });

  it('shows the totals per category', () => {
    const summary = html.slice(html.indexOf('id="summary"'), html.indexOf('id="scope"'));
    for (const c of CATEGORIES) {
      const n = report.totals.byCategory[c.id] ?? 0;
      expect(summary).toMatch(new RegExp(`<div class="n">${n.toLocaleString('en-US')}</div><div class="l">${c.title.replace(/[()/]/g, '\\$&')}</div>`));
    }
    expect(summary).toContain(`<div class="n">${report.totals.sessions}</div><div class="l">SMTP sessions</div>`);
  });

  it('top cuts the groups table to the worst groups and says what it left out; totals stay whole', () => {
    expect(report.groups.length).toBeGreaterThan(2);
    const cut = renderHtml(report, { generatedAt: NOW, top: 2 });
    expect(count(cut, '<tbody data-i="')).toBe(2);
    expect(dataBlock(cut).rows).toHaveLength(2);
    expect(cut).toContain(`This page shows the 2 worst of ${report.groups.length} groups; the other ${report.groups.length - 2} are in the JSON and CSV reports`);
    // The first two groups of the report, in its order.
    const sessions = dataBlock(cut).columns.findIndex((c) => c.key === 'sessions');
    expect(dataBlock(cut).rows.map((r) => r.v[sessions])).toEqual(report.groups.slice(0, 2).map((g) => g.sessions));
    // The summary still counts every group.
    expect(cut).toContain(`<div class="n">${report.groups.length}</div><div class="l">groups (connector + remote host)</div>`);
    expect(html).not.toContain('This page shows the');
    expect(renderHtml(report, { generatedAt: NOW, top: report.groups.length })).toBe(html);
  });

  it('has one table body per group, each with its samples, and sort data for every column', () => {
    expect(count(html, '<tbody data-i="')).toBe(report.groups.length);
    expect(count(html, '<tr class="row">')).toBe(report.groups.length);
    expect(count(html, '<tr class="detail"')).toBe(report.groups.length);
    const samples = report.groups.reduce((s, g) => s + g.samples.length, 0);
    expect(count(html, '<td class="text">')).toBe(samples);
    const data = dataBlock(html);
    expect(data.rows).toHaveLength(report.groups.length);
    const headers = count(html.slice(html.indexOf('<table id="groups">'), html.indexOf('</thead>', html.indexOf('<table id="groups">'))), 'data-sort="');
    expect(headers).toBe(data.columns.length);
    for (const r of data.rows) expect(r.v).toHaveLength(data.columns.length);
    const sessions = data.columns.findIndex((c) => c.key === 'sessions');
    expect(data.rows.map((r) => r.v[sessions])).toEqual(report.groups.map((g) => g.sessions));
    // Filter data: the categories each row has.
    expect(data.rows.map((r) => r.cats.map((i) => data.cats[i]).sort())).toEqual(
      report.groups.map((g) => Object.keys(g.byCategory).filter((k) => (g.byCategory[k] ?? 0) > 0).sort()),
    );
  });

  it('draws the timeline from report.timeline as inline SVG, one rect per non-zero count', () => {
    expect(count(html, '<svg class="timeline"')).toBe(1);
    const rects = (report.timeline?.points ?? []).reduce((s, p) => s + Object.values(p.byCategory).filter((n) => n > 0).length, 0);
    const svg = html.slice(html.indexOf('<svg class="timeline"'), html.indexOf('</svg>'));
    expect(count(svg, '<rect ')).toBe(rects);
    expect(html).not.toContain('Estimated: this report carries no per-finding timeline');
  });

  it('draws one TLS bar per host with TLS data, worst hosts first', () => {
    const tls = html.slice(html.indexOf('id="tls-hosts"'), html.indexOf('id="categories"'));
    const withTls = report.hosts.filter((h) => Object.values(h.tlsVersions).some((n) => (n ?? 0) > 0));
    expect(count(tls, '<div class="tlsrow">')).toBe(withTls.length);
    const order = [...tls.matchAll(/<div class="tlsrow"><div class="h">([^<]*)/g)].map((m) => m[1]);
    expect(order.slice(0, 2)).toEqual(['10.20.4.17', '10.20.8.33']);
    expect(order.at(-1)).toBe('104.47.18.138');
    expect(html).toContain('1 host has no TLS version data');
  });

  it('explains every category with its hint and docs link', () => {
    const cats = html.slice(html.indexOf('id="categories"'));
    for (const c of CATEGORIES) {
      expect(cats).toContain(escapeHtml(c.explanation));
      expect(cats).toContain(escapeHtml(c.hint));
      expect(cats).toContain(`<a href="${c.docs}" rel="noopener noreferrer" target="_blank">`);
    }
  });
});

describe('renderHtml is self-contained', () => {
  const report = hostileReport();
  const html = render(report);

  it('has a CSP that forbids the network and allows exactly its own script', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("img-src data:");
    expect(csp).not.toContain("script-src 'unsafe-inline'");
    const inline = scripts(html).filter((s) => !s.attrs.includes('application/json'));
    expect(inline).toHaveLength(1);
    const hash = createHash('sha256').update(inline[0]?.body ?? '', 'utf8').digest('base64');
    expect(csp).toContain(`script-src 'sha256-${hash}'`);
    // The CSP meta must come before anything that could load.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('loads nothing: no script src, stylesheet, import, url() or remote src/href', () => {
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).not.toMatch(/<link[^>]*rel="stylesheet"/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<(img|iframe|object|embed|video|audio|source)\b/i);
    expect(attributeValues(html, 'src')).toEqual([]);
    // The hostile report replaced plaintext's docs with a javascript: URL; the other four stay links.
    const docs = CATEGORIES.filter((c) => c.id !== 'plaintext').map((c) => c.docs);
    const hrefs = attributeValues(html, 'href');
    expect(hrefs.filter((h) => /^https?:/i.test(h))).toEqual(docs);
    expect(hrefs.filter((h) => !/^https?:/i.test(h)).every((h) => h.startsWith('#') || h === 'data:,')).toBe(true);
  });

  it('renders non-http(s) docs URLs as text, never as links', () => {
    expect(attributeValues(html, 'href').some((h) => /javascript:|data:text/i.test(h))).toBe(false);
    expect(html).toContain(`<span class="mono break">${XSS_DOCS}</span>`);
    expect(html).toContain('<span class="mono break">data:text/html,&lt;script&gt;alert(7)&lt;/script&gt;</span>');
  });

  it('shows hostile log text only escaped', () => {
    for (const raw of [XSS_EHLO, XSS_SAMPLE, XSS_HOST, XSS_CATEGORY, XSS_FILE, '<script>alert(6)</script>']) {
      expect(html).not.toContain(raw);
      expect(html).toContain(escapeHtml(raw));
    }
    expect(count(html, '<script')).toBe(2);
    expect(count(html, '</script>')).toBe(2);
    // No event-handler attribute in any real tag (escaped text has no '<', so it is not matched here).
    const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
    const unquoted = tags.map((t) => t.replace(/"[^"]*"/g, '""'));
    expect(unquoted.filter((t) => /\son[a-z]+\s*=/i.test(t))).toEqual([]);
    expect(tags.some((t) => t.startsWith('<svg') && t.includes('onload'))).toBe(false);
    // The bidi override in an EHLO name is made visible rather than reversing the text.
    expect(html).not.toContain('\u202E');
    expect(html).toContain('evil\\u{202E}moc.elgoog');
  });

  it('embeds its data as JSON that cannot close the script block and round-trips', () => {
    const block = scripts(html).find((s) => s.attrs.includes('application/json'))?.body ?? '';
    expect(block).not.toMatch(/[<>\u2028\u2029]/);
    const data = dataBlock(html);
    const evil = data.rows.find((r) => r.text.includes(XSS_HOST.toLowerCase()));
    expect(evil?.text).toContain(XSS_EHLO.toLowerCase());
    expect(data.cats).toContain(XSS_CATEGORY);
  });

  it('keeps the markup shape whatever text a stranger puts in a name, sample or file name', () => {
    const base = cleanGroups();
    const shape = (s: string): string => {
      const g: ReportGroup = { ...(base[1] as ReportGroup), remoteNames: [s], remoteHost: s, connector: s, samples: [{ source: s, line: 1, sessionId: s, category: 'legacy-tls', detail: s, time: s, text: s }] };
      return render(buildReport([g]));
    };
    const reference = shape('x');
    // The JSON block is checked on its own (it may hold quotes, never '<' or '>'); the markup around it must not move.
    const structure = (h: string) => {
      const markup = h.replace(/<script type="application\/json"[^>]*>[^<]*<\/script>/, '');
      return { lt: count(markup, '<'), gt: count(markup, '>'), quot: count(markup, '"'), apos: count(markup, "'"), amp: count(markup, '&') - count(markup, '&amp;') - count(markup, '&lt;') - count(markup, '&gt;') - count(markup, '&quot;') - count(markup, '&#39;') };
    };
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: fc.constantFrom('<', '>', '"', "'", '&', '/', 'a', 's', '=', ' ', '\u2028', '\u0000', 'script') }), (s) => {
        expect(structure(shape(s))).toEqual(structure(reference));
      }),
      { numRuns: 200 },
    );
  });
});

describe('renderHtml timeline fallbacks', () => {
  it('derives an estimated chart from first/last seen when the report has no timeline', () => {
    const report = buildReport(cleanGroups());
    const html = render(report);
    expect(report.timeline).toBeUndefined();
    expect(html).toContain('Estimated: this report carries no per-finding timeline');
    expect(count(html, '<svg class="timeline"')).toBe(1);
    expect(count(html, '<rect ')).toBeGreaterThan(0);
  });

  it('says so when no finding has a readable time', () => {
    const groups = cleanGroups().map((g) => ({ ...g, firstSeen: 'Date/Time', lastSeen: null }));
    const html = render(buildReport(groups));
    expect(html).toContain('No timeline data');
    expect(html).not.toContain('<svg');
  });

  it('renders an empty report without failing', () => {
    const empty: Report = { ...buildReport([]), inputs: [], coverage: { from: null, to: null, servers: [] }, categories: [] };
    const html = render(empty);
    expect(html).toContain('No groups: no sessions or queue entries were found.');
    expect(html).toContain('the covered period is unknown');
    expect(html).toContain('No inputs were read.');
    expect(count(html, '<tbody data-i=')).toBe(0);
  });
});

describe('timeline buckets', () => {
  const h = 3_600_000;
  it('uses hours up to three days and days beyond', () => {
    expect(chooseBucket(0, 72 * h)).toBe('hour');
    expect(chooseBucket(0, 73 * h)).toBe('day');
  });

  it('aligns buckets to UTC hours and days and caps their number', () => {
    const t = Date.parse('2024-05-13T09:14:02.311Z');
    expect(new Date(bucketStart(t, 'hour')).toISOString()).toBe('2024-05-13T09:00:00.000Z');
    expect(new Date(bucketStart(t, 'day')).toISOString()).toBe('2024-05-13T00:00:00.000Z');
    expect(bucketRange(t, t + 5 * h, 'hour')).toHaveLength(6);
    expect(bucketRange(0, MAX_BUCKETS * h, 'hour')).toBeNull();
    expect(bucketRange(0, (MAX_BUCKETS - 1) * h, 'hour')).toHaveLength(MAX_BUCKETS);
  });

  it('fills gaps in a sparse report timeline and keeps every count', () => {
    const series = denseTimeline({
      bucket: 'hour',
      points: [
        { t: '2024-05-13T10:00:00.000Z', byCategory: { a: 2 } },
        { t: '2024-05-13T13:00:00Z', byCategory: { a: 1, b: 4 } },
        { t: 'not a time', byCategory: { a: 100 } },
      ],
    });
    expect(series?.starts).toHaveLength(4);
    expect(series?.values.get('a')).toEqual([2, 0, 0, 1]);
    expect(series?.values.get('b')).toEqual([0, 0, 0, 4]);
  });

  it('spreads a group evenly over its span without losing or inventing findings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ start: fc.integer({ min: 0, max: 200 }), len: fc.integer({ min: 0, max: 100 }), n: fc.integer({ min: 1, max: 500 }) }), { minLength: 1, maxLength: 8 }),
        (specs) => {
          const base = Date.parse('2024-01-01T00:00:00Z');
          const groups = specs.map((s) => ({
            ...(cleanGroups()[0] as ReportGroup),
            byCategory: { x: s.n },
            firstSeen: new Date(base + s.start * h).toISOString(),
            lastSeen: new Date(base + (s.start + s.len) * h).toISOString(),
          }));
          const series = deriveTimeline(groups);
          const total = (series?.values.get('x') ?? []).reduce((a, b) => a + b, 0);
          expect(total).toBeCloseTo(specs.reduce((a, s) => a + s.n, 0), 6);
        },
      ),
    );
  });

  it('picks a round axis maximum at or above the data', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1e7, noNaN: true }), (max) => {
        const s = niceScale(max);
        expect(s.max).toBeGreaterThanOrEqual(max);
        expect(s.max / s.step).toBeLessThanOrEqual(10);
        expect(Number.isInteger(Math.round((s.max / s.step) * 1e9) / 1e9)).toBe(true);
      }),
    );
  });

  it('titles every column with exact counts and escapes category titles', () => {
    const series = denseTimeline({ bucket: 'day', points: [{ t: '2024-05-13T00:00:00Z', byCategory: { evil: 3 } }] });
    if (!series) throw new Error('no series');
    const svg = renderTimelineSvg(series, [{ id: 'evil', title: '<b>x</b>', color: '#123456' }]);
    expect(svg).toContain('<title>2024-05-13 (UTC day)\n&lt;b&gt;x&lt;/b&gt;: 3</title>');
    expect(svg).toContain('fill="#123456"');
  });
});

describe('text helpers', () => {
  it('escapes JSON so it cannot leave a script block', () => {
    const json = jsonForScript({ s: '</script><!-- \u2028\u2029 &' });
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- \u2028\u2029 &' });
  });

  it('accepts only plain http(s) URLs as links', () => {
    expect(safeHttpUrl('https://learn.microsoft.com/exchange/x')).toBe('https://learn.microsoft.com/exchange/x');
    expect(safeHttpUrl('http://example.com/a?b=c')).toBe('http://example.com/a?b=c');
    for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'java\tscript:alert(1)', ' javascript:x', 'data:text/html,x', 'vbscript:x', '//evil.example/x', '/relative', 'https://user:pw@evil.example/', 'file:///etc/passwd', '', null]) {
      expect(safeHttpUrl(bad)).toBeNull();
    }
  });

  it('formats times in UTC and leaves placeholders as written', () => {
    expect(formatTime('2024-05-13T09:14:02.311Z')).toBe('2024-05-13 09:14:02 UTC');
    expect(formatTime('2024-05-13T11:14:02+02:00')).toBe('2024-05-13 09:14:02 UTC');
    expect(formatTime('Date/Time')).toBe('Date/Time');
    expect(formatSpan('2024-05-13T00:00:00Z', '2024-05-14T02:30:00Z')).toBe('1 day 2 hours 30 minutes');
    expect(formatSpan('2024-05-14T00:00:00Z', '2024-05-13T00:00:00Z')).toBe('');
  });
});

describe('renderHtml group details', () => {
  it('shows AUTH users and certificates of a group, escaped', () => {
    const base = cleanReport();
    const g: ReportGroup = {
      ...(base.groups[0] as ReportGroup),
      authUsers: ['scanner@contoso.com', '<b>x</b>@evil.example'],
      certificates: [{ role: 'Received certificate', subject: 'CN=<i>mx</i>.partner.example', issuer: 'CN=Issuing CA', thumbprint: 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12', notAfter: '2026-01-18T07:41:11.000Z' }],
    };
    const html = renderHtml({ ...base, groups: [g, ...base.groups.slice(1)] }, { generatedAt: NOW });
    expect(html).toContain('<dt>AUTH users</dt><dd class="break">scanner@contoso.com, &lt;b&gt;x&lt;/b&gt;@evil.example</dd>');
    expect(html).toContain('<dt>Received certificate</dt>');
    expect(html).toContain('CN=&lt;i&gt;mx&lt;/i&gt;.partner.example');
    expect(html).toContain('expires 2026-01-18');
    expect(html).not.toContain('<i>mx</i>');
  });
});
