// A group's last seen is its last session of any kind; a TLS 1.0 retirement needs the last legacy one (and the
// first, to say since when). findingSpans holds both per category (the start of its first and last such session),
// and every output shows them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeReports, renderHtml, scan, type Report } from '../src/index.js';
import { renderCsv } from '../src/output/csv.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import { RECEIVE_HEAD, tlsSession } from './helpers/receive.js';

/** A printer's session at `time`, on TLS 1.0 or 1.2, with its AUTH user. */
function session(id: string, time: string, legacy: boolean): string {
  return tlsSession(id, time, { legacy, connector: 'EX01\\Relay Printers', ip: '10.0.30.51', ehlo: 'NPI3A9F12', authUser: 'scanner@contoso.com' });
}

let dir: string;
let report: Report;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-spans-'));
  const folder = join(dir, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
  mkdirSync(folder, { recursive: true });
  // TLS 1.0 at 08:10 and 09:20, fixed by 10:00: TLS 1.2 at 08:30 and 10:40.
  const sessions = [session('08DE0000000000A1', '2025-11-10T08:10:00.000Z', true), session('08DE0000000000A2', '2025-11-10T08:30:00.000Z', false),
    session('08DE0000000000A3', '2025-11-10T09:20:00.000Z', true), session('08DE0000000000A4', '2025-11-10T10:40:00.000Z', false)];
  writeFileSync(join(folder, 'RECV2025111008-1.LOG'), `${RECEIVE_HEAD}${sessions.join('\n')}\n`);
  report = await scan(dir, { jobs: 1 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finding spans', () => {
  it('hold the first and last finding of each category, apart from the last session of any kind', () => {
    const g = report.groups.find((x) => x.remoteHost === '10.0.30.51')!;
    expect(g.lastSeen).toBe('2025-11-10T10:40:05.000Z');
    expect(g.findingSpans).toEqual({ 'legacy-tls': { first: '2025-11-10T08:10:00.000Z', last: '2025-11-10T09:20:00.000Z' } });
  });

  it('are shown in the table, Markdown, HTML and CSV', () => {
    expect(renderTable(report, { width: 200 })).toContain('Legacy TLS negotiated (TLS 1.0/1.1/SSL 3): 2 (TLS1.0 2), 2025-11-10 08:10:00 → 09:20:00');
    const md = renderMarkdown(report);
    expect(md).toContain('2 (TLS1.0 2), 2025-11-10 08:10:00 → 09:20:00');
    // Defanged, as every address from a log is in Markdown.
    expect(md).toContain('- AUTH users: scanner\\[@\\]contoso.com');
    expect(renderHtml(report)).toContain('<dt>Legacy TLS negotiated (TLS 1.0/1.1/SSL 3): first, last</dt><dd>2025-11-10 08:10:00 UTC → 2025-11-10 09:20:00 UTC</dd>');
    const [header, row] = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const cell = (name: string) => row![header!.indexOf(name)];
    expect([cell('lastSeen'), cell('mainFirstSeen'), cell('mainLastSeen'), cell('authUsers')]).toEqual([
      '2025-11-10T10:40:05.000Z', '2025-11-10T08:10:00.000Z', '2025-11-10T09:20:00.000Z', 'scanner@contoso.com',
    ]);
  });

  it('are {} where the findings have no time (pasted excerpts), absent for healthy and queue groups', async () => {
    const real = await scan('test/fixtures/real', { jobs: 1 });
    const untimed = real.groups.find((g) => g.direction === 'send' && g.firstSeen === null && g.mainCategory !== null)!;
    expect(untimed.findingSpans).toEqual({});
    expect(real.groups.filter((g) => g.mainCategory === null || g.direction === 'queue').every((g) => g.findingSpans === undefined)).toBe(true);
    // {} is a report that kept spans and had none: merging it keeps the other part's.
    const other: Report = structuredClone(report);
    for (const i of other.inputs) i.source = `${i.source}.week2`;
    other.groups[0]!.findingSpans = {};
    expect(mergeReports([report, other]).groups[0]!.findingSpans).toEqual(report.groups[0]!.findingSpans);
  });

  it('merge to the widest span, and are left out where a part did not keep them', () => {
    const other: Report = structuredClone(report);
    for (const i of other.inputs) i.source = `${i.source}.week2`;
    const g = other.groups[0]!;
    g.findingSpans = { 'legacy-tls': { first: '2025-11-11T07:00:00.000Z', last: '2025-11-11T07:30:00.000Z' } };
    expect(mergeReports([report, other]).groups[0]!.findingSpans).toEqual({ 'legacy-tls': { first: '2025-11-10T08:10:00.000Z', last: '2025-11-11T07:30:00.000Z' } });
    delete g.findingSpans;
    expect(mergeReports([report, other]).groups[0]!.findingSpans).toBeUndefined();
  });
});
