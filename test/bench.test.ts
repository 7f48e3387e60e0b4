import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';

const run = promisify(execFile);

interface CaseResult {
  id: string;
  name: string;
  seconds: number;
  mibPerSec: number;
  count: { label: string; records?: number; sessions?: number; findings?: number; lines?: number; groups?: number };
}

interface BenchSummary {
  results: CaseResult[];
  data: Record<string, { path: string; bytes: number; sessions: number }>;
  memory: unknown;
  threads: Array<{ id: string; mainCpu: number; otherCpu: number }> | null;
  scaling: { runs: CaseResult[]; ratio: number } | null;
}

const EXPECTED_CASES = [
  'csv-parse',
  'logscan-receive',
  'logscan-send',
  'logscan-retirement',
  'logscan-rotated-j1',
  'logscan-rotated-j2',
  'logscan-rotated-auto',
  'processes-2',
  'logscan-receive-gz',
  'logscan-receive-stdin',
  'grep',
  'startup',
  'floor',
];

function countOf(r: CaseResult): number {
  return r.count.records ?? r.count.sessions ?? r.count.lines ?? 0;
}

// The harness runs the built CLI: `npm test` builds first; a bare `vitest run` needs `npm run build` once.
describe('bench/run.mjs --quick', () => {
  it('runs every case on a few MB, with counts that match a direct scan()', async () => {
    expect(existsSync('dist/bin.js'), 'dist/bin.js is missing: run `npm run build` first').toBe(true);
    // The larger-folder reference is off in quick runs; asked for here (on 6 MB) so it does not rot either.
    const md = join(mkdtempSync(join(tmpdir(), 'logscan-bench-')), 'performance.md');
    const { stdout } = await run(process.execPath, ['bench/run.mjs', '--quick', '--no-write', '--md', md, '--scaling', '--scale-size', '6MB'], { maxBuffer: 16 * 1024 * 1024 });
    // The page the full run publishes, with every section this run measured.
    const page = readFileSync(md, 'utf8');
    expect(page).toContain('## Throughput');
    expect(page).toContain('## Threads on a larger folder (reference)');
    expect(page).toMatch(/\| logscan larger rotated folder, --jobs 2 \|.*\| [\d.]+× \|/);
    // CPU per thread is measured where /proc is (Linux); the --jobs 2 row counts the worker among the others.
    const linux = existsSync('/proc/self/task');
    expect(page.includes('## CPU per thread (reference)')).toBe(linux);
    if (linux) expect(page).toMatch(/\| logscan rotated folder, --jobs 2 \| [\d.]+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \|/);
    rmSync(dirname(md), { recursive: true, force: true });
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
    expect(line).toBeDefined();
    const summary = JSON.parse(line!.slice('BENCH_JSON '.length)) as BenchSummary;

    expect(summary.results.map((r) => r.id)).toEqual(EXPECTED_CASES);
    expect(summary.memory).toBeNull();
    if (summary.threads !== null) {
      expect(summary.threads.map((t) => t.id)).toEqual(['logscan-receive', 'logscan-rotated-j1', 'logscan-rotated-j2']);
      for (const t of summary.threads) expect(t.mainCpu, t.id).toBeGreaterThan(0);
    }
    for (const r of summary.results) {
      expect(countOf(r), r.id).toBeGreaterThan(0);
      expect(r.seconds, r.id).toBeGreaterThan(0);
      expect(Number.isFinite(r.mibPerSec), r.id).toBe(true);
      // The human-readable lines carry the count too, so a wrong run is visible without the JSON.
      expect(stdout).toContain(`${r.name}`);
      expect(stdout).toContain(r.count.label);
    }
    expect(stdout).toMatch(/receive log: [\d.,]+× csv-parse/);

    const byId = Object.fromEntries(summary.results.map((r) => [r.id, r]));
    const recv = summary.data.recv!;
    const direct = await scan(recv.path);
    expect(byId['logscan-receive']!.count.sessions).toBe(direct.totals.sessions);
    expect(byId['logscan-receive']!.count.findings).toBe(direct.totals.findings);
    // The generator says how many sessions it wrote; logscan must find them all.
    expect(direct.totals.sessions).toBe(recv.sessions);
    // csv-parse counts the same rows logscan reads as records.
    expect(byId['csv-parse']!.count.records).toBe(direct.inputs[0]!.records);
    // The retirement log is mostly findings (legacy TLS), and logscan finds every session the generator wrote.
    const retirement = byId['logscan-retirement']!.count;
    expect(retirement.sessions).toBe(summary.data.retirement!.sessions);
    expect(retirement.findings!).toBeGreaterThan(retirement.sessions! / 2);
    expect(stdout).toMatch(/retirement receive log \(most sessions are findings\): [\d.,]+× csv-parse/);
    // The same log compressed, or piped in, is the same log: same sessions, findings and groups.
    for (const id of ['logscan-receive-gz', 'logscan-receive-stdin']) {
      const { sessions, findings, groups } = byId[id]!.count;
      expect({ sessions, findings, groups }, id).toEqual({ sessions: direct.totals.sessions, findings: direct.totals.findings, groups: direct.groups.length });
    }
    expect(stdout).toMatch(/receive log as \.gz: [\d.,]+× csv-parse, [\d.,]+× the speed on the plain file.*on standard input: [\d.,]+× csv-parse/);
    // Threads must not change the result.
    expect(byId['logscan-rotated-j2']!.count).toEqual(byId['logscan-rotated-j1']!.count);
    expect(byId['logscan-rotated-auto']!.count).toEqual(byId['logscan-rotated-j1']!.count);
    // One process per server folder sees the same sessions and findings as one run over the whole folder.
    expect(byId['processes-2']!.count.sessions).toBe(byId['logscan-rotated-j1']!.count.sessions);
    expect(byId['processes-2']!.count.findings).toBe(byId['logscan-rotated-j1']!.count.findings);
    const [j1, j2, auto] = summary.scaling!.runs;
    expect([j1!.id, j2!.id, auto!.id]).toEqual(['scaling-j1', 'scaling-j2', 'scaling-auto']);
    expect(j1!.count.sessions).toBeGreaterThan(1000);
    expect(j2!.count).toEqual(j1!.count);
    expect(auto!.count).toEqual(j1!.count);
    expect(stdout).toMatch(/rotated folder of 6MB \(reference\): --jobs 2 is [\d.]+× --jobs 1, the default \(auto\) [\d.]+×/);
    // The lean pass counts the sessions that end with a disconnect row: most of those logscan finds, none more.
    const floor = byId.floor!.count.sessions!;
    expect(floor).toBeLessThanOrEqual(direct.totals.sessions);
    expect(floor).toBeGreaterThan(direct.totals.sessions * 0.9);
    expect(byId.startup!.count.sessions).toBeGreaterThan(0);
    expect(byId.startup!.count.sessions).toBeLessThan(direct.totals.sessions);
    expect(stdout).toMatch(/8× csv-parse on the receive log is [\d.]+ s\. A logscan run on 64 KiB takes [\d.]+ s, and the lean session pass [\d.]+ s/);
    const rotated = await scan(summary.data.rotated!.path);
    expect(byId['logscan-rotated-j1']!.count.sessions).toBe(rotated.totals.sessions);
  }, 60_000);
});
