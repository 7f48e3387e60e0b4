import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { OUTPUT_FORMATS, formatReport, isOutputFormat, type FormatOptions, type OutputFormat } from '../src/output/index.js';
import { ScanOptionError } from '../src/option-error.js';
import { csvChunks, renderCsv } from '../src/output/csv.js';
import { htmlChunks, renderHtml, type HtmlOptions } from '../src/output/html.js';
import { renderJson } from '../src/output/json.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import { mergeReports } from '../src/report/merge.js';
import type { Report } from '../src/types.js';
import { CATEGORIES, FORMULA_EHLO, HOSTILE_EHLO, manyHealthyReport, outputGroups, outputReport, refusedReport, reportOf } from './fixtures/output/report.js';

/** The ScanOptionError `call` throws, or null. */
function catching(call: () => unknown): ScanOptionError | null {
  try {
    call();
    return null;
  } catch (e) {
    return e instanceof ScanOptionError ? e : null;
  }
}

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      allStrings(v, out);
    }
  }
  return out;
}

describe('csv output', () => {
  const report = outputReport();
  const out = renderCsv(report);
  const rows = parse(out, { record_delimiter: '\r\n' }) as string[][];
  const header = rows[0] ?? [];
  const col = (name: string): number => {
    const i = header.indexOf(name);
    expect(i, name).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('has the header row with one column per category and the TLS columns', () => {
    expect(header).toEqual([
      'direction',
      'server',
      'connector',
      'remoteHost',
      'remoteNames',
      'sessions',
      'messages',
      ...CATEGORIES.map((c) => c.id),
      'TLS1.0',
      'TLS1.1',
      'TLS1.2',
      'TLS1.3',
      'SSL3',
      'none',
      'unknown',
      'firstSeen',
      'lastSeen',
      'mainCategory',
      'hint',
      'sample',
      // Appended after every older column, so scripts that read columns by position still work.
      'sampleTime',
      'sampleSessionId',
      'mainFirstSeen',
      'mainLastSeen',
      'authUsers',
      'folded',
    ]);
  });

  it('ends every line with CRLF and has no bare LF or CR', () => {
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.replaceAll('\r\n', '')).not.toMatch(/[\r\n]/);
    expect(out.split('\r\n')).toHaveLength(report.groups.length + 2);
  });

  it('has one row per group with its numbers', () => {
    expect(rows).toHaveLength(1 + report.groups.length);
    for (const g of report.groups) {
      const row = rows.find((r) => r[col('remoteHost')] === g.remoteHost && r[col('direction')] === g.direction);
      expect(row, g.remoteHost).toBeDefined();
      if (row === undefined) continue;
      expect(row[col('server')]).toBe(g.server ?? '');
      expect(row[col('connector')]).toBe(g.connector);
      expect(Number(row[col('sessions')])).toBe(g.sessions);
      expect(Number(row[col('messages')])).toBe(g.messages);
      for (const c of CATEGORIES) expect(Number(row[col(c.id)])).toBe(g.byCategory[c.id] ?? 0);
      for (const v of ['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'SSL3', 'none', 'unknown'] as const) {
        expect(Number(row[col(v)])).toBe(g.tlsVersions[v] ?? 0);
      }
      expect(row[col('firstSeen')]).toBe(g.firstSeen ?? '');
      expect(row[col('lastSeen')]).toBe(g.lastSeen ?? '');
      expect(row[col('mainCategory')]).toBe(g.mainCategory ?? '');
      expect(row[col('hint')]).toBe(g.hint ?? '');
      // A row of the main category when the group has one, else its first row.
      const s = g.samples.find((x) => x.category === g.mainCategory) ?? g.samples[0];
      if (s !== undefined && !/[\u0000-\u001f\u202a-\u202e\ud800-\udfff]/.test(s.text)) expect(row[col('sample')]).toBe(`${s.source}:${s.line} ${s.text}`);
      expect(row[col('sampleTime')]).toBe(s?.time ?? '');
      expect(row[col('sampleSessionId')]).toBe(s?.sessionId ?? '');
    }
  });

  it('puts the worst group first, as the table does (failed sessions, or a failing queue’s messages, before warnings)', () => {
    // The queue entry's 37 messages waiting outweigh the send group's 18 failed sessions; its 24 legacy-tls
    // warnings, which put it first before, no longer count ahead of failures.
    expect(rows.slice(1, 4).map((r) => r[col('remoteHost')])).toEqual(['contoso-com.mail.protection.outlook.com', '104.47.22.74', '203.0.113.50']);
  });

  it('neutralises formula cells and control characters', () => {
    const formula = rows.find((r) => r[col('remoteHost')] === '192.0.2.66');
    expect(formula?.[col('remoteNames')]).toBe(`'${FORMULA_EHLO.join(';')}`);
    for (const row of rows) {
      for (const cell of row) {
        expect(cell).not.toMatch(/^ *[=+\-@\t\r]/);
        expect(cell).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
        expect(LONE.test(cell)).toBe(false);
      }
    }
    const hostile = rows.find((r) => r[col('remoteHost')] === '203.0.113.50');
    expect(hostile?.[col('remoteNames')]).toBe(HOSTILE_EHLO.replace('\u001b', '\\x1B'));
    expect(hostile?.[col('sample')]).toContain('CN=mail\\x1B]0;pwned\\x07.example\\u{202E}gpj.exe, O==HYPERLINK("http://evil.example")');
  });

  it('adds a column for a category that only appears in counts', () => {
    const groups = outputGroups();
    const first = groups[0];
    if (first === undefined) throw new Error('fixture has no groups');
    groups[0] = { ...first, byCategory: { ...first.byCategory, '-user-rule': 2 } };
    const parsed = parse(renderCsv(reportOf(groups)), { record_delimiter: '\r\n' }) as string[][];
    const h = parsed[0] ?? [];
    expect(h).toContain("'-user-rule");
    const i = h.indexOf("'-user-rule");
    expect(parsed.find((r) => r[3] === first.remoteHost)?.[i]).toBe('2');
  });

  it('writes only the header for a report without groups', () => {
    expect(renderCsv(refusedReport()).split('\r\n')).toHaveLength(2);
  });
});

describe('markdown output', () => {
  const report = outputReport();
  const out = renderMarkdown(report);

  /** Cells of a table row, split on unescaped pipes. */
  function cells(line: string): string[] {
    const parts: string[] = [];
    let cur = '';
    for (let i = 0; i < line.length; i += 1) {
      const ch = line[i];
      if (ch === '\\') {
        cur += ch + (line[i + 1] ?? '');
        i += 1;
      } else if (ch === '|') {
        parts.push(cur);
        cur = '';
      } else cur += ch;
    }
    parts.push(cur);
    return parts.slice(1, -1).map((c) => c.trim());
  }

  function tableAfter(heading: string, text = out): string[] {
    const all = text.split('\n');
    const start = all.findIndex((l, i) => i > all.indexOf(heading) && l.startsWith('|'));
    const end = all.findIndex((l, i) => i > start && !l.startsWith('|'));
    return all.slice(start, end);
  }

  it('has the title and the sections in order', () => {
    const headings = out.split('\n').filter((l) => l.startsWith('#'));
    expect(headings.slice(0, 7)).toEqual(['# Exchange SMTP TLS mail-flow report', '## Coverage', '## Inputs', '## Totals', '## Connectors with findings', '## Groups', '## Findings by group']);
    expect(out).toContain('Overall: 2024\\-05\\-13 17:00:05 → 2024\\-05\\-14 18:39:58 UTC (1 d 1 h)'.replaceAll('\\-', '-'));
  });

  it('has an inputs table with every input and its numbers', () => {
    const table = tableAfter('## Inputs');
    expect(cells(table[0] ?? '')).toEqual(['File', 'Kind', 'Lines', 'Records', 'Skipped', 'Error']);
    expect(table).toHaveLength(2 + report.inputs.length);
    const refused = table.find((l) => l.includes('MSGTRK'));
    expect(cells(refused ?? '')).toEqual(['MSGTRK20240513-1.LOG', 'message-tracking', '0', '0', '', 'refused: message-tracking log (not an SMTP protocol log)']);
    const recv = table.find((l) => l.includes('RECV2024051317'));
    expect(cells(recv ?? '').slice(2, 4)).toEqual(['52,310', '52,303']);
  });

  it('has a totals table with every category', () => {
    const table = tableAfter('## Totals');
    expect(cells(table[0] ?? '')).toEqual(['Category', 'Title', 'Findings']);
    for (const c of CATEGORIES) {
      const row = table.find((l) => cells(l)[0] === c.id);
      expect(cells(row ?? '')[2]).toBe(String(report.totals.byCategory[c.id] ?? 0));
    }
  });

  it('has a groups table with the table columns, one row per group, and no stray cells', () => {
    const table = tableAfter('## Groups');
    const header = cells(table[0] ?? '');
    expect(header).toEqual(['Dir', 'Server', 'Connector', 'Remote host', 'Sessions', 'Findings', 'TLS', 'Last seen (UTC)']);
    expect(table).toHaveLength(2 + report.groups.length);
    // The hostile EHLO's pipes are escaped: every row has exactly the header's cell count.
    for (const line of table) expect(cells(line)).toHaveLength(header.length);
    const hostile = cells(table.find((l) => l.includes('203.0.113.50')) ?? '');
    expect(hostile[3]).toBe("203.0.113.50 (evil\\\\x1B\\[31m.example\\|=cmd\\|' /C calc'!A0\\<script\\>alert(1)\\</script\\>)");
    expect(hostile[4]).toBe('14');
    expect(hostile[5]).toBe('tls-negotiation-failed:9 socket-error:3');
  });

  it('has a section per failing group with hint and evidence as escaped text, not code', () => {
    const sections = out.split('\n').filter((l) => l.startsWith('### '));
    expect(sections).toHaveLength(4);
    // In the table's order: the failing queue (37 messages waiting) before the send group (18 failed sessions).
    expect(sections[0]).toBe('### 1. queue · EX01 · Outbound to Office 365 → contoso-com.mail.protection.outlook.com');
    expect(sections[1]).toBe('### 2. send · EX01 · Outbound to Office 365 → 104.47.22.74');
    expect(out).toContain('- **Hint:** Identify the device (EHLO name, IP), then upgrade it or enable TLS 1.2 before disabling TLS 1.0/1.1.');
    expect(out).toContain('CN=mail\\\\x1B\\]0;pwned\\\\x07.example\\\\u{202E}gpj.exe');
    // Evidence lines per failing group, up to 3 per category: 2 + 2 (tls-negotiation-failed, socket-error), 1, 1, 1.
    expect(out.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(7);
  });

  it('contains no raw HTML, code spans, controls or lone surrogates', () => {
    expect(out.replace(/\\[\s\S]/g, '')).not.toContain('`');
    // Our own autolinks are the only `<…>` in the raw text.
    expect(out.replace(/<https:\/\/[^\s<>]+>/g, '').replace(/\\[\s\S]/g, '')).not.toMatch(/[<>]/);
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(LONE.test(out)).toBe(false);
  });

  it('links only http(s) docs', () => {
    const categories = CATEGORIES.map((c) => (c.id === 'legacy-tls' ? { ...c, docs: 'javascript:alert(1)' } : c));
    const r: Report = { ...report, categories };
    const md = renderMarkdown(r);
    expect(md).toContain('- Docs: javascript:alert(1)');
    expect(md).not.toContain('<javascript:');
  });

  it('respects top and samples', () => {
    const md = renderMarkdown(manyHealthyReport(5), { top: 3, samples: 1 });
    expect(tableAfter('## Groups', md)).toHaveLength(2 + 3);
    expect(md).toContain('8 more groups not shown (top 3).');
    expect(md.split('\n').filter((l) => l.startsWith('### '))).toHaveLength(3);
    // One row per category: the 203.0.113.50 group has two categories, the other two groups one each.
    expect(md.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(4);
  });

  it('says plainly when nothing was found', () => {
    const md = renderMarkdown(refusedReport());
    expect(md).toContain('**No SMTP sessions or queue entries were found.**');
    expect(md).toContain('The only input was refused');
    expect(md).not.toContain('## Groups');
  });
});

describe('a review of 200,000 files', () => {
  // A spread of that many lines or inputs (`push(...rows)`) overflows the call stack.
  const base = outputReport();
  const inputs = Array.from({ length: 200_000 }, (_, i) => ({ ...base.inputs[i % base.inputs.length]!, source: `RECV${i}.LOG` }));
  const report: Report = { ...base, inputs };

  it('renders as Markdown, listing the inputs with something to say and counting the others', () => {
    const out = renderMarkdown(report);
    expect(out.split('\n').filter((l) => l.startsWith('| RECV')).length).toBe(30);
    // Three in five inputs of that fixture have something to say (errors, skipped lines, problems); a queue export's
    // continuation lines are routine.
    expect(out).toContain('as have 119,970 more; the other 80,000 were read without a problem (the JSON report lists every input).');
  });

  it('merges, keeping every input', () => {
    expect(mergeReports([report]).inputs).toHaveLength(200_000);
  });
});

describe('json output', () => {
  it('is JSON.stringify(report, null, 2) plus a newline for ordinary text', () => {
    const clean = reportOf(outputGroups().filter((g) => g.remoteHost !== '203.0.113.50'));
    expect(renderJson(clean)).toBe(`${JSON.stringify(clean, null, 2)}\n`);
  });

  it('round-trips the hostile report, with lone surrogates replaced', () => {
    const report = outputReport();
    const out = renderJson(report);
    expect(out.endsWith('}\n')).toBe(true);
    const parsed = JSON.parse(out) as Report;
    for (const s of allStrings(parsed)) expect(LONE.test(s)).toBe(false);
    const expected = JSON.parse(JSON.stringify(report).replace(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])|(?<!\\ud[89ab][0-9a-f]{2})\\ud[c-f][0-9a-f]{2}/g, '\\ufffd')) as Report;
    expect(parsed).toEqual(expected);
    expect(parsed.groups.find((g) => g.remoteHost === '203.0.113.50')?.remoteNames[0]).toBe(HOSTILE_EHLO);
  });

  it('escapes characters a terminal would act on, without changing the data', () => {
    const out = renderJson(outputReport());
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(out).toContain('\\u202e');
    expect(out).toContain('\\u001b');
  });

  it('escapes DEL and C1 controls in an otherwise plain ASCII report too', async () => {
    const { scan } = await import('../src/scan.js');
    const plain = await scan(['samples/EX01/Hub']);
    // The groups of these logs are plain ASCII, which the JSON writer checks for before looking any closer.
    const groupsText = JSON.stringify(plain.groups);
    expect(Buffer.byteLength(groupsText)).toBe(groupsText.length);
    for (const name of ['del\u007fname', 'csi\u009b2J']) {
      const report = { ...plain, groups: plain.groups.map((g, i) => (i === 0 ? { ...g, remoteNames: [name] } : g)) };
      const out = renderJson(report);
      expect(out).not.toMatch(/[\u007f-\u009f]/);
      expect(out).toContain(JSON.stringify(name).slice(1, -1).replace(/[\u007f-\u009f]/, (c) => `\\u00${c.charCodeAt(0).toString(16)}`));
      expect((JSON.parse(out) as Report).groups[0]!.remoteNames).toEqual([name]);
    }
  });

  it('replaces lone surrogates in keys too, and keeps a __proto__ key as data', () => {
    const groups = outputGroups();
    const first = groups[0];
    if (first === undefined) throw new Error('fixture has no groups');
    groups[0] = { ...first, details: { ...first.details, 'tls-negotiation-failed': JSON.parse('{"__proto__": 4, "Bad\\ud800": 1, "Bad\\udc00": 2}') as Record<string, number> } };
    const parsed = JSON.parse(renderJson(reportOf(groups))) as Report;
    const details = parsed.groups[0]?.details['tls-negotiation-failed'] ?? {};
    expect(Object.keys(details).sort()).toEqual(['Bad\ufffd', '__proto__']);
    expect(details['Bad\ufffd']).toBe(3);
    expect(Object.getOwnPropertyDescriptor(details, '__proto__')?.value).toBe(4);
  });
});

describe('formatReport', () => {
  const report = outputReport();

  it('refuses bad options with a ScanOptionError naming the function and the option (they gave the default output)', () => {
    const bad: Array<[string, unknown, string]> = [
      ['top', { top: -1 }, 'formatReport() option top: needs to be a number >= 0, got -1'],
      ['top', { top: Number.NaN }, 'got NaN'],
      ['width', { width: 0 }, 'formatReport() option width: needs to be a number >= 1, got 0'],
      ['width', { width: '80' }, "got '80'"],
      ['samples', { samples: -1 }, 'formatReport() option samples: needs to be a number >= 0, got -1'],
      ['color', { color: 'yes' }, "formatReport() option color: needs to be a boolean, got 'yes'"],
      ['options', 5, 'formatReport() option options: needs to be an object, got 5'],
    ];
    for (const format of OUTPUT_FORMATS) {
      for (const [option, options, message] of bad) {
        const call = () => formatReport(report, format, options as FormatOptions);
        expect(call, `${format} ${option}`).toThrow(ScanOptionError);
        expect(call, `${format} ${option}`).toThrow(message);
        expect(catching(call)?.option).toBe(option);
      }
    }
    // The values that work, and null as not given.
    const table = formatReport(report, 'table');
    expect(formatReport(report, 'table', { top: Infinity, width: 100, samples: 3, color: false })).toBe(table);
    expect(formatReport(report, 'table', { top: null, width: null, samples: null, color: null } as unknown as FormatOptions)).toBe(table);
    expect(formatReport(report, 'table', null as unknown as FormatOptions)).toBe(table);
    expect(formatReport(report, 'markdown', { top: 0 })).not.toBe(formatReport(report, 'markdown'));
    // Fractions are rounded down, and Infinity is no width limit's default, as they always were: a caller may work
    // a width out (columns * 0.8).
    expect(formatReport(report, 'table', { width: 100.9, top: 2.5 })).toBe(formatReport(report, 'table', { width: 100, top: 2 }));
    expect(formatReport(report, 'table', { width: Infinity })).toBe(table);
    // samples: Infinity is every sample, as a large number is.
    for (const format of ['table', 'markdown'] as const) expect(formatReport(report, format, { samples: Infinity })).toBe(formatReport(report, format, { samples: 1e9 }));
    const at = new Date('2025-11-10T12:00:00Z');
    expect(renderHtml(report, { top: 1.5, generatedAt: at })).toBe(renderHtml(report, { top: 1, generatedAt: at }));
  });

  it('renderHtml and htmlChunks refuse bad options when called, naming themselves (an invalid Date was a RangeError)', () => {
    const invalid = { generatedAt: new Date('x') };
    expect(() => renderHtml(report, invalid)).toThrow('renderHtml() option generatedAt: needs to be a valid Date, got Invalid Date');
    // Thrown by the call, not at the first piece: a caller that opens a file first learns it before.
    expect(() => htmlChunks(report, invalid)).toThrow('htmlChunks() option generatedAt: needs to be a valid Date');
    expect(catching(() => renderHtml(report, invalid))).toBeInstanceOf(ScanOptionError);
    expect(catching(() => renderHtml(report, { generatedAt: '2025-11-10' as unknown as Date }))?.option).toBe('generatedAt');
    expect(catching(() => renderHtml(report, { top: -1 }))?.message).toBe('renderHtml() option top: needs to be a number >= 0, got -1');
    expect(catching(() => renderHtml(report, { title: 5 as unknown as string }))?.option).toBe('title');
    const at = new Date('2025-11-10T12:00:00Z');
    expect(renderHtml(report, { generatedAt: at, title: null, top: null } as unknown as HtmlOptions)).toBe(renderHtml(report, { generatedAt: at }));
  });


  it('dispatches to each renderer with its options', () => {
    expect(formatReport(report, 'table', { width: 90, color: true })).toBe(renderTable(report, { width: 90, color: true }));
    expect(formatReport(report, 'json')).toBe(renderJson(report));
    expect(formatReport(report, 'csv')).toBe(renderCsv(report));
    expect(formatReport(report, 'markdown', { top: 2, samples: 1 })).toBe(renderMarkdown(report, { top: 2, samples: 1 }));
    const html = formatReport(report, 'html');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toContain('<script>alert(1)</script>');
  });

  it('knows its formats and rejects others with a clean message', () => {
    expect(OUTPUT_FORMATS).toEqual(['table', 'json', 'csv', 'markdown', 'html']);
    for (const f of OUTPUT_FORMATS) expect(isOutputFormat(f)).toBe(true);
    expect(isOutputFormat('xml')).toBe(false);
    expect(() => formatReport(report, 'x\u001b[2J' as OutputFormat)).toThrow('unknown output format "x\\x1B[2J"');
  });
});

describe('json output in chunks', () => {
  it('is byte for byte JSON.stringify(report, null, 2) plus a newline, for clean and empty reports', async () => {
    const { jsonChunks, renderJson } = await import('../src/output/json.js');
    const { scan } = await import('../src/scan.js');
    const report = await scan('samples');
    expect(renderJson(report)).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect([...jsonChunks(report)].length).toBeGreaterThan(report.groups.length);
    const empty = { ...report, inputs: [], groups: [], hosts: [], connectors: [] };
    expect(renderJson(empty)).toBe(`${JSON.stringify(empty, null, 2)}\n`);
  });

  // Groups are stringified a few at a time: every count around a batch edge must give the same text.
  it('is JSON.stringify byte for byte for any number of groups, in pieces that do not grow with it', async () => {
    const { jsonChunks } = await import('../src/output/json.js');
    const healthy = manyHealthyReport(3_000).groups.slice(-3_000);
    for (const n of [1, 15, 16, 17, 33, 3_000]) {
      const report = reportOf(healthy.slice(0, n));
      const pieces = [...jsonChunks(report)];
      expect(pieces.join('')).toBe(`${JSON.stringify(report, null, 2)}\n`);
      if (n === 3_000) {
        expect(pieces.length).toBeGreaterThan(3_000 / 16);
        expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100_000);
      }
    }
  });

  it('makes only the hostile group of a batch differ from JSON.stringify', () => {
    const hostile = outputGroups().find((g) => g.remoteHost === '203.0.113.50');
    if (hostile === undefined) throw new Error('fixture has no hostile group');
    const clean = manyHealthyReport(40).groups.slice(-40);
    const report = reportOf([...clean.slice(0, 20), hostile, ...clean.slice(20)]);
    const parsed = JSON.parse(renderJson(report)) as Report;
    for (const s of allStrings(parsed)) expect(LONE.test(s)).toBe(false);
    expect(parsed.groups).toHaveLength(41);
    expect(parsed.groups[20]?.remoteNames[0]).toBe(HOSTILE_EHLO);
    expect(parsed.groups.filter((g) => g !== parsed.groups[20])).toEqual(JSON.parse(JSON.stringify(report.groups.filter((g) => g !== hostile))));
  });
});

describe('html and csv output in pieces', () => {
  // 3,000 groups with hostile names and evidence: several MB of HTML, which must not come as one piece.
  const big = manyHealthyReport(3_000);
  const at = new Date('2024-05-14T19:05:00.000Z');

  it('html: the pieces are renderHtml byte for byte, and none of them grows with the number of groups', () => {
    const pieces = [...htmlChunks(big, { generatedAt: at })];
    const page = pieces.join('');
    expect(page).toBe(renderHtml(big, { generatedAt: at }));
    expect(page.length).toBeGreaterThan(3_000_000);
    expect(pieces.length).toBeGreaterThan(2 * big.groups.length);
    const largest = Math.max(...pieces.map((p) => p.length));
    // The largest piece is the head (styles, summary, chart): about the same size for 3 groups or 3,000.
    const small = manyHealthyReport(3);
    expect(largest).toBeLessThan(Math.max(...[...htmlChunks(small, { generatedAt: at })].map((p) => p.length)) + 4_096);
    expect(largest).toBeLessThan(200_000);
  });

  it('csv: one piece per row, renderCsv byte for byte', () => {
    const pieces = [...csvChunks(big)];
    expect(pieces.join('')).toBe(renderCsv(big));
    expect(pieces).toHaveLength(big.groups.length + 1);
    expect(pieces.every((p) => p.indexOf('\r\n') === p.length - 2)).toBe(true);
  });

  it('an empty report still comes out whole', () => {
    const empty = { ...big, inputs: [], groups: [], hosts: [], connectors: [] };
    expect([...htmlChunks(empty, { generatedAt: at })].join('')).toBe(renderHtml(empty, { generatedAt: at }));
    expect(renderHtml(empty, { generatedAt: at })).toContain('No inputs were read.');
    expect(renderHtml(empty, { generatedAt: at })).toContain('No groups: no sessions or queue entries were found.');
    expect([...csvChunks(empty)]).toHaveLength(1);
  });
});

describe('the Markdown inputs table of a large review', () => {
  it('lists every input of a small report, and only those with something to say of a large one', () => {
    const base = outputReport();
    const clean = base.inputs[0]!;
    const many: Report['inputs'] = Array.from({ length: 200 }, (_, i) => ({ ...clean, source: `logs/RECV2025111000-${i}.LOG`, problems: [], error: null, ignored: null, skipped: { header: 5 } }));
    many[120] = { ...many[120]!, error: 'cannot read: permission denied' };
    many[150] = { ...many[150]!, skipped: { header: 5, 'line-too-long': 1 } };
    const md = renderMarkdown({ ...base, inputs: many });
    const rows = md.split('\n').filter((l) => l.startsWith('| logs/'));
    expect(rows).toHaveLength(2);
    // Errors first.
    expect(rows[0]).toContain('RECV2025111000-120.LOG');
    expect(rows[1]).toContain('line-too-long 1');
    expect(md).toContain('the other 198 were read without a problem (the JSON report lists every input).');
    const small = renderMarkdown({ ...base, inputs: many.slice(0, 30) });
    expect(small.split('\n').filter((l) => l.startsWith('| logs/'))).toHaveLength(30);
  });
});
