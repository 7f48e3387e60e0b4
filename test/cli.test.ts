import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, requireBuiltCli, runCli, type Run } from './helpers/cli.js';
import type { Report, ReportGroup } from '../src/types.js';
import { scan, type ScanProgress } from '../src/scan.js';
import { EXIT, main, parseTime, tooLargeMessage } from '../src/cli.js';

let dir: string;

function run(args: string[], input?: Buffer | string): Promise<Run> {
  return runCli(args, dir, input);
}

async function json(args: string[], input?: Buffer | string): Promise<Report> {
  const r = await run(['--format', 'json', ...args], input);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Report;
}

/** Groups without the file names in their samples, for comparing runs over copies in other places. */
function shape(groups: ReportGroup[]) {
  return groups.map((g) => ({ ...g, samples: g.samples.map((s) => ({ ...s, source: s.source.split('/').pop()!.replace(/\.gz$/, '') })) }));
}

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-cli-'));
  // A collected folder: one server nested deeper, one rotated file gzipped, plus the queue export.
  cpSync(join(process.cwd(), 'samples'), join(dir, 'flat'), { recursive: true });
  mkdirSync(join(dir, 'nested', 'incident-42', 'servers'), { recursive: true });
  cpSync(join(process.cwd(), 'samples'), join(dir, 'nested', 'incident-42', 'servers'), { recursive: true });
  const rotated = join(dir, 'nested', 'incident-42', 'servers', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive', 'RECV2025111010-1.LOG');
  writeFileSync(`${rotated}.gz`, gzipSync(readFileSync(rotated)));
  rmSync(rotated);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('logscan CLI', () => {
  it('prints a table naming failing hosts, connectors, categories and hints (the README example)', async () => {
    const r = await run([join(process.cwd(), 'samples')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Outbound to Office 365');
    expect(r.stdout).toContain('EX01\\Relay Printers');
    expect(r.stdout).toMatch(/104\.47\.\d+\.\d+/);
    expect(r.stdout).toContain('tls-negotiation-failed');
    expect(r.stdout).toContain('legacy-tls');
    expect(r.stdout).toMatch(/TLS 1\.2/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('gives the same groups for a nested folder with a .gz rotated file as for the plain folder', async () => {
    const flat = await json(['flat']);
    const nested = await json(['nested']);
    expect(nested.totals).toEqual(flat.totals);
    expect(shape(nested.groups)).toEqual(shape(flat.groups));
    expect(nested.inputs.map((i) => i.source.split('/').pop()).sort()).toContain('RECV2025111010-1.LOG.gz');
    expect(flat.schema).toBe('logscan.report/1');
  });

  it('--jobs 1 and --jobs 2 give byte-identical JSON on a multi-server folder', async () => {
    const one = await run(['-f', 'json', '--jobs', '1', 'nested']);
    const two = await run(['-f', 'json', '--jobs', '2', 'nested']);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(JSON.parse(one.stdout).totals.sessions).toBeGreaterThan(10);
    expect(two.stdout).toBe(one.stdout);
  });

  it('--jobs 3 (the main thread and two workers) gives the same JSON and the same final progress as --jobs 1', async () => {
    const one = await run(['-f', 'json', '--jobs', '1', 'nested']);
    const three = await run(['-f', 'json', '--jobs', '3', 'nested']);
    expect(three.code).toBe(0);
    expect(three.stdout).toBe(one.stdout);
    // Workers report progress as deltas and the main thread counts its own share into the same numbers.
    const finalProgress = async (jobs: number) => {
      let last: ScanProgress | null = null;
      await scan([join(dir, 'nested')], { jobs, onProgress: (p) => (last = { ...p }) });
      return last as ScanProgress | null;
    };
    const single = await finalProgress(1);
    const threaded = await finalProgress(3);
    expect(single).not.toBeNull();
    expect(threaded).toEqual(single);
    expect(threaded!.filesDone).toBe(threaded!.filesTotal);
    expect(threaded!.bytesRead).toBeGreaterThan(10_000);
  });

  it('the built dist/bin.js runs by itself, as npx and package bin links run it (shebang and execute bit)', () => {
    // A fresh clone's build must not depend on npm having once marked the file executable.
    const r = spawnSync(BIN, ['--version'], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reads standard input with -', async () => {
    const file = join(dir, 'flat', 'EX01', 'Hub', 'ProtocolLog', 'SmtpSend', 'SEND2025111009-1.LOG');
    const fromFile = await json([file]);
    const fromStdin = await json(['-'], readFileSync(file));
    expect(fromStdin.inputs[0]!.source).toBe('stdin');
    expect(fromStdin.totals).toEqual(fromFile.totals);
    expect(fromStdin.groups.map((g) => [g.remoteHost, g.byCategory])).toEqual(fromFile.groups.map((g) => [g.remoteHost, g.byCategory]));
    // Named twice, read once, as a file named twice is: the same report and exit 0, not an input error.
    const twice = await run(['-q', '-f', 'json', '-', '-'], readFileSync(file));
    expect(twice.code).toBe(0);
    expect(JSON.parse(twice.stdout)).toEqual(fromStdin);
  });

  it('writes csv, markdown and html, to stdout or --output', async () => {
    const csv = await run(['--format', 'csv', 'flat']);
    expect(csv.code).toBe(0);
    const header = csv.stdout.split('\r\n')[0]!;
    expect(header).toContain('remoteHost');
    expect(csv.stdout.split('\r\n').filter((l) => l !== '').length).toBe((await json(['flat'])).groups.length + 1);
    const md = await run(['--format', 'markdown', 'flat']);
    expect(md.stdout).toMatch(/^\|.*REMOTE|^\|.*[Rr]emote/m);
    const out = join(dir, 'report.html');
    const html = await run(['--format', 'html', '--output', out, 'flat']);
    expect(html.code).toBe(0);
    expect(html.stdout).toBe('');
    const page = readFileSync(out, 'utf8');
    expect(page).toMatch(/^<!doctype html>/i);
    expect(page).toContain('<svg');
    expect(page).toContain('Content-Security-Policy');
  });

  it('writes the same JSON to a pipe, to a redirected file and to --output', async () => {
    const piped = await run(['--format', 'json', 'flat']);
    expect(piped.code).toBe(0);
    const out = join(dir, 'report.json');
    const toFile = await run(['--format', 'json', '--output', out, 'flat']);
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(piped.stdout);
    // `> report.json`: standard output is a regular file, written through the same buffer as --output.
    const redirected = join(dir, 'redirected.json');
    const fd = openSync(redirected, 'w');
    const r = spawnSync(process.execPath, [BIN, '--format', 'json', 'flat'], { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    expect(r.status).toBe(0);
    expect(readFileSync(redirected, 'utf8')).toBe(piped.stdout);
    expect(JSON.parse(piped.stdout).groups.length).toBeGreaterThan(3);
  });

  it('writes the same HTML and CSV to a pipe, to a redirected file and to --output', async () => {
    // The page says when it was generated (to the second): the runs are compared without that line.
    const stable = (page: string) => page.replace(/<div class="meta">Generated [^<]*/, '');
    for (const format of ['html', 'csv']) {
      const piped = await run(['--format', format, 'flat']);
      expect(piped.code).toBe(0);
      const out = join(dir, `report.${format}`);
      expect((await run(['--format', format, '--output', out, 'flat'])).code).toBe(0);
      const redirected = join(dir, `redirected.${format}`);
      const fd = openSync(redirected, 'w');
      const r = spawnSync(process.execPath, [BIN, '--format', format, 'flat'], { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
      closeSync(fd);
      expect(r.status).toBe(0);
      expect(stable(readFileSync(out, 'utf8'))).toBe(stable(piped.stdout));
      expect(stable(readFileSync(redirected, 'utf8'))).toBe(stable(piped.stdout));
      expect(piped.stdout.length).toBeGreaterThan(1_000);
    }
  });

  it('says so when the report cannot be written, with its own exit code', async () => {
    const r = await run(['--format', 'json', '--output', join(dir, 'no-such-folder', 'report.json'), 'flat']);
    expect(r.code).toBe(EXIT.unwritable);
    expect(r.stderr).toBe(`logscan: cannot write the report to ${join(dir, 'no-such-folder', 'report.json')}: no such folder ${join(dir, 'no-such-folder')}\n`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it('filters by time, category, connector and host', async () => {
    const all = await json(['flat']);
    const printers = await json(['--connector', 'relay printers', 'flat']);
    expect(printers.groups.length).toBeGreaterThan(0);
    expect(printers.groups.every((g) => g.connector === 'EX01\\Relay Printers')).toBe(true);
    const legacy = await json(['--category', 'legacy-tls', 'flat']);
    expect(Object.keys(legacy.totals.byCategory)).toEqual(['legacy-tls']);
    expect(legacy.totals.byCategory['legacy-tls']).toBe(all.totals.byCategory['legacy-tls']);
    const o365 = await json(['--host', '104.47.', 'flat']);
    expect(o365.groups.every((g) => g.remoteHost.startsWith('104.47.'))).toBe(true);
    const early = await json(['--until', '2025-11-10T09:30:00Z', 'flat']);
    const late = await json(['--since', '2025-11-10T09:30:00Z', 'flat']);
    expect(early.totals.sessions + late.totals.sessions).toBe(all.totals.sessions);
    expect(early.totals.sessions).toBeGreaterThan(0);
    expect(late.totals.sessions).toBeGreaterThan(0);
  });

  it('exit codes: 1 on --fail-on match, 0 without, 2 on usage errors, 3 on unreadable inputs', async () => {
    expect((await run(['--fail-on', 'legacy-tls', '--quiet', 'flat'])).code).toBe(1);
    expect((await run(['--fail-on', 'any', '--quiet', 'flat'])).code).toBe(1);
    const healthy = join(process.cwd(), 'test', 'fixtures', 'real', 'qazeer-artefacts-help-exch2016-recv-tls12.LOG');
    expect((await run(['--fail-on', 'legacy-tls,socket-error', healthy])).code).toBe(0);
    const bad = await run(['--bogus', 'flat']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bogus/);
    expect((await run(['--format', 'xml', 'flat'])).code).toBe(2);
    expect((await run(['--since', 'yesterday-ish', 'flat'])).code).toBe(2);
    expect((await run([])).code).toBe(2);
    const missing = await run(['--format', 'json', 'flat', 'does-not-exist.LOG']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('does-not-exist.LOG: no such file or directory');
    const report = JSON.parse(missing.stdout) as Report;
    expect(report.totals.sessions).toBe((await json(['flat'])).totals.sessions);
    // A check that finds failures fails as such even when another input is missing: 1 wins over 3 (README, --help).
    expect((await run(['--fail-on', 'any', '--quiet', 'flat', 'does-not-exist.LOG'])).code).toBe(1);
    expect((await run(['--fail-on', 'any', '--quiet', healthy, 'does-not-exist.LOG'])).code).toBe(3);
  });

  it('refuses unknown category ids in --fail-on and --category (a typo must not make a check that never fails)', async () => {
    for (const args of [['--fail-on', 'legacy_tls'], ['--fail-on', 'legacy-tls,tls-failed'], ['--category', 'foo'], ['--fail-on', ','], ['--category', 'any']]) {
      const r = await run([...args, '--quiet', 'flat']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    const typo = await run(['--fail-on', 'legacy_tls', 'flat']);
    expect(typo.stderr).toContain("--fail-on: unknown category 'legacy_tls' (use tls-negotiation-failed,");
    // The CLI's own words, before scan() (which matches ids the same way) would refuse it in its own.
    const category = await run(['--category', 'Legacy_TLS', 'flat']);
    expect(category.code).toBe(2);
    expect(category.stderr).toBe(
      "logscan: --category: unknown category 'legacy_tls' (use tls-negotiation-failed, socket-error, starttls-required, starttls-not-offered, legacy-tls, plaintext, connect-failed, queue-error)\nTry 'logscan --help'.\n",
    );
    // Ids are matched in any case, so a check written in capitals still fails on a finding.
    expect((await run(['--fail-on', 'LEGACY-TLS', '--quiet', 'flat'])).code).toBe(1);
    // A --category that keeps none of the --fail-on categories makes a check that can never fail.
    const never = await run(['--category', 'plaintext', '--fail-on', 'legacy-tls', 'flat']);
    expect(never.code).toBe(2);
    expect(never.stderr).toContain('--fail-on legacy-tls can never match: --category plaintext keeps only other findings');
    expect((await run(['--category', 'plaintext,legacy-tls', '--fail-on', 'legacy-tls', '--quiet', 'flat'])).code).toBe(1);
    expect((await run(['--category', 'plaintext', '--fail-on', 'any', '--quiet', 'flat'])).code).toBe(1);
    const upper = await json(['--category', 'Legacy-TLS', 'flat']);
    expect(upper.totals.findings).toBeGreaterThan(0);
    expect(upper.groups.every((g) => g.mainCategory === 'legacy-tls' || g.mainCategory === null)).toBe(true);
  });

  it('refuses --since later than --until, and scan-time options given to merge', async () => {
    const crossed = await run(['--since', '2025-11-11', '--until', '2025-11-10', 'flat']);
    expect(crossed.code).toBe(2);
    expect(crossed.stderr).toContain('is later than --until');
    const report = join(dir, 'for-merge.json');
    expect((await run(['-f', 'json', '-o', report, 'flat/EX01'])).code).toBe(0);
    const help = (await run(['--help'])).stdout;
    const mergeHelp = help.slice(help.indexOf('Merge ('), help.indexOf('Exit codes:'));
    const readme = readFileSync('README.md', 'utf8');
    const mergeReadme = readme.slice(readme.indexOf('`logscan merge` reads'), readme.indexOf('Exit codes:'));
    const scanOnly = [['--since', '1d'], ['--until', '1d'], ['--category', 'legacy-tls'], ['--connector', 'x'], ['--host', '10.0.5.4'], ['--max-open', '5'], ['--idle', '5m'], ['--jobs', '2']];
    for (const option of scanOnly) {
      const r = await run(['merge', ...option, report]);
      expect(r.code, option[0]).toBe(2);
      expect(r.stderr).toContain(`merge combines finished reports and cannot apply ${option[0]}`);
      // Documented where users look: --help and the README say which options merge refuses.
      expect(mergeHelp, option[0]).toContain(option[0]);
      expect(mergeReadme, option[0]).toContain(option[0] === '--jobs' ? '`-j`' : `\`${option[0]}\``);
    }
    expect((await run(['merge', '--fail-on', 'legacy-tls', '--quiet', report])).code).toBe(1);
    // A report that recorded an unreadable input passes it on, with its exit code.
    const withError = join(dir, 'for-merge-error.json');
    expect((await run(['-f', 'json', '-o', withError, '--quiet', 'flat/EDGE01', 'does-not-exist.LOG'])).code).toBe(3);
    const merged = await run(['merge', report, withError]);
    expect(merged.code).toBe(3);
    expect(merged.stderr).toContain('does-not-exist.LOG: no such file or directory');
  });

  it('merge --help describes the options a merge takes and none it refuses; its usage errors point there', async () => {
    const general = await run(['--help']);
    const merge = await run(['merge', '--help']);
    expect(merge.code).toBe(0);
    expect(merge.stdout).not.toBe(general.stdout);
    // The options a help text describes: the lines that start with one (`  -f, --format`, `      --since`).
    const described = (help: string) => [...help.matchAll(/^ {2}(?:-\w, | {4})(--[a-z-]+)/gm)].map((m) => m[1]);
    const taken = ['--format', '--output', '--samples', '--top', '--no-color', '--color', '--quiet', '--fail-on', '--max-groups', '--help', '--version'];
    expect(described(merge.stdout).sort()).toEqual([...taken].sort());
    // Everything it describes is in the general help too, in the same words.
    for (const option of taken) expect(described(general.stdout), option).toContain(option);
    expect(merge.stdout).toContain('logscan merge [options] <report.json');
    const refused = await run(['merge', '--since', '1d', 'x.json']);
    expect(refused.stderr).toContain("Try 'logscan merge --help'.");
    expect((await run(['merge', '--bogus', 'x.json'])).stderr).toContain("Try 'logscan merge --help'.");
    // Options before the word merge make it no less a merge.
    const late = await run(['-q', 'merge', '--snice', '1d', 'x.json']);
    expect(late.stderr).toBe("logscan: unknown option '--snice'\nTry 'logscan merge --help'.\n");
    expect((await run(['--since', 'soon', 'flat'])).stderr).toContain("Try 'logscan --help'.");
  });

  it.runIf(process.platform !== 'win32')('says that -o with backslashes names one file here, not folders', async () => {
    const target = join(dir, 'C:\\temp\\report.json');
    const r = await run(['-f', 'json', '-o', target, 'flat/EX01']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('a backslash is part of a file name here, not a folder separator: the report is written to a file of that name (use / between folders)');
    expect(JSON.parse(readFileSync(target, 'utf8')).schema).toBe('logscan.report/1');
    expect((await run(['-q', '-f', 'json', '-o', target, 'flat/EX01'])).stderr).toBe('');
    expect((await run(['-f', 'json', '-o', join(dir, 'plain.json'), 'flat/EX01'])).stderr).not.toContain('backslash');
  });

  it('merge refuses two reports that read the same file, whose sessions would count twice', async () => {
    const a = join(dir, 'twice-a.json');
    const b = join(dir, 'twice-b.json');
    expect((await run(['-f', 'json', '-o', a, 'flat/EX01'])).code).toBe(0);
    // Another run over an overlapping set of files: EX01's send logs are in both.
    expect((await run(['-f', 'json', '-o', b, 'flat/EX01/Hub', 'flat/EDGE01'])).code).toBe(0);
    for (const pair of [[a, a], [a, b]]) {
      const r = await run(['merge', ...pair]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${pair[0]} and ${pair[1]} both read`);
      expect(r.stderr).toMatch(/both read flat\/EX01\/\w+\/ProtocolLog\/\w+\/\w+-1\.LOG \(same size, lines and times\): merged, its sessions would be counted twice/);
    }
  });

  it('merge reads reports compressed, from standard input, from a folder and by a pattern, with the same result', async () => {
    const reports = join(dir, 'reports');
    mkdirSync(reports);
    expect((await run(['-q', '-f', 'json', '-o', join(reports, 'ex01.json'), 'flat/EX01'])).code).toBe(0);
    expect((await run(['-q', '-f', 'json', '-o', join(reports, 'edge01.json'), 'flat/EDGE01'])).code).toBe(0);
    const plain = await run(['merge', '-q', '-f', 'json', join(reports, 'edge01.json'), join(reports, 'ex01.json')]);
    expect(plain.code).toBe(0);
    const ex01 = readFileSync(join(reports, 'ex01.json'));
    // Copied off a server as .json.gz: read as it is.
    const zipped = join(dir, 'ex01.json.gz');
    writeFileSync(zipped, gzipSync(ex01));
    expect((await run(['merge', '-q', '-f', 'json', join(reports, 'edge01.json'), zipped])).stdout).toBe(plain.stdout);
    expect((await run(['merge', '-q', '-f', 'json', join(reports, 'edge01.json'), '-'], ex01)).stdout).toBe(plain.stdout);
    // A folder's reports, and a pattern left unexpanded (as PowerShell and cmd leave it), in name order.
    expect((await run(['merge', '-q', '-f', 'json', reports])).stdout).toBe(plain.stdout);
    expect((await run(['merge', '-q', '-f', 'json', join(reports, '*.json')])).stdout).toBe(plain.stdout);
    const none = await run(['merge', join(reports, '*.csv')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('*.csv: the pattern matched no files');
    // Its keys sorted (jq -S puts schema after groups): still a report.
    const sorted = join(dir, 'sorted.json');
    const parsed = JSON.parse(ex01.toString('utf8')) as Record<string, unknown>;
    writeFileSync(sorted, JSON.stringify(Object.fromEntries(Object.entries(parsed).sort(([a], [b]) => (a < b ? -1 : 1)))));
    expect((await run(['merge', '-q', '-f', 'json', join(reports, 'edge01.json'), sorted])).stdout).toBe(plain.stdout);
    // Standard input named twice is read once; links in a folder are its reports too.
    expect((await run(['merge', '-q', '-f', 'json', join(reports, 'edge01.json'), '-', '-'], ex01)).stdout).toBe(plain.stdout);
    const linked = join(dir, 'linked');
    mkdirSync(linked);
    symlinkSync(join(reports, 'ex01.json'), join(linked, 'ex01.json'));
    symlinkSync(join(reports, 'edge01.json'), join(linked, 'edge01.json'));
    expect((await run(['merge', '-q', '-f', 'json', linked])).stdout).toBe(plain.stdout);
    // -o naming a report that a folder or pattern brings in is refused, as one named on its own is.
    for (const from of [reports, join(reports, '*.json')]) {
      const over = await run(['merge', '-q', '-f', 'json', '-o', join(reports, 'ex01.json'), from]);
      expect(over.code).toBe(2);
      expect(over.stderr).toContain(`the output ${join(reports, 'ex01.json')} is the input ${join(reports, 'ex01.json')}`);
    }
    expect(readFileSync(join(reports, 'ex01.json'))).toEqual(ex01);
    // Past --max-groups, the order of reports decides which hosts keep rows: largest first, then by full path, so
    // two of one size merge alike however they are named (./edge01.json is edge01.json).
    const tie = join(dir, 'tie');
    mkdirSync(tie);
    const [e1, e2] = [readFileSync(join(reports, 'edge01.json')), ex01];
    const size = Math.max(e1.length, e2.length);
    writeFileSync(join(tie, 'a.json'), Buffer.concat([e1, Buffer.alloc(size - e1.length, ' ')]));
    writeFileSync(join(tie, 'b.json'), Buffer.concat([e2, Buffer.alloc(size - e2.length, ' ')]));
    const ab = await runCli(['merge', '-q', '-f', 'json', '--max-groups', '5', 'a.json', './b.json'], tie);
    expect(ab.code).toBe(0);
    expect((await runCli(['merge', '-q', '-f', 'json', '--max-groups', '5', 'b.json', 'a.json'], tie)).stdout).toBe(ab.stdout);
    // Hidden files in a folder are not reports (macOS leaves ._x.json beside copies), as a pattern skips them.
    writeFileSync(join(reports, '._ex01.json'), 'not json');
    expect((await run(['merge', '-q', '-f', 'json', reports])).stdout).toBe(plain.stdout);
    // A path that cannot be looked at is a usage error naming it, not an internal error.
    const notDir = await run(['merge', join(reports, 'ex01.json', 'x.json')]);
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toMatch(/ex01\.json\/x\.json: not a readable JSON report/);
    // A damaged compressed report is refused in words.
    const broken = join(dir, 'broken.json.gz');
    writeFileSync(broken, gzipSync(ex01).subarray(0, 200));
    const bad = await run(['merge', broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.json\.gz: not a readable JSON report \(/);
  });

  it.runIf(existsSync('/dev/full'))('exit code 5 when standard output cannot be written (a full disk), 0 when the reader just goes away', () => {
    for (const format of ['table', 'json']) {
      const full = openSync('/dev/full', 'w');
      try {
        const r = spawnSync(process.execPath, [BIN, '-f', format, 'flat'], { cwd: dir, stdio: ['ignore', full, 'pipe'] });
        expect(r.status, format).toBe(EXIT.unwritable);
        expect(r.stderr.toString('utf8')).toContain('logscan: cannot write the report: ENOSPC');
      } finally {
        closeSync(full);
      }
    }
    // `| head -c 100`: the pipe closes early, which is the reader's choice, not a failure.
    const head = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" -f json flat | head -c 100 > /dev/null`], { cwd: dir });
    expect(head.status, head.stderr.toString('utf8')).toBe(0);
  });

  it('exit code 6 when a --fail-on check read no row at all; 0 when rows were read and filtered out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-nothing-'));
    try {
      mkdirSync(join(dir, 'MessageTracking'));
      cpSync(join(process.cwd(), 'test', 'fixtures', 'real', 'elastic-beats-bom8-exch2010-messagetracking.LOG'), join(dir, 'MessageTracking', 'MSGTRK1.LOG'));
      const check = await run(['--fail-on', 'legacy-tls', dir]);
      expect(check.code).toBe(6);
      expect(check.stderr).toContain('--fail-on: no protocol-log row or queue entry was read');
      expect((await run(['--fail-on', 'legacy-tls', '--quiet', dir])).stderr).toBe('');
      // The same folder without --fail-on is an (explained) empty report, as before.
      expect((await run([dir])).code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Rows inside the window, none with that finding (--category leaves no session): the check ran on data.
    const quietWindow = await run(['--fail-on', 'legacy-tls', '--category', 'legacy-tls', '--since', '2025-11-10T10:40', 'flat']);
    expect(quietWindow.code).toBe(0);
    // Its coverage is the window's sessions, those --category left out included, and the totals say how many were read.
    expect(quietWindow.stdout).toMatch(/Coverage +2025-11-10 10:41:08 → 2025-11-10 10:52:07 UTC/);
    expect(quietWindow.stdout).toContain('Totals    0 sessions with findings of the categories asked for (2 read: --category keeps the others out)');
  });

  it('exit code 6 when the logs read all end before --since or start after --until: logs that stopped arriving', async () => {
    const stale = await run(['--fail-on', 'legacy-tls', '--since', '2099-01-01', 'flat']);
    expect(stale.code).toBe(6);
    expect(stale.stderr).toContain('--fail-on: the logs read run 2025-11-10T09:00:02.');
    expect(stale.stderr).toContain('outside --since/--until, so the check has no data');
    expect((await run(['--fail-on', 'legacy-tls', '--quiet', '--until', '2020-01-01', 'flat'])).code).toBe(6);
    // The table says when the logs run, instead of only that no log times were read.
    expect((await run(['--since', '2099-01-01', 'flat'])).stdout).toMatch(/Coverage +no session in this report; the logs read run 2025-11-10 09:00:02 → 2025-11-10 10:52:07 UTC/);
    // Without --fail-on, the same run is an explained empty report, exit 0.
    expect((await run(['--quiet', '--since', '2099-01-01', 'flat'])).code).toBe(0);
    // Merged, the reports' own window decides: per-server reports of stale logs fail the check there too.
    const staleReport = join(dir, 'stale.json');
    await run(['-q', '-f', 'json', '-o', staleReport, '--since', '2099-01-01', 'flat']);
    const merged = await run(['merge', '--fail-on', 'legacy-tls', staleReport]);
    expect(merged.code).toBe(6);
    expect(merged.stderr).toContain('outside --since/--until, so the check has no data');
    const freshReport = join(dir, 'fresh.json');
    await run(['-q', '-f', 'json', '-o', freshReport, '--since', '2025-11-10', 'flat']);
    expect((await run(['merge', '-q', '--fail-on', 'starttls-not-offered', freshReport])).code).toBe(0);
  });

  it('--top limits the detailed groups of the table and says how many more there are; --top all shows all', async () => {
    const all = await json(['flat']);
    const failing = all.groups.filter((g) => g.mainCategory !== null).length;
    expect(failing).toBeGreaterThan(3);
    const three = await run(['--top', '3', 'flat']);
    expect(three.stdout.split('\n').filter((l) => /^\[\d+\] /.test(l))).toHaveLength(3);
    expect(three.stdout).toContain(`${failing - 3} more groups with findings not shown`);
    const every = await run(['--top', 'all', 'flat']);
    expect(every.stdout.split('\n').filter((l) => /^\[\d+\] /.test(l))).toHaveLength(failing);
    expect((await run(['--top', 'ALL', 'flat'])).stdout).toBe(every.stdout);
    const some = await run(['--top', 'some', 'flat']);
    expect(some.code).toBe(2);
    expect(some.stderr).toContain("--top needs a whole number >= 1 or 'all', got 'some'");
  });

  it('--top cuts the HTML groups table (default 1000 groups there); --top all keeps every group', async () => {
    const all = await json(['flat']);
    const one = await run(['-f', 'html', '--top', '1', 'flat']);
    expect(one.code).toBe(0);
    expect(one.stdout.match(/<tbody data-i="/g)).toHaveLength(1);
    expect(one.stdout).toContain(`This page shows the 1 worst of ${all.groups.length} groups`);
    const every = await run(['-f', 'html', 'flat']);
    expect(every.stdout.match(/<tbody data-i="/g)).toHaveLength(all.groups.length);
    expect((await run(['--help'])).stdout).toMatch(/rows of the HTML groups table, worst first \(default\s+1000\)/);
  });

  it('--help documents the exit codes and --version prints the version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*1\s+--fail-on matched[^\n]*1 wins over 3[\s\S]*3\s+some inputs could not be read[\s\S]*5\s+the report could not be written/);
    // The two duration options take different units; --idle 30 is minutes.
    expect(help.stdout).toMatch(/--since[^\n]*\n[^\n]*m \(minutes\), h, d or w/);
    expect(help.stdout).toMatch(/--idle[^\n]*\n[^\n]*s, m or h[^\n]*a bare number is minutes/);
    const version = await run(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('--help, the README and docs/guarantees.md list the same exit codes, 70 and 130/143 included', async () => {
    const help = (await run(['--help'])).stdout;
    const codes = (text: string, row: RegExp) => [...text.matchAll(row)].map((m) => m[1]!).join(' ');
    const helpCodes = codes(help.slice(help.indexOf('Exit codes:')), /^ {2}(\d+(?:, \d+)?) /gm);
    expect(helpCodes).toBe('0 1 2 3 4 5 6 70 130, 143');
    for (const doc of ['README.md', 'docs/guarantees.md']) {
      const text = readFileSync(doc, 'utf8');
      const table = text.slice(text.indexOf('| code | meaning |'));
      expect(codes(table.slice(0, table.indexOf('\n\n')), /^\| (\d+(?:, \d+)?) \|/gm), doc).toBe(helpCodes);
    }
  });

  it('merge of per-server runs equals one run over both servers', async () => {
    const ex01 = join(dir, 'ex01.json');
    const edge = join(dir, 'edge.json');
    expect((await run(['-f', 'json', '-o', ex01, 'flat/EX01', 'flat/queue'])).code).toBe(0);
    expect((await run(['-f', 'json', '-o', edge, 'flat/EDGE01', 'flat/EX2010'])).code).toBe(0);
    const merged = await json(['merge', ex01, edge]);
    const whole = await json(['flat/EX01', 'flat/queue', 'flat/EDGE01', 'flat/EX2010']);
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.groups).toEqual(whole.groups);
    expect(merged.coverage).toEqual(whole.coverage);
    expect(merged.timeline).toEqual(whole.timeline);
    const notReport = join(dir, 'x.json');
    writeFileSync(notReport, '{"hello":1}');
    expect((await run(['merge', notReport])).code).toBe(2);
  });
});


describe('NO_COLOR', () => {
  /** The table of samples/ with --color, under the given environment: whether it has colour escapes. */
  async function coloured(env: NodeJS.ProcessEnv): Promise<boolean> {
    let out = '';
    const code = await main({
      argv: ['--color', '--quiet', '--jobs', '1', join(process.cwd(), 'samples', 'EX01')],
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env,
    });
    expect(code).toBe(0);
    return out.includes('\u001b[');
  }

  it('turns colour off when set to a value, and only then (no-color.org: an empty value is as if unset)', async () => {
    expect(await coloured({})).toBe(true);
    expect(await coloured({ NO_COLOR: '1' })).toBe(false);
    expect(await coloured({ NO_COLOR: '' })).toBe(true);
  });
});

describe('batched writes', () => {
  it('joins pieces into writes of at least the batch size without changing the text', async () => {
    const { batched } = await import('../src/cli.js');
    const pieces = Array.from({ length: 1000 }, (_, i) => `piece ${i};`);
    const out = [...batched(pieces, 1000)];
    expect(out.join('')).toBe(pieces.join(''));
    expect(out.length).toBeLessThan(15);
    expect(out.slice(0, -1).every((w) => w.length >= 1000)).toBe(true);
    expect([...batched([], 10)]).toEqual([]);
  });
});

describe('a report too large for one text', () => {
  const report = { groups: new Array(200_000), inputs: new Array(3) };

  it('is explained (with the way out), not shown as an internal error', () => {
    // What V8 throws when a string would pass its length limit (building it for real takes gigabytes).
    let thrown: unknown;
    try {
      'x'.repeat(2 ** 30);
    } catch (e) {
      thrown = e;
    }
    const message = tooLargeMessage(thrown, 'html', report);
    expect(message).toMatch(/^the html report of 200000 groups and 3 inputs is too large/);
    expect(message).toContain('--format json');
    expect(EXIT.tooLarge).toBe(4);
  });

  it('leaves every other error alone', () => {
    expect(tooLargeMessage(new RangeError('Maximum call stack size exceeded'), 'html', report)).toBeNull();
    expect(tooLargeMessage(new Error('Invalid string length'), 'html', report)).toBeNull();
  });
});

describe('parseTime', () => {
  it('reads a date or time without a zone as UTC, as the logs are, whatever the machine’s zone', async () => {
    const now = new Date('2025-11-10T12:00:00Z');
    expect((await parseTime('2025-11-10', now)).toISOString()).toBe('2025-11-10T00:00:00.000Z');
    expect((await parseTime('2025-11-10T08:05', now)).toISOString()).toBe('2025-11-10T08:05:00.000Z');
    expect((await parseTime('2025-11-10 08:05:30.5', now)).toISOString()).toBe('2025-11-10T08:05:30.500Z');
    expect((await parseTime('2025-11-10T08:05:00Z', now)).toISOString()).toBe('2025-11-10T08:05:00.000Z');
    expect((await parseTime('2025-11-10T08:05:00+01:00', now)).toISOString()).toBe('2025-11-10T07:05:00.000Z');
    expect((await parseTime('2025-11-10T08:05-0500', now)).toISOString()).toBe('2025-11-10T13:05:00.000Z');
    expect((await parseTime('90m', now)).toISOString()).toBe('2025-11-10T10:30:00.000Z');
  });

  it('gives the same window from the command line under any TZ', async () => {
    const counts = [];
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York']) {
      const child = spawnSync(process.execPath, [BIN, '-f', 'json', '--since', '2025-11-10T09:30:00', 'flat'], { cwd: dir, env: { ...process.env, TZ: tz } });
      counts.push((JSON.parse(child.stdout.toString('utf8')) as Report).totals.sessions);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBe((await json(['--since', '2025-11-10T09:30:00Z', 'flat'])).totals.sessions);
  });
});
