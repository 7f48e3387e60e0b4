/**
 * The JSON report of real queue exports against docs/report.schema.json, and the time contract for queue
 * entries: local, zone-less times in groups and inputs, no UTC timeline bucket unless a time carries a zone.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { scan } from '../src/scan.js';
import { renderJson } from '../src/output/json.js';
import { ReportBuilder } from '../src/report/builder.js';
import { categoryInfo } from '../src/classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE } from '../src/classify/rules.js';
import { buildEntry } from '../src/read/queue/entry.js';
import { emptyStats } from '../src/read/stats.js';
import { queueFindings } from '../src/classify/queue.js';
import { renderTable } from '../src/output/table.js';

const path = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const schema = JSON.parse(readFileSync(path('../docs/report.schema.json'), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

describe('queue-export reports and the JSON schema', () => {
  it.each([
    ['Get-Queue, -UseCulture (;)', './fixtures/queue/gq-de-useculture.csv'],
    ['Get-Message, de-DE', './fixtures/queue/gm-de.csv'],
    ['Get-Queue | fl, cut mid-word', './fixtures/queue/fl-nl-midword.txt'],
    ['Get-Queue | fl, console', './fixtures/queue/get-queue-fl-console.txt'],
    ['Queue Viewer messages', './fixtures/queue/queueviewer-messages-ansi.csv'],
    ['the samples folder (protocol logs and queue exports)', '../samples'],
  ])('%s: the JSON output is valid', async (_name, input) => {
    const json = JSON.parse(renderJson(await scan(path(input)))) as unknown;
    const ok = validate(json);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('takes a report written before inputs[].ignored existed, as json.md and merge do', async () => {
    const json = JSON.parse(renderJson(await scan(path('../samples')))) as { inputs: Array<Record<string, unknown>> };
    for (const input of json.inputs) delete input.ignored;
    expect(validate(json)).toBe(true);
    // A field added later is optional; one the first reports had stays required.
    delete json.inputs[0]!.headerDate;
    expect(validate(json)).toBe(false);
  });

  it('keeps queue times local and zone-less in groups and inputs, and out of the UTC timeline and coverage', async () => {
    const report = await scan(path('./fixtures/queue/gm-de.csv'));
    expect(report.groups.map((g) => [g.firstSeen, g.lastSeen])).toEqual([
      ['2025-11-13T08:10:00', '2025-11-13T08:12:00'],
      ['2025-11-13T08:20:00', '2025-11-13T08:21:00'],
    ]);
    expect([report.inputs[0]?.from, report.inputs[0]?.to]).toEqual(['2025-11-13T08:10:00', '2025-11-13T08:21:00']);
    expect(report.groups.flatMap((g) => g.samples.map((s) => s.time)).every((t) => LOCAL.test(t))).toBe(true);
    expect(report.coverage).toEqual({ from: null, to: null, servers: [] });
    expect(report.timeline).toBeUndefined();
  });

  it('counts a queue entry on the timeline only when its time carries a zone, in its UTC hour', () => {
    const b = new ReportBuilder({ categories: categoryInfo([...defaultRules, QUEUE_ERROR_RULE]), version: 'test' });
    const lastError = '421 4.4.2 Connection dropped due to SocketError';
    for (const [line, date] of [[2, '2025-11-13T08:10:00'], [3, '2025-11-13T08:10:00+01:00'], [4, '11/10/2025 9:41:07 AM']] as const) {
      const e = buildEntry({ Identity: 'EX01\\13', NextHopDomain: 'contoso.com', LastError: lastError, LastRetryTime: date }, 'queue', { source: 'q.csv', line }, emptyStats('q.csv'));
      b.addQueueEntry(e, queueFindings(e, {}));
    }
    expect(b.build().timeline).toEqual({ bucket: 'hour', points: [{ t: '2025-11-13T07:00:00.000Z', sessions: 0, byCategory: { 'socket-error': 1 } }] });
  });

  it('rolls a host seen in protocol logs and in a queue export up on the UTC clock only', async () => {
    const report = await scan([path('../samples/EX01'), path('./fixtures/queue/gm-de.csv')]);
    const host = report.hosts.find((h) => h.key === '104.47.17.106');
    expect(report.groups.filter((g) => g.remoteHost === '104.47.17.106').map((g) => g.direction).sort()).toEqual(['queue', 'send']);
    expect([host?.firstSeen, host?.lastSeen]).toEqual(['2025-11-10T09:04:11.263Z', '2025-11-10T10:04:14.526Z']);
  });

  it('marks local queue times in the table instead of passing them for UTC', async () => {
    const table = renderTable(await scan(path('./fixtures/queue/gm-de.csv')), { width: 160, color: false });
    expect(table).toContain('2025-11-13 08:12:00 local');
    expect(table).toContain('3 queue entries, 3 messages waiting, 2025-11-13 08:10:00 → 2025-11-13 08:12:00 local');
  });
});
