/**
 * Evidence per category: `--samples` is "evidence rows kept per group and category", so the table and Markdown
 * show up to that many rows of each category listed for a group (worst category first), and the CSV `sample`
 * is a row of the group's main category. Checked on a send log written here, with one group in three categories.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCsv } from '../src/output/csv.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { firstFinding, renderTable } from '../src/output/table.js';
import { scan } from '../src/scan.js';
import type { Report, ReportGroup, Sample } from '../src/types.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';

const HEADER = [
  '\ufeff#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  '#Log-type: SMTP Send Protocol Log',
  '#Date: 2025-11-10T09:00:00.000Z',
  '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
];

/** Session ids, by what their session shows. */
const LEGACY = '08DE1B4BA4790201';
const ILLEGAL = '08DE1B4BA4790202';
const MISMATCH = '08DE1B4BA4790203';
const STARTTLS = '08DE1B4BA4790204';

const TLS10 =
  '"TLS protocol SP_PROT_TLS1_0_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"';

/** One send session to Office 365 at 09:`minute`, after the banner and EHLO: `rest` as [event, data, context]. */
function session(minute: number, id: string, port: number, rest: ReadonlyArray<readonly [string, string, string]>): string[] {
  const t = (ms: number): string => `2025-11-10T09:${minute}:00.${String(ms).padStart(3, '0')}Z`;
  const remote = '104.47.17.106:25';
  const ep = `10.0.1.21:${port},${remote}`;
  const rows = [
    `${t(100)},Outbound to Office 365,${id},0,,${remote},*,SendRoutingHeaders,Set Session Permissions`,
    `${t(100)},Outbound to Office 365,${id},1,,${remote},*,,attempting to connect`,
    `${t(200)},Outbound to Office 365,${id},2,${ep},+,,`,
    `${t(300)},Outbound to Office 365,${id},3,${ep},<,"220 AM4PEPF00027A5F.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 09:${minute}:00 +0000",`,
    `${t(301)},Outbound to Office 365,${id},4,${ep},>,EHLO mail.contoso.com,`,
    `${t(350)},Outbound to Office 365,${id},5,${ep},<,250 AM4PEPF00027A5F.mail.protection.outlook.com Hello [192.0.2.30] SIZE 157286400 PIPELINING STARTTLS 8BITMIME,`,
  ];
  rest.forEach(([event, data, context], i) => rows.push(`${t(400 + i)},Outbound to Office 365,${id},${6 + i},${ep},${event},${data},${context}`));
  return rows;
}

const STARTTLS_ROWS = [
  ['>', 'STARTTLS', ''],
  ['<', '220 2.0.0 SMTP server ready', ''],
] as const;

/** Four sessions to one host and connector: TLS 1.0, two failed handshakes, a 451 5.7.3 refusal (in that order). */
function sendLog(): string {
  const rows = [
    ...HEADER,
    ...session(10, LEGACY, 30001, [...STARTTLS_ROWS, ['*', '', TLS10], ['>', 'QUIT', ''], ['-', '', 'Local']]),
    ...session(20, ILLEGAL, 30002, [...STARTTLS_ROWS, ['*', '', 'TLS negotiation failed with error IllegalMessage'], ['-', '', 'Local']]),
    ...session(30, MISMATCH, 30003, [...STARTTLS_ROWS, ['*', '', 'TLS negotiation failed with error AlgorithmMismatch'], ['-', '', 'Local']]),
    ...session(40, STARTTLS, 30004, [['>', 'MAIL FROM:<k.mueller@contoso.com>', ''], ['<', '451 5.7.3 Must issue a STARTTLS command first', ''], ['>', 'QUIT', ''], ['-', '', 'Local']]),
  ];
  return `${rows.join('\r\n')}\r\n`;
}

/** Session ids of the table's evidence rows (`file:line  session-id[  category]`), in order. */
function tableEvidence(out: string): string[] {
  return [...out.matchAll(/^ {6}\S+:\d+ {2}([0-9A-F]{16})(?: {2}[a-z-]+)?$/gm)].map((m) => m[1] ?? '');
}

/** The category labels of the table's evidence rows, in order (none where a block quotes one category). */
function tableLabels(out: string): string[] {
  return [...out.matchAll(/^ {6}\S+:\d+ {2}[0-9A-F]{16} {2}([a-z-]+)$/gm)].map((m) => m[1] ?? '');
}

/** Session ids of the Markdown evidence bullets (`  - file:line session id[ (category)]: text`), in order. */
function markdownEvidence(out: string): string[] {
  return [...out.matchAll(/^ {2}- \S+:\d+ session ([0-9A-F]{16})(?: \([a-z-]+\))?:/gm)].map((m) => m[1] ?? '');
}

let dir: string;
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-evidence-'));
  writeFileSync(join(dir, 'SEND2025111009-1.LOG'), sendLog());
  report = await scan(dir);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('evidence per category (one group: 2 tls-negotiation-failed, 1 starttls-required, 1 legacy-tls)', () => {
  it('is one group in three categories, with every finding sampled in the JSON', () => {
    expect(report.groups).toHaveLength(1);
    const g = report.groups[0]!;
    expect(g.byCategory).toEqual({ 'tls-negotiation-failed': 2, 'starttls-required': 1, 'legacy-tls': 1 });
    expect(g.mainCategory).toBe('tls-negotiation-failed');
    expect(g.samples.map((s) => s.sessionId)).toEqual([LEGACY, ILLEGAL, MISMATCH, STARTTLS]);
  });

  it('table: every listed category has its evidence rows, worst category first', () => {
    const out = renderTable(report, { width: 200 });
    const lines = out.split('\n');
    const titles = lines.filter((l) => /^ {4}(TLS negotiation failed|STARTTLS required|Legacy TLS)/.test(l)).map((l) => l.trim().replace(/:.*/, ''));
    expect(titles).toEqual(['TLS negotiation failed', 'STARTTLS required but not used', 'Legacy TLS negotiated (TLS 1.0/1.1/SSL 3)']);
    expect(tableEvidence(out)).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
    // Rows of several categories say which one each proves.
    expect(tableLabels(out)).toEqual(['tls-negotiation-failed', 'tls-negotiation-failed', 'starttls-required', 'legacy-tls']);
    expect(renderMarkdown(report)).toMatch(/session 08DE1B4BA4790204 \(starttls-required\): 2025-11-10 09:40:00 \\< 451 5\.7\.3/);
    const evidence = lines.slice(lines.findIndex((l) => l.trim().startsWith('Evidence'))).join('\n');
    expect(evidence).toContain('451 5.7.3 Must issue a STARTTLS command first');
  });

  it('table: `samples` is per category, not per group', () => {
    expect(tableEvidence(renderTable(report, { width: 200, samples: 1 }))).toEqual([ILLEGAL, STARTTLS, LEGACY]);
    expect(tableEvidence(renderTable(report, { width: 200, samples: 5 }))).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
    expect(tableEvidence(renderTable(report, { width: 200, samples: 0 }))).toEqual([]);
  });

  it('table: evidence stays within a narrow width', () => {
    for (const width of [40, 60, 80]) {
      const out = renderTable(report, { width });
      for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
      // A narrow terminal cuts the session id: the rows are told apart by their line numbers.
      const lineOf = (id: string): number => report.groups[0]!.samples.find((s) => s.sessionId === id)!.line;
      const shown = [...out.matchAll(/^ {6}\S*\.LOG:(\d+)/gm)].map((m) => Number(m[1]));
      expect(shown).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY].map(lineOf));
    }
  });

  it('Markdown: every listed category has its evidence rows, worst category first', () => {
    expect(markdownEvidence(renderMarkdown(report))).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
    expect(markdownEvidence(renderMarkdown(report, { samples: 1 }))).toEqual([ILLEGAL, STARTTLS, LEGACY]);
    expect(renderMarkdown(report)).toMatch(/^ {2}- .*session 08DE1B4BA4790204 \(starttls-required\): 2025-11-10 09:40:00 \\< 451 5\.7\.3 Must issue a STARTTLS command first$/m);
  });

  it('table and Markdown: the FINDINGS column lists equal counts in the same order as the group block', () => {
    const findings = 'tls-negotiation-failed:2 starttls-required:1 legacy-tls:1';
    expect(renderTable(report, { width: 200 })).toMatch(new RegExp(`^send .* ${findings} .*$`, 'm'));
    expect(renderMarkdown(report)).toContain(`| ${findings} |`);
  });

  it('CSV: the sample is a row of the main category', () => {
    const rows = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const header = rows[0] ?? [];
    const row = rows[1] ?? [];
    expect(row[header.indexOf('mainCategory')]).toBe('tls-negotiation-failed');
    const sample = row[header.indexOf('sample')] ?? '';
    expect(sample).toMatch(/SEND2025111009-1\.LOG:\d+ .*TLS negotiation failed with error IllegalMessage$/);
  });

  it('CLI: the default table and Markdown show the 451 5.7.3 row; the CSV sample is a tls-negotiation-failed row', async () => {
    requireBuiltCli();
    const table = await runCli([dir], dir);
    expect(table.stderr).toBe('');
    expect(tableEvidence(table.stdout)).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
    const md = await runCli(['-f', 'markdown', dir], dir);
    expect(markdownEvidence(md.stdout)).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
    const csv = parse((await runCli(['-f', 'csv', dir], dir)).stdout, { record_delimiter: '\r\n' }) as string[][];
    expect(csv[1]?.[csv[0]?.indexOf('sample') ?? -1]).toMatch(/ \* TLS negotiation failed with error IllegalMessage$/);
  });
});

/** The line after each table evidence head (`file:line  session-id`): where the row's time and text start. */
function tableRowStarts(out: string): string[] {
  const lines = out.split('\n');
  return lines.flatMap((l, i) => (/^ {6}\S+:\d+(?: {2}|$)/.test(l) ? [lines[i + 1] ?? ''] : []));
}

describe('evidence times: "since when" in the table and Markdown, time and session in the CSV', () => {
  /** The group with only its tls-negotiation-failed samples (ILLEGAL, MISMATCH), given these times in order. */
  const withTimes = (...times: string[]): Report => {
    const g = report.groups[0]!;
    const failed = g.samples.filter((s) => s.category === 'tls-negotiation-failed');
    const samples: Sample[] = failed.slice(0, times.length).map((s, i) => ({ ...s, time: times[i]! }));
    return { ...report, groups: [{ ...g, samples } satisfies ReportGroup] };
  };

  it('table: each evidence row gives its time (UTC, as formatTime writes it) before its text, at 80, 120 and 160 columns', () => {
    for (const width of [80, 120, 160]) {
      const out = renderTable(report, { width });
      expect(tableEvidence(out), `width ${width}`).toEqual([ILLEGAL, MISMATCH, STARTTLS, LEGACY]);
      const starts = tableRowStarts(out);
      expect(starts, `width ${width}`).toEqual([
        expect.stringMatching(/^ {8}2025-11-10 09:20:00 {2}\* TLS negotiation failed with error/),
        expect.stringMatching(/^ {8}2025-11-10 09:30:00 {2}\* TLS negotiation failed with error/),
        expect.stringMatching(/^ {8}2025-11-10 09:40:00 {2}< 451 5\.7\.3 Must issue a STARTTLS command first$/),
        expect.stringMatching(/^ {8}2025-11-10 09:10:00 {2}\* TLS protocol SP_PROT_TLS1_0_CLIENT/),
      ]);
      // From 120 columns, a failed handshake's row fits beside its time.
      if (width >= 120) expect(starts[1]).toBe('        2025-11-10 09:30:00  * TLS negotiation failed with error AlgorithmMismatch');
      // The long TLS row wraps under its text, not under its time.
      const lines = out.split('\n');
      const tls = lines.findIndex((l) => l.includes('SP_PROT_TLS1_0_CLIENT'));
      expect(lines[tls + 1], `width ${width}`).toMatch(/^ {29}\S/);
      for (const line of lines) expect([...line].length, line).toBeLessThanOrEqual(width);
    }
  });

  it("table and Markdown: the evidence header gives the group's first finding, earlier than the first row shown", () => {
    // The block shows tls-negotiation-failed first (09:20), but the legacy-tls session at 09:10 came before it.
    expect(firstFinding(report.groups[0]!)).toBe(report.groups[0]!.samples.find((s) => s.sessionId === LEGACY)!.time);
    expect(renderTable(report, { width: 120 })).toMatch(/^ {4}Evidence \(first finding 2025-11-10 09:10:00\):$/m);
    expect(renderTable(report, { width: 120, samples: 1 })).toMatch(/^ {4}Evidence \(first finding 2025-11-10 09:10:00\):$/m);
    expect(renderMarkdown(report)).toMatch(/^- Evidence \(first finding 2025-11-10 09:10:00\):$/m);
  });

  it('Markdown: each evidence bullet gives the time before the row text', () => {
    const bullets = renderMarkdown(report)
      .split('\n')
      .filter((l) => l.startsWith('  - '));
    expect(bullets.map((l) => l.replace(/^.*?\): /, ''))).toEqual([
      '2025-11-10 09:20:00 \\* TLS negotiation failed with error IllegalMessage',
      '2025-11-10 09:30:00 \\* TLS negotiation failed with error AlgorithmMismatch',
      '2025-11-10 09:40:00 \\< 451 5.7.3 Must issue a STARTTLS command first',
      expect.stringMatching(/^2025-11-10 09:10:00 \\\* TLS protocol SP\\_PROT\\_TLS1\\_0\\_CLIENT/),
    ]);
  });

  it('first finding: offsets are compared on the UTC axis; local times among themselves; otherwise none is claimed', () => {
    const first = (r: Report): string | null => firstFinding(r.groups[0]!);
    expect(first(withTimes('2025-11-10T09:00:00.000Z', '2025-11-10T10:00:00+02:00'))).toBe('2025-11-10T10:00:00+02:00');
    expect(renderTable(withTimes('2025-11-10T09:00:00.000Z', '2025-11-10T10:00:00+02:00'), { width: 120 })).toContain('Evidence (first finding 2025-11-10 08:00:00):');
    const local = withTimes('2025-11-13T14:03:05', '2025-11-13T09:00:00');
    expect(first(local)).toBe('2025-11-13T09:00:00');
    expect(renderTable(local, { width: 120 })).toContain('Evidence (first finding 2025-11-13 09:00:00 local):');
    expect(tableRowStarts(renderTable(local, { width: 120 }))[0]).toMatch(/^ {8}2025-11-13 14:03:05 local {2}\* TLS negotiation failed/);
    expect(renderMarkdown(local)).toContain('- Evidence (first finding 2025-11-13 09:00:00 local):');
    // Mixed clocks and placeholders cannot be put in order: the header claims nothing, the rows show what was written.
    expect(first(withTimes('2025-11-13T14:03:05', '2025-11-10T09:00:00.000Z'))).toBeNull();
    const placeholder = withTimes('11/10/2025 9:41:07 AM', '2025-11-10T09:00:00.000Z');
    expect(first(placeholder)).toBeNull();
    expect(renderTable(placeholder, { width: 120 })).toMatch(/^ {4}Evidence:$/m);
    expect(tableRowStarts(renderTable(placeholder, { width: 120 }))[0]).toMatch(/^ {8}11\/10\/2025 9:41:07 AM {2}\* TLS/);
    expect(renderMarkdown(placeholder)).toMatch(/^- Evidence:$/m);
    expect(first({ ...report, groups: [{ ...report.groups[0]!, samples: [] }] })).toBeNull();
  });

  it('a row without a time shows its text alone (no `-`, which reads as the row\'s event)', () => {
    const none = withTimes('');
    expect(tableRowStarts(renderTable(none, { width: 120 }))[0]).toBe('        * TLS negotiation failed with error IllegalMessage');
    expect(renderMarkdown(none)).toMatch(/^ {2}- \S+:\d+ session 08DE1B4BA4790202: \\\* TLS negotiation failed with error IllegalMessage$/m);
  });

  it('a narrow terminal puts the time on a line of its own rather than squeezing the text', () => {
    const out = renderTable(report, { width: 40 });
    const lines = out.split('\n');
    const head = lines.findIndex((l) => /^ {6}\S+:\d+/.test(l));
    expect(lines[head + 1]).toBe('        2025-11-10 09:20:00');
    expect(lines[head + 2]).toMatch(/^ {8}\* TLS negotiation/);
  });

  it('hostile text in a time stays sanitised in the table and Markdown', () => {
    const hostile = withTimes('\u001b]0;pwned\u0007\u202egpj.exe|<b>=cmd', '2025-11-10T09:00:00.000Z');
    const table = renderTable(hostile, { width: 120 });
    expect(table).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(table).toContain('\\x1B]0;pwned\\x07\\u{202E}gpj.exe|<b>=cmd');
    const md = renderMarkdown(hostile);
    expect(md).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(md).toContain('gpj.exe\\|\\<b\\>=cmd');
  });

  it('CSV: `sampleTime` and `sampleSessionId` of the `sample` row are appended after it, the older columns unmoved', () => {
    const rows = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const header = rows[0] ?? [];
    const at = header.indexOf('sample');
    expect(header.slice(at, at + 3)).toEqual(['sample', 'sampleTime', 'sampleSessionId']);
    const row = rows[1] ?? [];
    expect(row.slice(at, at + 3)).toEqual([expect.stringMatching(/ \* TLS negotiation failed with error IllegalMessage$/), '2025-11-10T09:20:00.402Z', ILLEGAL]);
    // No samples: the cells are empty, as `sample` is.
    const empty = parse(renderCsv({ ...report, groups: [{ ...report.groups[0]!, samples: [] }] }), { record_delimiter: '\r\n' }) as string[][];
    expect(empty[1]?.slice(at, at + 3)).toEqual(['', '', '']);
  });
});
