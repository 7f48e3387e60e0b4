// A report says which filters made it: a change ticket must show that it counts legacy TLS since a date, and
// merging reports that count different things must fail instead of adding them up.
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { FiltersMismatchError, mergeReports, renderHtml, scan, type Report, type ScanFilter } from '../src/index.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const validate = new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('docs/report.schema.json', 'utf8')) as object);

/** The same report as if it had read other files (merge refuses the same log twice). */
function elsewhere(r: Report, tag: string): Report {
  return { ...r, inputs: r.inputs.map((i) => ({ ...i, source: `${i.source}.${tag}` })) };
}

describe('report.filters', () => {
  it('holds the filters given, and only those', async () => {
    expect((await scan('samples', { jobs: 1 })).filters).toBeUndefined();
    const r = await scan('samples', { jobs: 1, filter: { since: new Date('2025-11-10T10:00:00Z'), categories: ['Legacy-TLS'], host: '10.0.' } });
    expect(r.filters).toEqual({ since: '2025-11-10T10:00:00.000Z', categories: ['legacy-tls'], host: '10.0.' });
    // After coverage in the JSON, before the inputs.
    expect(Object.keys(r).slice(0, 4)).toEqual(['schema', 'generator', 'coverage', 'filters']);
  });

  it('leave out a filter given as null, as not given (it was written as `host: null`, which merge then refused)', async () => {
    const open = await scan('samples/EX01', { jobs: 1 });
    for (const key of ['since', 'until', 'categories', 'connector', 'host']) {
      const r = await scan('samples/EX01', { jobs: 1, filter: { [key]: null } as unknown as ScanFilter });
      expect(r.filters, key).toBeUndefined();
      expect(r.totals, key).toEqual(open.totals);
      expect(renderMarkdown(r), key).not.toContain('Filters');
      expect(validate(JSON.parse(JSON.stringify(r))), `${key}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(() => mergeReports([open, elsewhere(r, key)]), key).not.toThrow();
    }
  });

  it("take a connector or host of '' as not given: it filters nothing, so the report names no filter and merges with an unfiltered one", async () => {
    const open = await scan('samples/EX01', { jobs: 1 });
    for (const filter of [{ host: '' }, { connector: '' }, { host: '', connector: '', categories: [] }]) {
      const r = await scan('samples/EX01', { jobs: 1, filter });
      expect(r.filters, JSON.stringify(filter)).toBeUndefined();
      expect(r.totals).toEqual(open.totals);
      expect(() => mergeReports([open, elsewhere(r, 'e')])).not.toThrow();
    }
  });

  it("logscan --host '' and --connector '' filter nothing and say no filter, as scan() does", async () => {
    requireBuiltCli();
    for (const args of [['--host', ''], ['--connector', '']]) {
      const json = await runCli([...args, '-f', 'json', '-q', 'samples/EX01'], process.cwd());
      expect(json.code, args.join(' ')).toBe(0);
      const r = JSON.parse(json.stdout) as Report;
      expect(r.filters).toBeUndefined();
      expect(r.totals.sessions).toBe((await scan('samples/EX01', { jobs: 1 })).totals.sessions);
      expect((await runCli([...args, '-q', 'samples/EX01'], process.cwd())).stdout).not.toContain('Filters');
    }
  });

  it('are shown in the table, Markdown and HTML', async () => {
    const r = await scan('samples', { jobs: 1, filter: { since: new Date('2025-11-10T10:00:00Z'), categories: ['legacy-tls'], connector: 'Relay' } });
    const expected = '--since 2025-11-10 10:00:00 UTC --category legacy-tls --connector "Relay"';
    expect(renderTable(r, { width: 200 })).toContain(`Filters   ${expected}\nCoverage`);
    // A leading `-` is escaped (it would start a list item).
    expect(renderMarkdown(r)).toContain(`Filters: \\${expected}\n`);
    expect(renderHtml(r)).toContain('Made with filters: <span class="mono">--since 2025-11-10 10:00:00 UTC --category legacy-tls --connector &quot;Relay&quot;</span>');
  });

  it('merge: windows add up, other category, connector or host filters are refused', async () => {
    const w1 = await scan('samples/EX01', { jobs: 1, filter: { since: new Date('2025-11-10T09:00:00Z'), until: new Date('2025-11-10T10:00:00Z') } });
    const w2 = elsewhere(await scan('samples/EX01', { jobs: 1, filter: { since: new Date('2025-11-10T10:00:00Z'), until: new Date('2025-11-10T11:00:00Z') } }), 'w2');
    expect(mergeReports([w1, w2]).filters).toEqual({ since: '2025-11-10T09:00:00.000Z', until: '2025-11-10T11:00:00.000Z' });
    const open = elsewhere(await scan('samples/EX01', { jobs: 1 }), 'all');
    expect(mergeReports([w1, open]).filters).toBeUndefined();
    const legacy = elsewhere(await scan('samples/EX01', { jobs: 1, filter: { categories: ['legacy-tls'] } }), 'legacy');
    expect(() => mergeReports([open, legacy])).toThrow(FiltersMismatchError);
    expect(() => mergeReports([open, legacy])).toThrow('reports 1 and 2 were made with other filters (no --category; --category legacy-tls): they count different things');
    const host = elsewhere(await scan('samples/EX01', { jobs: 1, filter: { host: '10.0.' } }), 'host');
    expect(() => mergeReports([open, host])).toThrow(FiltersMismatchError);
    // Connector and host text in another case are the same filter, as they match in any case.
    const relay1 = await scan('samples/EX01', { jobs: 1, filter: { connector: 'relay' } });
    const relay2 = elsewhere(await scan('samples/EX01', { jobs: 1, filter: { connector: 'Relay' } }), 'r2');
    expect(mergeReports([relay1, relay2]).filters?.connector).toBe('relay');
    // The same categories in another order are the same filter.
    const both1 = await scan('samples/EX01', { jobs: 1, filter: { categories: ['legacy-tls', 'plaintext'] } });
    const both2 = elsewhere(await scan('samples/EX01', { jobs: 1, filter: { categories: ['plaintext', 'legacy-tls'] } }), 'b2');
    expect(mergeReports([both1, both2]).filters?.categories).toEqual(['legacy-tls', 'plaintext']);
  });

  it('logscan merge names both files when their filters differ, with exit 2', async () => {
    requireBuiltCli();
    const dir = mkdtempSync(join(tmpdir(), 'logscan-filters-'));
    try {
      writeFileSync(join(dir, 'all.json'), JSON.stringify(await scan('samples/EX01', { jobs: 1 })));
      writeFileSync(join(dir, 'legacy.json'), JSON.stringify(elsewhere(await scan('samples/EX01', { jobs: 1, filter: { categories: ['legacy-tls'] } }), 'x')));
      const r = await runCli(['merge', 'all.json', 'legacy.json'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('all.json (no --category) and legacy.json (--category legacy-tls) were made with other filters');
      // A check on reports that cannot hold its findings is refused, as it is for a scan.
      const never = await runCli(['merge', '--fail-on', 'plaintext', '-q', 'legacy.json'], dir);
      expect(never.code).toBe(2);
      expect(never.stderr).toContain('--fail-on plaintext can never match: the reports were made with --category legacy-tls');
      expect((await runCli(['merge', '--fail-on', 'legacy-tls', '-q', 'legacy.json'], dir)).code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a --since window the logs do not reach', () => {
  it('uncoveredEnds: all logs ending early, or one server ending before the others, by more than an hour', async () => {
    const { uncoveredEnds } = await import('../src/report/span.js');
    const r = await scan('samples', { jobs: 1 });
    // samples/ protocol logs end at 10:52:07; EDGE01's sessions at 09:58, EX2010's at 09:12, EX01's at 10:52.
    expect(uncoveredEnds(r, Date.parse('2025-11-10T11:30:00Z'))).toEqual([
      { server: 'EX2010', to: expect.stringMatching(/^2025-11-10T09:12/), gapMs: expect.any(Number) },
    ]);
    // With --host, a server's sessions are that host's: their end says nothing of the server's logs.
    const host = await scan('samples', { jobs: 1, filter: { host: '10.0.30.60' } });
    expect(uncoveredEnds(host, Date.parse('2025-11-10T11:30:00Z')).filter((u) => u.server !== null)).toEqual([]);
    const late = uncoveredEnds(r, Date.parse('2025-11-10T14:00:00Z'));
    expect(late[0]).toEqual({ server: null, to: '2025-11-10T10:52:07.606Z', gapMs: Date.parse('2025-11-10T14:00:00Z') - Date.parse('2025-11-10T10:52:07.606Z') });
    expect(late.map((u) => u.server)).toEqual([null, 'EX2010']);
  });

  it('is named on standard error (not with -q), and the exit code stays the run\'s', async () => {
    requireBuiltCli();
    const args = ['--since', '2025-11-10T09:00', '--until', '2025-11-10T14:00', '--fail-on', 'connect-failed', '-f', 'json', 'samples/EX01'];
    const r = await runCli(args, process.cwd());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('logscan: the protocol logs read end at 2025-11-10T10:52:07.606Z, 3 h before the end of the time window (--until): that part has no logs');
    expect((await runCli([...args, '-q'], process.cwd())).stderr).toBe('');
    // A relative --since ends now; an ISO --since alone (a look at old logs) has no end to reach.
    expect((await runCli(['--since', '30d', '-f', 'json', 'samples/EX01'], process.cwd())).stderr).toMatch(/before the end of the time window \(now\): that part has no logs/);
    expect((await runCli(['--since', '2025-11-10T09:00', '-f', 'json', 'samples/EX01'], process.cwd())).stderr).toBe('');
    // Merged, the reports' window says the same: their latest --until.
    const dir = mkdtempSync(join(tmpdir(), 'logscan-window-merge-'));
    try {
      const report = join(dir, 'ex01.json');
      expect((await runCli([...args, '-q', '-o', report], process.cwd())).code).toBe(0);
      const merged = await runCli(['merge', '-f', 'json', report], process.cwd());
      expect(merged.code).toBe(0);
      expect(merged.stderr).toContain("logscan: the protocol logs read end at 2025-11-10T10:52:07.606Z, 3 h before the end of the time window (the reports' --until): that part has no logs");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
