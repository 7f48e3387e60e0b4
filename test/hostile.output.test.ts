/**
 * Safe output, end to end: a protocol log whose EHLO name and certificate subject are hostile goes through the
 * built CLI in every format; each format must neutralise it in its own way and still say what was skipped.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBuiltCli, runCli, type Run } from './helpers/cli.js';
import type { Report } from '../src/types.js';
import { expectAccounting, inputNamed, receiveLog } from './fixtures/hostile/logs.js';

const EVIL = '=HYPERLINK("http://x")\u001b[2J\u0007|<script>alert(1)</script>';
/** Characters a terminal acts on; none may reach any output raw. */
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

let dir: string;
let evilLog: string;

function run(args: string[]): Promise<Run> {
  return runCli(args, dir);
}

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-hostile-out-'));
  evilLog = join(dir, 'RECV-evil.LOG');
  // TLS 1.0 so the sessions become findings with evidence, and the names reach every part of every format.
  writeFileSync(evilLog, receiveLog(2, { ehlo: EVIL, certSubject: `CN=${EVIL}`, tls: 'TLS1_0' }));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hostile EHLO name and certificate subject, every format through the CLI', () => {
  it('json: valid, the data is kept exactly, no raw control character in the text', async () => {
    const r = await run(['-f', 'json', evilLog]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const report = JSON.parse(r.stdout) as Report;
    expectAccounting(report, expect);
    expect(report.groups.flatMap((g) => g.remoteNames)).toEqual([EVIL, EVIL]);
    expect(r.stdout).toContain('\\u001b[2J\\u0007');
    // Certificates of a group's sessions are kept as data (an optional extra of the group), subject unchanged.
    const subjects = JSON.stringify(report.groups).match(/"subject":"(?:[^"\\]|\\.)*"/g) ?? [];
    expect(subjects.map((m) => JSON.parse(m.slice(10)) as string)).toEqual([`CN=${EVIL}`, `CN=${EVIL}`]);
  });

  it('table: ESC and BEL shown as visible escapes, never raw', async () => {
    const r = await run(['-f', 'table', evilLog]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('=HYPERLINK("http://x")\\x1B[2J\\x07|<script>');
    expect(r.stdout).toContain('CN==HYPERLINK("http://x")\\x1B[2J\\x07');
  });

  it('csv: formula cells neutralised, quoting round-trips, no raw control characters', async () => {
    const r = await run(['-f', 'csv', evilLog]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const rows = parse(r.stdout, { record_delimiter: '\r\n' }) as string[][];
    const head = rows[0]!;
    const names = head.indexOf('remoteNames');
    expect(rows.slice(1).map((row) => row[names])).toEqual([
      `'=HYPERLINK("http://x")\\x1B[2J\\x07|<script>alert(1)</script>`,
      `'=HYPERLINK("http://x")\\x1B[2J\\x07|<script>alert(1)</script>`,
    ]);
    for (const row of rows) {
      expect(row).toHaveLength(head.length);
      for (const cell of row) expect(cell).not.toMatch(/^ *[=+@\t\r\uff1d\uff0b\uff20]|^ *-(?!\d+$)/);
    }
  });

  it('markdown: pipes, angle brackets and brackets escaped, so the table keeps its columns and no HTML opens', async () => {
    const r = await run(['-f', 'markdown', evilLog]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).not.toContain('<script>');
    expect(r.stdout).toContain('\\|\\<script\\>alert(1)\\</script\\>');
    // Every table row has as many unescaped pipes as its header row.
    const lines = r.stdout.split('\n');
    const cells = (l: string) => l.replace(/\\./g, '').split('|').length;
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.startsWith('|') || lines[i - 1]?.startsWith('|')) continue;
      const want = cells(lines[i]!);
      for (let j = i; j < lines.length && lines[j]!.startsWith('|'); j++) expect(cells(lines[j]!)).toBe(want);
    }
    expect(r.stdout.split('\n').filter((l) => l.includes('HYPERLINK')).length).toBeGreaterThan(0);
  });

  it('html: the names are entity-escaped, no injected element', async () => {
    const r = await run(['-f', 'html', evilLog]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).not.toContain('<script>alert(1)');
    expect(r.stdout).not.toContain('="http://x"');
    expect(r.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The EHLO name is shown (escaped), so the test would notice if it were dropped instead of escaped.
    expect(r.stdout).toContain('=HYPERLINK(&quot;http://x&quot;)');
  });

  it('a hostile file name is escaped on standard error', async () => {
    const name = join(dir, 'x\u001b]0;pwned\u0007.LOG');
    writeFileSync(name, '');
    const r = await run(['-f', 'json', name]);
    expect(r.code).toBe(3);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('x\\x1B]0;pwned\\x07.LOG: empty input: nothing to analyse');
  });
});

describe('skipped lines and unreadable inputs in every format', () => {
  let args: string[];
  beforeAll(() => {
    const lines = receiveLog(3).split('\r\n');
    lines[16] = lines[16]!.replace(',<,EHLO ', ',<,"EHLO ');
    writeFileSync(join(dir, 'RECV-damaged.LOG'), lines.join('\r\n').slice(0, -40));
    const gz = gzipSync(Buffer.from(receiveLog(2000)));
    writeFileSync(join(dir, 'RECV-cut.LOG.gz'), gz.subarray(0, gz.length >> 1));
    copyFileSync(join(process.cwd(), 'test/fixtures/real/elastic-beats-bom8-exch2010-messagetracking.LOG'), join(dir, 'MSGTRK.LOG'));
    args = ['RECV-damaged.LOG', 'RECV-cut.LOG.gz', 'MSGTRK.LOG', 'RECV-evil.LOG'];
  });

  it('json: exit 3, each input accounted for, the damaged lines counted with line numbers, the others fully read', async () => {
    const r = await run(['-f', 'json', ...args]);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    expectAccounting(report, expect);
    expect(report.inputs).toHaveLength(4);
    const damaged = inputNamed(report, 'RECV-damaged.LOG');
    expect(damaged.skipped).toEqual({ header: 5, 'unclosed-quote': 1, 'truncated-last-line': 1 });
    expect(damaged.problems.map((p) => [p.line, p.reason])).toEqual([[17, 'unclosed-quote'], [32, 'truncated-last-line']]);
    expect(inputNamed(report, 'RECV-evil.LOG')).toMatchObject({ lines: 23, records: 18, error: null });
    expect(inputNamed(report, 'RECV-cut.LOG.gz').error).toMatch(/corrupt gzip data/);
    expect(inputNamed(report, 'MSGTRK.LOG').error).toMatch(/message-tracking log/);
    // Every unreadable or refused input is named on standard error with its reason.
    expect(r.stderr).toMatch(/^logscan: RECV-cut\.LOG\.gz: read error after line \d+: corrupt gzip data/m);
    expect(r.stderr).toMatch(/^logscan: MSGTRK\.LOG: message-tracking log/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });

  it('table, markdown and html show the skip counts and the problems with their line numbers', async () => {
    const table = await run(['-f', 'table', ...args]);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/Skipped\s+.*1 unclosed-quote/);
    // One in the damaged log, one where the cut .gz broke off.
    expect(table.stdout).toMatch(/2 truncated-last-line/);
    expect(table.stdout).toMatch(/RECV-damaged\.LOG:17/);
    expect(table.stdout).toMatch(/RECV-cut\.LOG\.gz: read error after line/);

    const md = await run(['-f', 'markdown', ...args]);
    expect(md.code).toBe(3);
    expect(md.stdout).toMatch(/\| RECV-damaged\.LOG \| smtp-receive \| 32 \| 25 \| header 5, unclosed-quote 1, truncated-last-line 1 \|/);
    expect(md.stdout).toContain('RECV-damaged.LOG:17');
    expect(md.stdout).toMatch(/corrupt gzip data/);

    const html = await run(['-f', 'html', ...args]);
    expect(html.code).toBe(3);
    expect(html.stdout).toMatch(/line 17 · <span class="mono">unclosed-quote<\/span>/);
    expect(html.stdout).toMatch(/line 32 · <span class="mono">truncated-last-line<\/span>/);
    expect(html.stdout).toMatch(/corrupt gzip data/);
  });
});
