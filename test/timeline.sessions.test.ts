// The timeline counts sessions per bucket beside findings, so that an hour without findings (traffic, no
// failures: the fix worked) can be told from an hour without logs (a copy job that missed a folder), which a
// chart of findings alone draws the same way.
import { fileURLToPath } from 'node:url';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeReports, renderHtml, scan, type Report } from '../src/index.js';
import { RECEIVE_HEAD, tlsSession } from './helpers/receive.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import { runLabel, timelineRuns } from '../src/output/timeline-runs.js';

/** One receive session at `time`: TLS 1.2 (clean) or TLS 1.0 (a legacy-tls finding). */
function sessionRows(id: string, time: string, legacy: boolean): string {
  return tlsSession(id, time, { legacy });
}

let dir: string;
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-timeline-'));
  const folder = join(dir, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
  mkdirSync(folder, { recursive: true });
  // 08:xx two clean sessions; 09:xx one legacy, one clean; 10:xx no log at all; 11:xx one clean.
  writeFileSync(join(folder, 'RECV2025111008-1.LOG'), `${RECEIVE_HEAD}${sessionRows('08DE00000000000A', '2025-11-10T08:10:00.000Z', false)}\n${sessionRows('08DE00000000000B', '2025-11-10T08:20:00.000Z', false)}\n`);
  writeFileSync(join(folder, 'RECV2025111009-1.LOG'), `${RECEIVE_HEAD}${sessionRows('08DE00000000000C', '2025-11-10T09:10:00.000Z', true)}\n${sessionRows('08DE00000000000D', '2025-11-10T09:20:00.000Z', false)}\n`);
  writeFileSync(join(folder, 'RECV2025111011-1.LOG'), `${RECEIVE_HEAD}${sessionRows('08DE00000000000E', '2025-11-10T11:10:00.000Z', false)}\n`);
  report = await scan(dir, { jobs: 1 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('timeline sessions', () => {
  it('has a point for every hour with a session start, with or without findings, and none for an hour without logs', () => {
    expect(report.timeline).toEqual({
      bucket: 'hour',
      points: [
        { t: '2025-11-10T08:00:00.000Z', sessions: 2, byCategory: {} },
        { t: '2025-11-10T09:00:00.000Z', sessions: 2, byCategory: { 'legacy-tls': 1 } },
        { t: '2025-11-10T11:00:00.000Z', sessions: 1, byCategory: {} },
      ],
    });
  });

  it('adds up to totals.sessions on real sample logs, also with --jobs', async () => {
    for (const jobs of [1, 2]) {
      const r = await scan('samples', { jobs });
      const sum = r.timeline!.points.reduce((n, p) => n + (p.sessions ?? 0), 0);
      expect(sum, `jobs ${jobs}`).toBe(r.totals.sessions);
    }
  });

  it('is present in a report without findings, so the hours the logs cover still show', async () => {
    const clean = await scan(dir, { jobs: 1, filter: { until: new Date('2025-11-10T09:00:00.000Z') } });
    expect(clean.totals.findings).toBe(0);
    expect(clean.timeline?.points).toEqual([{ t: '2025-11-10T08:00:00.000Z', sessions: 2, byCategory: {} }]);
  });

  it('counts the sessions a category filter leaves out: their hours had traffic, not a gap in the logs', async () => {
    for (const jobs of [1, 2]) {
      const legacy = await scan(dir, { jobs, filter: { categories: ['legacy-tls'] } });
      expect(legacy.totals.sessions, `jobs ${jobs}`).toBe(1);
      expect(legacy.timeline?.points, `jobs ${jobs}`).toEqual(report.timeline!.points);
    }
    // The host filter narrows what is counted: the hours are those of this host's sessions.
    const host = await scan(dir, { jobs: 1, filter: { host: '198.51.100.1' } });
    expect(host.timeline).toBeUndefined();
  });

  it('adds the counts in a merge, per day when a part is per day', () => {
    // Other file names: merge refuses a log twice.
    const merged = mergeReports([report, report].map((r, i) => ({ ...r, inputs: r.inputs.map((x) => ({ ...x, source: `${x.source}.${i}` })) })));
    expect(merged.timeline?.points.map((p) => p.sessions)).toEqual([4, 4, 2]);
    const daily: Report = { ...report, inputs: [], timeline: { bucket: 'day', points: [{ t: '2025-11-09T00:00:00.000Z', sessions: 7, byCategory: { 'socket-error': 1 } }] } };
    const both = mergeReports([report, daily]);
    expect(both.timeline).toEqual({
      bucket: 'day',
      points: [
        { t: '2025-11-09T00:00:00.000Z', sessions: 7, byCategory: { 'socket-error': 1 } },
        { t: '2025-11-10T00:00:00.000Z', sessions: 5, byCategory: { 'legacy-tls': 1 } },
      ],
    });
  });

  it('leaves the counts out of a merge with a report written before they existed, rather than undercount', () => {
    const older: Report = { ...report, inputs: [], timeline: { bucket: 'hour', points: report.timeline!.points.map(({ t, byCategory }) => ({ t, byCategory })) } };
    const merged = mergeReports([report, older]);
    expect(merged.timeline?.points.some((p) => 'sessions' in p)).toBe(false);
    expect(merged.timeline?.points.map((p) => p.byCategory['legacy-tls'] ?? 0)).toEqual([0, 2, 0]);
    // An older report without findings had no timeline at all, though its sessions had times.
    const olderClean: Report = { ...report, inputs: [], timeline: undefined };
    expect(mergeReports([report, olderClean]).timeline?.points.some((p) => 'sessions' in p)).toBe(false);
  });
});

describe('the HTML timeline', () => {
  it('shades the hour without logs and says how many sessions each hour had', () => {
    const html = renderHtml(report);
    const svg = html.slice(html.indexOf('<svg class="timeline"'), html.indexOf('</svg>', html.indexOf('<svg class="timeline"')));
    expect(svg.match(/class="gap"/g)).toHaveLength(1);
    expect(svg).toContain('2025-11-10 10:00–11:00 UTC\nno protocol-log session');
    expect(svg).toContain('2025-11-10 09:00–10:00 UTC\n2 sessions\nLegacy TLS');
    // A clean hour is still a column to hover.
    expect(svg).toContain('2025-11-10 08:00–09:00 UTC\n2 sessions\nno findings');
    expect(svg).toContain('1 hour without a protocol-log session, shaded');
    expect(html).toContain('no protocol-log session (no logs read, or no mail)');
  });

  it('shades nothing for a report of queue exports alone, which has no sessions anywhere', () => {
    const queueOnly: Report = {
      ...report,
      totals: { ...report.totals, sessions: 0 },
      timeline: { bucket: 'hour', points: [{ t: '2025-11-10T08:00:00.000Z', sessions: 0, byCategory: { 'socket-error': 1 } }, { t: '2025-11-10T10:00:00.000Z', sessions: 0, byCategory: { 'socket-error': 1 } }] },
    };
    const html = renderHtml(queueOnly);
    expect(html).toContain('<svg class="timeline"');
    expect(html).not.toContain('class="gap"');
  });
});

describe('the timeline in the table and Markdown', () => {
  it('joins alike hours: a row starts where findings start or stop and where the logs have a gap', () => {
    const runs = timelineRuns(report);
    expect(runs.map((r) => [runLabel(r), r.kind, r.sessions, r.findings])).toEqual([
      ['2025-11-10 08:00–09:00', 'clean', 2, 0],
      ['2025-11-10 09:00–10:00', 'findings', 2, 1],
      ['2025-11-10 10:00–11:00', 'gap', 0, 0],
      ['2025-11-10 11:00–12:00', 'clean', 1, 0],
    ]);
    // Two clean hours in a row are one row, with their sessions added.
    const joined: Report = { ...report, timeline: { bucket: 'hour', points: [
      { t: '2025-11-10T22:00:00.000Z', sessions: 3, byCategory: {} },
      { t: '2025-11-10T23:00:00.000Z', sessions: 4, byCategory: {} },
      { t: '2025-11-11T00:00:00.000Z', sessions: 1, byCategory: { 'legacy-tls': 1 } },
      { t: '2025-11-11T01:00:00.000Z', sessions: 1, byCategory: { 'legacy-tls': 2 } },
    ] } };
    expect(timelineRuns(joined).map((r) => [runLabel(r), r.sessions, r.findings])).toEqual([
      ['2025-11-10 22:00–24:00', 7, 0],
      ['2025-11-11 00:00–02:00', 2, 3],
    ]);
  });

  it('labels runs across midnight and days', () => {
    const at = (from: string, to: string, bucket: 'hour' | 'day') => runLabel({ from, to, bucket, kind: 'clean', sessions: 1, findings: 0, byCategory: [] });
    expect(at('2025-11-10T22:00:00.000Z', '2025-11-11T03:00:00.000Z', 'hour')).toBe('2025-11-10 22:00–11-11 03:00');
    expect(at('2025-11-10T00:00:00.000Z', '2025-11-11T00:00:00.000Z', 'day')).toBe('2025-11-10');
    expect(at('2025-11-10T00:00:00.000Z', '2025-11-13T00:00:00.000Z', 'day')).toBe('2025-11-10 – 2025-11-12');
  });

  it('does not take hours without points for gaps when the report does not count sessions', () => {
    const older: Report = { ...report, timeline: { bucket: 'hour', points: report.timeline!.points.map(({ t, byCategory }) => ({ t, byCategory })) } };
    expect(timelineRuns(older).map((r) => [r.kind, r.sessions])).toEqual([['quiet', null], ['findings', null], ['quiet', null]]);
    // And the table has no sessions column for them.
    expect(renderTable(older, { width: 120, color: false })).toContain('\n  2025-11-10 08:00–09:00  no findings\n');
  });

  it('is a section of the table and of the Markdown report', () => {
    const table = renderTable(report, { width: 100, color: false });
    expect(table).toContain('TIMELINE  per hour, UTC; hours alike are joined\n  2025-11-10 08:00–09:00  2 sessions  no findings\n');
    expect(table).toContain('  2025-11-10 10:00–11:00  no protocol-log session (no logs read, or no mail)\n');
    const md = renderMarkdown(report);
    expect(md).toContain('| 2025-11-10 09:00–10:00 | 2 sessions | 1 finding  legacy-tls:1 |');
    expect(md.indexOf('## Timeline')).toBeGreaterThan(md.indexOf('## Totals'));
    expect(md.indexOf('## Timeline')).toBeLessThan(md.indexOf('## Groups'));
  });
});

describe('a category filter that leaves nothing: the "did the fix work" run', () => {
  it('keeps the coverage of the logs and the timeline, and says why the totals are empty', async () => {
    const none = await scan(dir, { jobs: 1, filter: { categories: ['plaintext'] } });
    expect(none.totals.sessions).toBe(0);
    // The coverage is the logs' own, not the span of the sessions the filter kept (none).
    expect([none.coverage.from, none.coverage.to]).toEqual([report.coverage.from, report.coverage.to]);
    const legacy = await scan(dir, { jobs: 1, filter: { categories: ['legacy-tls'] } });
    expect(legacy.coverage.to).toBe(report.coverage.to);
    const table = renderTable(none, { width: 200, color: false });
    expect(table).not.toContain('No SMTP sessions');
    expect(table).toContain('Totals    0 sessions with findings of the categories asked for (5 read: --category keeps the others out), 0 findings');
    expect(table).toContain('No finding of the categories asked for in 5 sessions read.');
    expect(table).toContain('2025-11-10 08:00–10:00  4 sessions  no findings');
    const md = renderMarkdown(none);
    expect(md).toContain('0 sessions with findings of the categories asked for, of 5 read');
    expect(md).toContain('| 2025-11-10 08:00–10:00 | 4 sessions | no findings |');
    const html = renderHtml(none);
    expect(html).not.toContain('No timeline data');
    expect(html).toContain('No hour has a finding.');
  });
});

describe('timeline edge cases', () => {
  it('does not shade an hour whose only finding belongs to a session that started the hour before', () => {
    const crossing: Report = { ...report, timeline: { bucket: 'hour', points: [
      { t: '2025-11-10T10:00:00.000Z', sessions: 1, byCategory: {} },
      { t: '2025-11-10T11:00:00.000Z', sessions: 0, byCategory: { 'legacy-tls': 1 } },
      { t: '2025-11-10T12:00:00.000Z', sessions: 0, byCategory: {} },
    ] } };
    const html = renderHtml(crossing);
    expect(html.match(/class="gap"/g)).toHaveLength(1);
    expect(html).toContain('2025-11-10 12:00–13:00 UTC\nno protocol-log session');
  });

  it('shows the latest 24 rows in the table, and counts the earlier ones', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({
      t: new Date(Date.parse('2025-11-10T00:00:00.000Z') + i * 3_600_000).toISOString(),
      sessions: 1,
      // Alternating hours never join: 30 rows.
      byCategory: (i % 2 === 0 ? { 'legacy-tls': 1 } : {}) as Record<string, number>,
    }));
    const long: Report = { ...report, timeline: { bucket: 'hour', points } };
    const table = renderTable(long, { width: 120, color: false });
    expect(table).toContain('  … 6 earlier rows (-f markdown or html: all of them)\n  2025-11-10 06:00–07:00');
    expect(table).toContain('2025-11-11 05:00–06:00');
    expect(table).not.toContain('2025-11-10 05:00–06:00');
    expect(renderMarkdown(long)).toContain('| 2025-11-10 00:00–01:00 |');
  });
});

describe('timeline from odd times', () => {
  it('counts only sessions with a canonical time: one bogus year must not stretch the buckets over decades', async () => {
    const { ReportBuilder, categoryInfo, defaultRules } = await import('../src/index.js');
    const b = new ReportBuilder({ categories: categoryInfo(defaultRules), version: 't' });
    b.addUnreported({ start: '2025-11-10T08:10:00.000Z', end: '2025-11-10T08:10:05.000Z', server: 'EX01' });
    b.addUnreported({ start: '1969-11-10T08:10:00.000Z', end: '1969-11-10T08:10:05.000Z', server: 'EX01' });
    b.addUnreported({ start: '2025-11-10 08:10', end: '2025-11-10 08:10', server: 'EX01' });
    expect(b.build().timeline).toEqual({ bucket: 'hour', points: [{ t: '2025-11-10T08:00:00.000Z', sessions: 1, byCategory: {} }] });
  });

  it('says why a timeline wider than 1,000 buckets is not charted', () => {
    const wide: Report = { ...report, timeline: { bucket: 'day', points: [
      { t: '2020-01-01T00:00:00.000Z', sessions: 1, byCategory: {} },
      { t: '2025-01-01T00:00:00.000Z', sessions: 1, byCategory: {} },
    ] } };
    expect(renderHtml(wide)).toContain('Not charted: the times span more than 1,000 hours or days');
  });
});

describe('timeline runs from merged or hand-made reports', () => {
  it('adds up two points in one bucket, and labels a run across New Year with its year', () => {
    const odd: Report = { ...report, timeline: { bucket: 'hour', points: [
      { t: '2025-12-31T23:00:00.000Z', sessions: 5, byCategory: {} },
      { t: '2025-12-31T23:30:00.000Z', sessions: 2, byCategory: { 'legacy-tls': 1 } },
      { t: '2026-01-01T00:00:00.000Z', sessions: 1, byCategory: { 'legacy-tls': 2 } },
      // A category id from a report file is data, `__proto__` too.
      { t: '2026-01-01T01:00:00.000Z', sessions: 1, byCategory: JSON.parse('{"__proto__": 4}') as Record<string, number> },
    ] } };
    const runs = timelineRuns(odd);
    expect(runs.map((r) => [runLabel(r), r.sessions, r.findings])).toEqual([
      ['2025-12-31 23:00–2026-01-01 01:00', 8, 3],
      ['2026-01-01 01:00–02:00', 1, 4],
    ]);
    expect(runs[1]!.byCategory).toEqual([['__proto__', 4]]);
  });
});

describe('a timeline too wide to show', () => {
  it('is named in the table and Markdown with its span, not left out silently', async () => {
    // samples/EX01 (2025) and a real 2023 excerpt: over 1,000 days apart.
    const report = await scan([fileURLToPath(new URL('../samples/EX01', import.meta.url)), fileURLToPath(new URL('./fixtures/real/qazeer-artefacts-help-exch2016-recv-tls12.LOG', import.meta.url))]);
    expect(timelineRuns(report)).toEqual([]);
    const table = renderTable(report, { width: 200, color: false });
    expect(table).toMatch(/^TIMELINE {2}not shown: 2023-01-11 → 2025-11-10 is over 1,000 days \(a wrong date-time in a log, or logs years apart; narrow it with --since\/--until\)$/m);
    expect(renderMarkdown(report)).toContain('## Timeline\n\nTimeline not shown: 2023-01-11 → 2025-11-10 is over 1,000 days');
    // The samples alone have a timeline as before.
    const samples = await scan(fileURLToPath(new URL('../samples/EX01', import.meta.url)));
    expect(renderTable(samples, { width: 200, color: false })).not.toContain('not shown:');
  });
});
