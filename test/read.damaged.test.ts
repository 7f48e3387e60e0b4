/**
 * Damaged protocol logs (QA findings): NUL padding, broken date-times, damaged header lines, gzip trailing
 * garbage. Each case asserts what is kept, what is skipped, and the problem that names the line.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { detectInput } from '../src/read/detect.js';
import { parseProtocolText, readProtocolLog } from '../src/read/protocol.js';
import { emptyStats } from '../src/read/stats.js';
import type { Report } from '../src/types.js';
import { expectAccounting, inputNamed } from './fixtures/hostile/logs.js';

const RECV = 'samples/EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-damaged-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  return path;
}

async function scanOf(paths: string[]): Promise<Report> {
  const report = await scan(paths);
  expectAccounting(report, expect);
  return report;
}

const sampleLines = () => readFileSync(RECV, 'utf8').split('\r\n');
const baseline = async () => (await scanOf([RECV])).totals;

describe('NUL bytes in a protocol log', () => {
  it('a log with NUL padding after its last row is read in a folder, the padding skipped as binary', async () => {
    const folder = join(dir, 'padded');
    const path = join(folder, 'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG');
    mkdirSync(join(path, '..'), { recursive: true });
    copyFileSync(RECV, path);
    writeFileSync(path, Buffer.concat([readFileSync(RECV), Buffer.alloc(4096)]));
    const report = await scanOf([folder]);
    const input = inputNamed(report, 'RECV2025111009-1.LOG');
    expect(input.ignored).toBeNull();
    expect(input.error).toBeNull();
    expect(input.kind).toBe('smtp-receive');
    const lines = sampleLines().length; // the padding is the last, unterminated line
    expect(input.lines).toBe(lines);
    expect(input.skipped.binary).toBe(1);
    expect(input.problems).toContainEqual(expect.objectContaining({ line: lines, reason: 'binary', message: expect.stringContaining(`line ${lines} contains NUL bytes`) }));
    expect(report.totals).toEqual(await baseline());
  });

  it('one NUL in one row early in the file skips that row only', async () => {
    const lines = sampleLines();
    lines[7] = lines[7]!.replace('EHLO', 'EH\0LO');
    const path = write('nul-row.LOG', lines.join('\r\n'));
    expect(detectInput(readFileSync(path)).kind).toBe('smtp-receive');
    const input = inputNamed(await scanOf([path]), 'nul-row.LOG');
    expect(input).toMatchObject({ kind: 'smtp-receive', error: null, lines: lines.length - 1 });
    expect(input.skipped.binary).toBe(1);
    expect(input.problems[0]).toMatchObject({ line: 8, reason: 'binary', message: 'line 8 contains NUL bytes (binary data); skipped' });
  });

  it('UTF-16 logs, which are NUL in every other byte, are still read', async () => {
    const text = readFileSync(RECV, 'utf8');
    const le = write('utf16le.LOG', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const report = await scanOf([le]);
    expect(inputNamed(report, 'utf16le.LOG')).toMatchObject({ kind: 'smtp-receive', error: null, skipped: { header: 5 } });
    expect(report.totals).toEqual(await baseline());
  });

  it('real binary files renamed .LOG are still refused as binary: PNG, random bytes, NUL only', () => {
    let x = 99;
    const random = Buffer.alloc(64 * 1024).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), random.subarray(0, 4000)]);
    // Text lines first, then binary: NUL lines outnumber what reads.
    const textThenBinary = Buffer.concat([Buffer.from('hello\nworld\n'), random]);
    for (const bytes of [png, random, Buffer.alloc(70_000), textThenBinary] as Buffer[]) {
      const d = detectInput(bytes.subarray(0, 64 * 1024));
      expect(d.kind).toBe('unknown');
      expect(d.reason).toMatch(/^binary data \(NUL bytes\)/);
      expect(d.foreign).toBe(true);
    }
  });
});

const FIELDS_LINE = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';

describe('damaged header lines', () => {
  it('#Fields without context (renamed) or with data twice: a problem says which columns and what is lost', async () => {
    const renamed = write('ctx-renamed.LOG', readFileSync(RECV, 'utf8').replace(FIELDS_LINE, FIELDS_LINE.replace(',context', ',Context-Info')));
    const twice = write('data-twice.LOG', readFileSync(RECV, 'utf8').replace(FIELDS_LINE, FIELDS_LINE.replace(',context', ',data')));
    const report = await scanOf([renamed, twice]);
    const a = inputNamed(report, 'ctx-renamed.LOG');
    expect(a.problems).toEqual([
      {
        line: 5,
        reason: 'fields',
        message:
          'line 5: #Fields has no context column (it names Context-Info instead): the report cannot show TLS results, certificates and disconnect reasons, so TLS shows as unknown and TLS findings are missing',
      },
    ]);
    const b = inputNamed(report, 'data-twice.LOG');
    expect(b.problems).toHaveLength(1);
    expect(b.problems[0]!.message).toMatch(/^line 5: #Fields has no context column and names data more than once \(the first is read\): the report cannot show TLS results/);
    // Said once per file, not again at a repeated header.
    const again = parseProtocolText(`${readFileSync(renamed, 'utf8')}${FIELDS_LINE.replace(',context', ',Context-Info')}\r\n`);
    expect(again.stats.problems.filter((p) => p.reason === 'fields')).toHaveLength(1);
  });

  it('a CR inside #Log-type does not make the file another kind of log: both header lines are read', async () => {
    const text = readFileSync(RECV, 'utf8').replace('Protocol Log\r\n#Date', 'Protocol Log\r#Date');
    const path = write('cr-in-header.LOG', text);
    expect(detectInput(readFileSync(path)).kind).toBe('smtp-receive');
    const report = await scanOf([path]);
    const input = inputNamed(report, 'cr-in-header.LOG');
    expect(input).toMatchObject({ kind: 'smtp-receive', error: null, headerDate: '2025-11-10T09:00:02.854Z', skipped: { header: 4 }, problems: [] });
    expect(report.totals).toEqual(await baseline());
  });

  it('a log whose lines end in CR alone is read, with a problem saying so, however it is cut into chunks', async () => {
    const text = readFileSync(RECV, 'utf8').replaceAll('\r\n', '\r');
    const path = write('cr-only.LOG', text);
    const report = await scanOf([path]);
    const input = inputNamed(report, 'cr-only.LOG');
    expect(input).toMatchObject({ kind: 'smtp-receive', error: null, skipped: { header: 5 } });
    expect(input.problems).toEqual([expect.objectContaining({ line: 0, reason: 'cr-line-ends' })]);
    expect(report.totals).toEqual(await baseline());
    const whole = parseProtocolText(text);
    for (const size of [1, 3, 997]) {
      const bytes = Buffer.from(text);
      const stats = emptyStats('text');
      const records = [];
      async function* chunks() {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      }
      for await (const batch of readProtocolLog(chunks(), stats)) records.push(...batch);
      expect(records).toEqual(whole.records);
      expect(stats.skipped).toEqual(whole.stats.skipped);
    }
  });

  it('a short #Fields line mid-file is passed over: the rows after it are read with the fields before it', async () => {
    const lines = readFileSync(RECV, 'utf8').split('\r\n');
    lines.splice(11, 0, '#Fields: date-time,connector-id');
    const path = write('short-fields.LOG', lines.join('\r\n'));
    const input = inputNamed(await scanOf([path]), 'short-fields.LOG');
    expect(input).toMatchObject({ kind: 'smtp-receive', error: null, skipped: { header: 6 } });
    expect(input.records).toBe(lines.length - 1 - 6);
    expect(input.problems).toEqual([
      {
        line: 12,
        reason: 'fields',
        message:
          'line 12: #Fields has no session-id and event column (date-time,connector-id), which every protocol-log row has; it is passed over and the rows after it are read with the fields of line 5',
      },
    ]);
    // Outside a protocol log, such a list still refuses the input.
    expect(parseProtocolText('#Fields: date-time,connector-id\nx,y\n').stats.error).toMatch(/^another kind of Exchange log/);
  });
});

describe('a date-time that is not a timestamp', () => {
  const groupTimes = (r: Report) => r.groups.map((g) => [g.connector, g.remoteHost, g.firstSeen, g.lastSeen]);

  it('keeps the row for its session, names the line, and never lets the text into coverage or first/last seen', async () => {
    const base = await scanOf([RECV]);
    for (const [i, bad] of ['garbage', '', '2025-13-45T09:00:00.000Z', '9999-12-31T23:59:59.999Z<img src=x>', '2025-02-30T09:00:02.753Z'].entries()) {
      const lines = sampleLines();
      // Line 10: the STARTTLS of a session that negotiates TLS 1.0 (a legacy-tls finding).
      lines[9] = lines[9]!.replace('2025-11-10T09:00:02.753Z', bad);
      const path = write(`bad-time-${i}.LOG`, lines.join('\r\n'));
      const report = await scanOf([path]);
      const input = inputNamed(report, `bad-time-${i}.LOG`);
      expect(input.records, bad).toBe(base.inputs[0]!.records);
      expect(input.problems, bad).toEqual([
        { line: 10, reason: 'not-a-timestamp', message: `line 10: date-time ${JSON.stringify(bad)} is not a timestamp; the row is kept for its session without a time` },
      ]);
      expect([input.from, input.to], bad).toEqual([base.inputs[0]!.from, base.inputs[0]!.to]);
      expect(report.coverage, bad).toEqual({ ...base.coverage });
      expect(report.totals, bad).toEqual(base.totals);
      expect(groupTimes(report), bad).toEqual(groupTimes(base));
    }
  });

  it('a finding whose evidence row lost its time is dated by its session, in its sample and on the timeline', async () => {
    const base = await scanOf([RECV]);
    const lines = sampleLines();
    // Line 36: the TLS 1.0 row that is the evidence of a legacy-tls finding.
    lines[35] = lines[35]!.replace('2025-11-10T09:00:03.476Z', 'garbage');
    const report = await scanOf([write('bad-evidence-time.LOG', lines.join('\r\n'))]);
    const sample = report.groups.flatMap((g) => g.samples).find((x) => x.line === 36)!;
    expect(sample).toMatchObject({ category: 'legacy-tls' });
    // The session's first row: 09:00:02 or later, never the empty text of the damaged row.
    expect(sample.time).toMatch(/^2025-11-10T09:00:0\d\.\d{3}Z$/);
    expect(report.timeline).toEqual(base.timeline);
  });

  it('the row reads without a time as a record too; placeholders of pasted excerpts stay as written', () => {
    const lines = sampleLines();
    lines[9] = lines[9]!.replace('2025-11-10T09:00:02.753Z', '9999-12-31T23:59:59.999Z junk');
    const { records } = parseProtocolText(lines.join('\r\n'));
    expect(records.find((r) => r.line === 10)).toMatchObject({ time: '', data: 'STARTTLS' });
    const excerpt = parseProtocolText('Date/Time.ConnectorId,Outbound,SessionId,16,,1.2.3.4:25,*,,attempting to connect\n');
    expect(excerpt.records[0]!.time).toBe('Date/Time.ConnectorId');
    expect(excerpt.stats.problems).toEqual([]);
  });
});

describe('a .gz with bytes after the compressed data', () => {
  const SEND = 'samples/EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG';

  async function readGz(name: string, bytes: Buffer, chunk = 0) {
    const path = write(name, bytes);
    const plain = await scanOf([path]);
    if (chunk > 0) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += chunk) pieces.push(bytes.subarray(i, i + chunk));
      const piped = await scan(['-'], { stdin: Readable.from(pieces) });
      expect({ ...piped.inputs[0], source: '' }).toEqual({ ...plain.inputs[0], source: '' });
    }
    return inputNamed(plain, name);
  }

  it('keeps every line that decompressed and reports the garbage as a problem, not a read error', async () => {
    const log = readFileSync(SEND);
    const lines = log.toString('utf8').split('\n').length - 1;
    // A small log (under the 64 KiB detection reads), one over it, and two members: as files and as a pipe.
    const big = Buffer.concat(Array.from({ length: 8 }, () => log));
    const cases: Array<[string, Buffer, number, number]> = [
      ['small.gz', Buffer.concat([gzipSync(log), Buffer.from('junk')]), lines, 4],
      ['big.gz', Buffer.concat([gzipSync(big), Buffer.from('garbage\x00\x01')]), 8 * lines, 9],
      ['two.gz', Buffer.concat([gzipSync(log), gzipSync(log), Buffer.from('junk')]), 2 * lines, 4],
    ];
    for (const [name, bytes, want, junk] of cases) {
      const input = await readGz(name, bytes, 997);
      expect(input.error, name).toBeNull();
      expect(input.lines, name).toBe(want);
      expect(input.problems.filter((p) => p.reason !== 'out-of-order'), name).toEqual([
        {
          line: want,
          reason: 'gzip-trailing-garbage',
          message: `after line ${want}: ${junk} bytes after the end of the gzip data are not gzip data (trailing garbage); ignored, as gzip -d does`,
        },
      ]);
    }
  });

  it('reads a last line without a line end before the garbage, as at the end of any log', async () => {
    const log = readFileSync(SEND);
    const lines = log.toString('utf8').split('\n').length - 1;
    const cut = log.subarray(0, log.length - 2); // without the final CRLF
    const input = await readGz('nolf.gz', Buffer.concat([gzipSync(cut), Buffer.from('JUNKJUNK')]), 997);
    const clean = inputNamed(await scanOf([write('nolf.LOG', cut)]), 'nolf.LOG');
    expect(input.error).toBeNull();
    expect(input.lines).toBe(lines);
    expect(input.records).toBe(clean.records);
    expect(input.problems.map((p) => p.reason)).toEqual(['gzip-trailing-garbage']);
  });

  it('readProtocolLog yields the last line without a line end before it passes the garbage error on', async () => {
    const log = readFileSync(SEND);
    const cut = log.subarray(0, log.length - 2);
    async function* chunks() {
      yield cut;
      throw Object.assign(new Error('trailing garbage'), { code: 'GZIP_TRAILING_GARBAGE' });
    }
    const stats = emptyStats('x');
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const batch of readProtocolLog(chunks(), stats)) for (const r of batch) got.push(r.line);
      })(),
    ).rejects.toThrow('trailing garbage');
    expect(got.at(-1)).toBe(log.toString('utf8').split('\n').length - 1);
    expect(stats.lines).toBe(stats.records + Object.values(stats.skipped).reduce((a, b) => a + (b ?? 0), 0));
  });

  it('zero padding after the data is passed over silently; a damaged checksum is still an error', async () => {
    const log = readFileSync(SEND);
    const padded = await readGz('padded.gz', Buffer.concat([gzipSync(log), Buffer.alloc(512)]), 61);
    expect(padded).toMatchObject({ error: null, problems: [] });
    const gz = gzipSync(log);
    gz[gz.length - 8] = gz[gz.length - 8]! ^ 0xff;
    const bad = await readGz('badcrc.gz', gz);
    expect(bad.error).toMatch(/^read error after line \d+: corrupt gzip data \(incorrect data check\)$/);
  });
});

describe('a .gz cut off in the middle of a line', () => {
  it('counts the partial last line as a skip, so every decompressed line is accounted for', async () => {
    const { gunzipSync, constants } = await import('node:zlib');
    const dir = mkdtempSync(join(tmpdir(), 'logscan-cutgz-'));
    try {
      const log = readFileSync(new URL('../samples/EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG', import.meta.url));
      const text = Buffer.concat(Array.from({ length: 40 }, () => log));
      const gz = gzipSync(text);
      const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
      // What decompresses before the cut, as zcat shows it: whole lines and a piece of one.
      const shown = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
      expect(shown[shown.length - 1]).not.toBe(10);
      let lineEnds = 0;
      for (const b of shown) if (b === 10) lineEnds++;
      const file = join(dir, 'RECV2025111009-1.LOG.gz');
      writeFileSync(file, cut);
      const report = await scan(file);
      const input = inputNamed(report, file);
      expect(input.error).toMatch(/^read error after line \d+: corrupt gzip data/);
      expect(input.lines).toBe(lineEnds + 1);
      expect(input.skipped['truncated-last-line']).toBe(1);
      expect(input.problems.some((p) => p.line === lineEnds + 1 && p.reason === 'truncated-last-line')).toBe(true);
      expectAccounting(report, expect);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a message-tracking block joined after a protocol log', () => {
  it('names the line where it begins and that the rows before it were read, not the whole file as message tracking', () => {
    const log = readFileSync(new URL('../samples/EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG', import.meta.url), 'utf8');
    const tracking = '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: Message Tracking Log\r\n#Date: 2025-11-10T00:00:00.000Z\r\n#Fields: date-time,client-ip,client-hostname,server-ip,server-hostname,source-context,connector-id,source,event-id\r\n2025-11-10T00:00:00.000Z,10.0.0.1,x,10.0.0.2,y,,c,SMTP,RECEIVE\r\n';
    const joined = parseProtocolText(log + tracking, 'joined.LOG').stats;
    const before = parseProtocolText(log, 'log.LOG').stats;
    const at = before.lines + 3;
    expect(joined.records).toBe(before.records);
    expect(joined.error).toBe(`line ${at}: message-tracking log (#Log-type: Message Tracking Log): not a protocol log, it has no SMTP sessions; the rest of the input is not read (the ${before.records} rows before it are read)`);
    // A file that is message tracking from its start is still named as such, whole.
    expect(parseProtocolText(tracking, 'MSGTRK.LOG').stats.error).toBe('message-tracking log (#Log-type: Message Tracking Log): not a protocol log, it has no SMTP sessions');
  });
});
