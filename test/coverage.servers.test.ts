// Coverage per server is keyed by the same server as the groups: the server from the connector id or the folder,
// and `null` (shown as `-`) for logs that name none (send logs outside a server folder, standard input), never by
// the internal key of the log set (`<folder>|smtp-send`).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeReports } from '../src/report/merge.js';
import { renderHtml, renderMarkdown, renderTable } from '../src/output/index.js';
import type { Report } from '../src/types.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';
import { copyAsAnotherLog } from './helpers/copies.js';

const SEND = join(process.cwd(), 'samples/EX01/Hub/ProtocolLog/SmtpSend');
const SEND_09 = 'SEND2025111009-1.LOG';
const SEND_10 = 'SEND2025111010-1.LOG';

let root: string;

beforeAll(() => {
  requireBuiltCli();
  root = mkdtempSync(join(tmpdir(), 'logscan-coverage-'));
  // A server folder (EX01 named by its path), and two plain folders whose send logs name no server.
  const ex01 = join(root, 'EX01/Hub/ProtocolLog/SmtpSend');
  mkdirSync(ex01, { recursive: true });
  copyFileSync(join(SEND, SEND_09), join(ex01, SEND_09));
  mkdirSync(join(root, 'loose'));
  // Another log of the same shape: a copy of EX01's would be read once.
  copyAsAnotherLog(join(SEND, SEND_09), join(root, 'loose', SEND_09));
  mkdirSync(join(root, 'other'));
  copyFileSync(join(SEND, SEND_10), join(root, 'other', SEND_10));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function json(args: string[], cwd = root, input?: Buffer): Promise<{ report: Report; stdout: string }> {
  const run = await runCli(['-f', 'json', '-q', ...args], cwd, input);
  expect(run.stderr).toBe('');
  return { report: JSON.parse(run.stdout) as Report, stdout: run.stdout };
}

async function text(format: string, args: string[], cwd = root, input?: Buffer): Promise<string> {
  const run = await runCli(['-f', format, '-q', ...args], cwd, input);
  expect(run.stderr).toBe('');
  return run.stdout;
}

/** The span of each server's sessions as its groups give it: what coverage per server must agree with. */
function spansOfGroups(report: Report): Array<{ server: string | null; from: string | null; to: string | null }> {
  const spans = new Map<string | null, { server: string | null; from: string | null; to: string | null }>();
  for (const g of report.groups) {
    if (g.direction === 'queue') continue;
    const s = spans.get(g.server) ?? { server: g.server, from: null, to: null };
    if (g.firstSeen !== null && (s.from === null || g.firstSeen < s.from)) s.from = g.firstSeen;
    if (g.lastSeen !== null && (s.to === null || g.lastSeen > s.to)) s.to = g.lastSeen;
    spans.set(g.server, s);
  }
  return [...spans.values()];
}

function sortedSpans(list: ReadonlyArray<{ server: string | null; from: string | null; to: string | null }>) {
  return [...list].sort((a, b) => String(a.server).localeCompare(String(b.server)));
}

function noOriginKeys(out: string): void {
  expect(out).not.toContain('|smtp-');
  // (`stdin:115` is evidence: the line of standard input.)
  expect(out).not.toContain('stdin:stdin');
}

describe('coverage per server', () => {
  it('names the server of the groups, and one unknown server (null) for every log set that names none', async () => {
    const { report, stdout } = await json(['-j', '1', '.']);
    expect(report.coverage.servers.map((s) => s.server)).toEqual(['EX01', null]);
    expect(report.coverage.servers.some((s) => s.server?.includes('|'))).toBe(false);
    noOriginKeys(stdout);
    // The same servers as the groups, with the same spans.
    expect(new Set(report.groups.map((g) => g.server))).toEqual(new Set(['EX01', null]));
    expect(sortedSpans(report.coverage.servers)).toEqual(sortedSpans(spansOfGroups(report)));
    // The unknown server spans both plain folders (09:xx and 10:xx logs).
    const unknown = report.coverage.servers.find((s) => s.server === null)!;
    expect(unknown.from).toBe(report.coverage.from);
    expect(unknown.to).toBe(report.coverage.to);
    expect(unknown.to! > report.coverage.servers[0]!.to!).toBe(true);
  });

  it('is the same, byte for byte, with --jobs 1 and --jobs 2', async () => {
    const one = await json(['-j', '1', '.']);
    const two = await json(['-j', '2', '.']);
    expect(two.stdout).toBe(one.stdout);
    expect(two.report.coverage.servers.map((s) => s.server)).toEqual(['EX01', null]);
  });

  it('gives standard input and a file in the current folder the unknown server', async () => {
    const stdin = await json(['-'], root, readFileSync(join(SEND, SEND_09)));
    expect(stdin.report.coverage.servers.map((s) => s.server)).toEqual([null]);
    expect(stdin.report.groups.every((g) => g.server === null)).toBe(true);
    noOriginKeys(stdin.stdout);
    const here = await json([SEND_09], join(root, 'loose'));
    expect(here.report.coverage.servers).toEqual([{ server: null, from: here.report.coverage.from, to: here.report.coverage.to }]);
    noOriginKeys(here.stdout);
  });

  it('shows the unknown server as `-` in the table, Markdown and HTML', async () => {
    const table = await text('table', ['.']);
    expect(table).toMatch(/^ {10}EX01 {2}2025-11-10 09:\d\d:\d\d → 2025-11-10 09:\d\d:\d\d$/m);
    expect(table).toMatch(/^ {10}- {5}2025-11-10 09:\d\d:\d\d → 2025-11-10 10:\d\d:\d\d$/m);
    noOriginKeys(table);
    const markdown = await text('markdown', ['.']);
    expect(markdown).toMatch(/^\| EX01 \| 2025-11-10 09:\S+ \| 2025-11-10 09:\S+ \|$/m);
    expect(markdown).toMatch(/^\| \\- \| 2025-11-10 09:\S+ \| 2025-11-10 10:\S+ \|$/m);
    noOriginKeys(markdown);
    const html = await text('html', ['.']);
    const scope = html.slice(html.indexOf('id="scope"'), html.indexOf('id="timeline"'));
    expect(scope).toContain('<td class="break">EX01</td>');
    expect(scope).toMatch(/<td class="break"><span class="muted"[^>]*>-<\/span><\/td>/);
    noOriginKeys(html);
    // Standard input alone: one row, `-`.
    const stdin = await text('table', ['-'], root, readFileSync(join(SEND, SEND_09)));
    expect(stdin).toMatch(/^ {10}- {2}2025-11-10 09:\d\d:\d\d → 2025-11-10 09:\d\d:\d\d$/m);
    noOriginKeys(stdin);
  });

  it('renders a report whose only unknown-server entry has no times', () => {
    const report = mergeReports([]);
    report.coverage.servers.push({ server: null, from: null, to: null });
    expect(renderTable(report, { width: 120 })).toMatch(/^ {10}- {2}/m);
    expect(renderMarkdown(report)).toMatch(/^\| \\- \|/m);
    expect(renderHtml(report)).toMatch(/<td class="break"><span class="muted"[^>]*>-<\/span><\/td>/);
  });
});

describe('merge and coverage per server', () => {
  it('merging a server folder and plain folders run apart equals one run over all of them', async () => {
    const ex01 = await json(['EX01']);
    const loose = await json(['loose']);
    const other = await json(['other']);
    const whole = await json(['EX01', 'loose', 'other']);
    const merged = mergeReports([ex01.report, loose.report, other.report]);
    expect(merged.coverage).toEqual(whole.report.coverage);
    expect(merged.groups).toEqual(whole.report.groups);
  });

  it('reads the origin keys of older reports as the unknown server', async () => {
    const whole = (await json(['.'])).report;
    // What a report of an earlier logscan held: each log set with no server under its origin key, one entry each
    // (here the unknown server's span cut in two at 10:00, as the 09:xx and 10:xx logs of two folders).
    const older = (name: string, ...keys: string[]): Report => {
      const report = structuredClone(whole);
      report.coverage.servers = report.coverage.servers.flatMap((s) => {
        if (s.server !== null) return [s];
        if (keys.length === 1) return [{ ...s, server: keys[0]! }];
        return [{ server: keys[0]!, from: s.from, to: '2025-11-10T09:59:59.000Z' }, { server: keys[1]!, from: '2025-11-10T10:00:00.000Z', to: s.to }];
      });
      expect(report.coverage.servers.map((s) => s.server)).toEqual(['EX01', ...keys]);
      // Other file names: merge refuses a log twice.
      return { ...report, inputs: report.inputs.map((i) => ({ ...i, source: `${i.source}.${name}` })) };
    };
    const merged = mergeReports([older('a', './loose/|smtp-send', './other/|smtp-send'), older('b', 'stdin:stdin|smtp-send'), older('c', '|smtp-receive')]);
    expect(merged.coverage).toEqual(whole.coverage);
    expect(merged.coverage.servers.map((s) => s.server)).toEqual(['EX01', null]);
    // The same through `logscan merge` of files written by an earlier build (kept out of the folder scanned above).
    const old = mkdtempSync(join(tmpdir(), 'logscan-coverage-old-'));
    try {
      writeFileSync(join(old, 'a.json'), JSON.stringify(older('a', './loose/|smtp-send', './other/|smtp-send')));
      writeFileSync(join(old, 'b.json'), JSON.stringify(older('b', 'stdin:stdin|smtp-send')));
      const cli = await json(['merge', 'a.json', 'b.json'], old);
      expect(cli.report.coverage).toEqual(whole.coverage);
      noOriginKeys(cli.stdout);
      noOriginKeys(await text('table', ['merge', 'a.json', 'b.json'], old));
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('keeps a server named like an origin key when the groups of its report name it too', () => {
    // A receive connector id `X|smtp-send\Default` names the server `X|smtp-send`: odd, but a name, not a key.
    const report = mergeReports([]);
    const group = {
      direction: 'receive' as const, server: 'X|smtp-send', connector: 'X|smtp-send\\Default', remoteHost: '192.0.2.1', remoteNames: [],
      sessions: 1, messages: 0, authUsers: [], certificates: [], byCategory: {}, details: {}, tlsVersions: {},
      firstSeen: '2025-11-10T09:00:00.000Z', lastSeen: '2025-11-10T09:00:01.000Z', samples: [], mainCategory: null, hint: null,
    };
    report.groups.push(group);
    report.totals.sessions = 1;
    report.coverage = { from: group.firstSeen, to: group.lastSeen, servers: [{ server: 'X|smtp-send', from: group.firstSeen, to: group.lastSeen }] };
    // Kept, in upper case as server names are now (the report's group too).
    const merged = mergeReports([report]);
    expect(merged.coverage.servers.map((s) => s.server)).toEqual(['X|SMTP-SEND']);
    expect(merged.groups.map((g) => g.server)).toEqual(['X|SMTP-SEND']);
  });
});

describe('order independent of the machine’s locale', () => {
  it('gives byte-identical JSON under Danish and English collation (AA sorts after Z in Danish)', async () => {
    const { mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { BIN, requireBuiltCli } = await import('./helpers/cli.js');
    requireBuiltCli();
    const dir = mkdtempSync(join(tmpdir(), 'logscan-locale-'));
    try {
      const log = readFileSync('samples/EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG', 'utf8');
      for (const server of ['ZX01', 'AAX01']) {
        mkdirSync(join(dir, server));
        writeFileSync(join(dir, server, 'RECV2025111009-1.LOG'), log.replaceAll('EX01', server));
      }
      const run = (locale: string) =>
        spawnSync(process.execPath, [BIN, '-f', 'json', '-q', dir], { env: { ...process.env, LC_ALL: locale, LANG: locale }, encoding: 'utf8' }).stdout;
      const danish = run('da_DK.UTF-8');
      expect(danish).toBe(run('en_US.UTF-8'));
      const report = JSON.parse(danish) as { coverage: { servers: Array<{ server: string | null }> } };
      expect(report.coverage.servers.map((s) => s.server)).toEqual(['AAX01', 'ZX01']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
