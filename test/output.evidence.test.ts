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
import { renderTable } from '../src/output/table.js';
import { scan } from '../src/scan.js';
import type { Report } from '../src/types.js';
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
    expect(renderMarkdown(report)).toMatch(/session 08DE1B4BA4790204 \(starttls-required\): \\< 451 5\.7\.3/);
    const evidence = lines.slice(lines.findIndex((l) => l.trim() === 'Evidence:')).join('\n');
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
    expect(renderMarkdown(report)).toMatch(/^ {2}- .*session 08DE1B4BA4790204 \(starttls-required\): \\< 451 5\.7\.3 Must issue a STARTTLS command first$/m);
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
