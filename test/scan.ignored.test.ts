// Pointing logscan at a whole Exchange `Logs` folder: the other logs there (message tracking, connectivity),
// empty and binary files are passed over and counted, not reported as errors; a file named on its own is still
// refused with an error, and an archive found in a folder is an error too (it may hold the logs wanted).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { mergeReports } from '../src/report/merge.js';
import { formatReport } from '../src/output/index.js';
import { emptyReason, ignoredSummary } from '../src/output/table.js';
import type { InputStats, Report } from '../src/types.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';

const REAL = new URL('./fixtures/real/', import.meta.url);
const RECEIVE = new URL('qazeer-artefacts-help-exch2016-recv-tls12.LOG', REAL);
const TRACKING = new URL('elastic-beats-bom8-exch2010-messagetracking.LOG', REAL);

const CONNECTIVITY = [
  '#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  '#Log-type: Transport Connectivity Log',
  '#Date: 2025-11-10T09:00:00.000Z',
  '#Fields: date-time,session,source,Destination,direction,description',
  '2025-11-10T09:00:01.000Z,08DA,SMTP,contoso.com,+,Undefined;QueueLength=1',
  '',
].join('\r\n');

let root: string;
let logs: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logscan-ignored-'));
  logs = join(root, 'Logs');
  for (const dir of ['FrontEnd/ProtocolLog/SmtpReceive', 'MessageTracking', 'Hub/Connectivity', 'Diagnostics', 'Archive']) {
    mkdirSync(join(logs, dir), { recursive: true });
  }
  copyFileSync(RECEIVE, join(logs, 'FrontEnd/ProtocolLog/SmtpReceive/RECV2023011116-1.LOG'));
  copyFileSync(TRACKING, join(logs, 'MessageTracking/MSGTRK2023011116-1.LOG'));
  writeFileSync(join(logs, 'Hub/Connectivity/CONNECTLOG20251110-1.LOG'), CONNECTIVITY);
  writeFileSync(join(logs, 'Diagnostics/trace.etl'), Buffer.from([0x45, 0x54, 0x4c, 0, 1, 2, 3, 0]));
  writeFileSync(join(logs, 'Diagnostics/empty.LOG'), '');
  writeFileSync(join(logs, 'Archive/old-logs.zip'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0]));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function byName(report: Report, name: string): InputStats {
  const input = report.inputs.find((i) => i.source.endsWith(name));
  if (input === undefined) throw new Error(`no input ${name}`);
  return input;
}

describe('files of other kinds found in folders', () => {
  it('are passed over with a reason, not errors; an archive stays an error; the protocol log is read', async () => {
    const report = await scan(logs);
    expect(report.inputs).toHaveLength(6);
    for (const name of ['MSGTRK2023011116-1.LOG', 'CONNECTLOG20251110-1.LOG', 'trace.etl', 'empty.LOG']) {
      const input = byName(report, name);
      expect(input.error, name).toBeNull();
      expect(input.ignored, name).toEqual(expect.any(String));
      expect(input.lines, name).toBe(0);
    }
    expect(byName(report, 'MSGTRK2023011116-1.LOG').ignored).toMatch(/^message-tracking log/);
    expect(byName(report, 'CONNECTLOG20251110-1.LOG').ignored).toMatch(/^another kind of Exchange log \(#Log-type: Transport Connectivity Log\)/);
    expect(byName(report, 'trace.etl').ignored).toMatch(/^binary data/);
    expect(byName(report, 'empty.LOG').ignored).toMatch(/^empty input/);
    expect(byName(report, 'old-logs.zip')).toMatchObject({ ignored: null, error: expect.stringMatching(/^a ZIP archive/) });
    expect(byName(report, 'RECV2023011116-1.LOG')).toMatchObject({ kind: 'smtp-receive', error: null, ignored: null });
    expect(report.totals.sessions).toBeGreaterThan(0);
  });

  it('are passed over when a pattern matched them too, but refused when named on their own', async () => {
    const pattern = await scan(join(logs, 'MessageTracking', '*.LOG'));
    expect(pattern.inputs[0]).toMatchObject({ error: null, ignored: expect.stringMatching(/^message-tracking log/) });
    const named = await scan(join(logs, 'MessageTracking', 'MSGTRK2023011116-1.LOG'));
    expect(named.inputs[0]).toMatchObject({ ignored: null, error: expect.stringMatching(/^message-tracking log/) });
  });

  it('are summed up by what they are in the table and Markdown, and explain an empty report', async () => {
    const report = await scan(logs);
    const summary = ignoredSummary(report.inputs);
    expect(summary).toBe(
      '4 files found in folders or by patterns that are not SMTP protocol logs or queue exports (1 binary, 1 empty, 1 message-tracking log, 1 other Exchange log); not read',
    );
    const table = formatReport(report, 'table', { color: false, width: 200 });
    expect(table).toContain(`Ignored   ${summary}`);
    expect(table).toMatch(/Inputs\s+6 files \(4 ignored, 1 smtp-receive, 1 unknown\)/);
    const markdown = formatReport(report, 'markdown');
    expect(markdown).toContain(`Ignored: ${summary}.`);
    expect(markdown).toContain('ignored: message-tracking log');
    expect(formatReport(report, 'html')).toContain('<div class="muted">ignored: message-tracking log');

    const nothing = await scan([join(logs, 'MessageTracking'), join(logs, 'Hub')]);
    expect(emptyReason(nothing)).toMatch(/^No SMTP protocol log or queue export was found: the 2 files found in the folders are other kinds/);
  });

  it('keep `ignored` on every input when reports are merged, also from reports written before it existed', async () => {
    const report = await scan(logs);
    // The same folder as another server's, from before `ignored` existed (other file names: merge refuses a log twice).
    const old = structuredClone(report);
    for (const input of old.inputs) {
      delete (input as Partial<InputStats>).ignored;
      input.source = input.source.replace(/[^/]+$/, (name) => `EX02-${name}`);
    }
    const merged = mergeReports([old, report]);
    expect(merged.inputs).toHaveLength(12);
    expect(merged.inputs.every((i) => i.ignored !== undefined)).toBe(true);
    // The old report's six inputs have no reason any more (null); the new one's four keep theirs.
    expect(merged.inputs.filter((i) => i.ignored === null)).toHaveLength(8);
    expect(merged.inputs.filter((i) => typeof i.ignored === 'string')).toHaveLength(4);
  });

  it('leave the exit code at 0 for a folder, and 3 when a file of another kind is named', async () => {
    requireBuiltCli();
    const folder = await runCli([join(logs, 'FrontEnd'), join(logs, 'MessageTracking'), join(logs, 'Diagnostics')], root);
    expect(folder.code).toBe(0);
    expect(folder.stderr).not.toContain('message-tracking');
    expect(folder.stdout).toContain('Ignored');
    const named = await runCli([join(logs, 'FrontEnd'), join(logs, 'MessageTracking', 'MSGTRK2023011116-1.LOG')], root);
    expect(named.code).toBe(3);
    expect(named.stderr).toContain('message-tracking log');
  });
});

describe('the Inputs line of a large folder', () => {
  it('writes counts with thousands separators, also the per-kind ones', () => {
    const inputs: InputStats[] = Array.from({ length: 1234 }, (_, i) => ({
      source: `f${i}.LOG`, kind: 'unknown', bytes: 0, lines: 0, records: 0, skipped: {}, problems: [], error: null,
      ignored: 'empty input: nothing to analyse', headerDate: null, from: null, to: null,
    }));
    const report = mergeReports([]);
    report.inputs.push(...inputs);
    const table = formatReport(report, 'table', { color: false, width: 200 });
    expect(table).toMatch(/^Inputs\s+1,234 files \(1,234 ignored\), 0 lines, 0 records$/m);
    expect(formatReport(report, 'markdown')).toContain('1,234 files: 1,234 ignored.');
  });
});
