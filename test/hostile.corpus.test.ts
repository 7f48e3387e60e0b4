/**
 * Hostile and broken inputs through scan(): every case asserts the exact accounting, the message (naming the
 * file and line where there is one) and that the other inputs are still fully reported.
 */
import { appendFileSync, chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { HEAD_BYTES } from '../src/read/inputs.js';
import { renderJson } from '../src/output/json.js';
import type { Report, Session } from '../src/types.js';
import { expectAccounting, header, inputNamed, receiveLog, sessionId } from './fixtures/hostile/logs.js';

let dir: string;
const isRoot = process.getuid?.() === 0;

/** Three sessions: 5 header lines + 3 × 9 rows. */
const LOG = receiveLog(3);
const LOG_LINES = 32;
const LOG_RECORDS = 27;

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function scanWith(paths: string[], options: Parameters<typeof scan>[1] = {}): Promise<{ report: Report; sessions: Session[] }> {
  const sessions: Session[] = [];
  const report = await scan(paths, { ...options, onSession: (s) => sessions.push(s) });
  expectAccounting(report, expect);
  return { report, sessions };
}

/** A known-good companion input: every test checks it is still fully reported next to the broken one. */
function good(): string {
  return write(`good-${Math.random().toString(36).slice(2)}.LOG`, LOG);
}

function expectGoodFullyRead(report: Report, path: string): void {
  const g = inputNamed(report, path);
  expect(g).toMatchObject({ kind: 'smtp-receive', lines: LOG_LINES, records: LOG_RECORDS, error: null, bytes: Buffer.byteLength(LOG) });
  expect(g.skipped).toEqual({ header: 5 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-hostile-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('refused and unreadable inputs', () => {
  it('binary garbage with NUL bytes is refused as binary, the good input next to it is fully read', async () => {
    let x = 12345;
    const bytes = Buffer.alloc(64 * 1024, 0).map(() => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff);
    const bad = write('garbage.LOG', bytes);
    const ok = good();
    const { report, sessions } = await scanWith([bad, ok]);
    const g = inputNamed(report, bad);
    expect(g.kind).toBe('unknown');
    expect(g.error).toMatch(/binary data \(NUL bytes\)/);
    expect(g.records).toBe(0);
    expectGoodFullyRead(report, ok);
    expect(sessions).toHaveLength(3);
  });

  it('garbage without NUL bytes is refused as not recognised', async () => {
    let x = 7;
    const bytes = Buffer.alloc(32 * 1024, 0).map(() => 1 + ((((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 0xff) % 255));
    const bad = write('garbage-nonul.LOG', bytes);
    const { report } = await scanWith([bad]);
    expect(inputNamed(report, bad).error).toMatch(/^not recognised/);
    expect(inputNamed(report, bad).records).toBe(0);
  });

  it('a file of NUL bytes is refused as binary', async () => {
    const bad = write('nul.LOG', Buffer.alloc(100_000));
    const { report } = await scanWith([bad]);
    expect(inputNamed(report, bad)).toMatchObject({ kind: 'unknown', records: 0, error: expect.stringMatching(/binary data/) });
  });

  it('an empty file is named as empty; a header-only file is read with 5 header lines and no records', async () => {
    const empty = write('empty.LOG', '');
    const headerOnly = write('header-only.LOG', `${header().join('\r\n')}\r\n`);
    const { report, sessions } = await scanWith([empty, headerOnly]);
    expect(inputNamed(report, empty).error).toBe('empty input: nothing to analyse');
    expect(inputNamed(report, headerOnly)).toMatchObject({ kind: 'smtp-receive', lines: 5, records: 0, skipped: { header: 5 }, error: null });
    expect(sessions).toHaveLength(0);
    expect(report.totals.sessions).toBe(0);
  });

  it('a message-tracking log and an IIS log given as protocol logs are refused, saying what they are', async () => {
    const tracking = join(dir, 'MSGTRK20251110-1.LOG');
    copyFileSync(join(process.cwd(), 'test/fixtures/real/elastic-beats-bom8-exch2010-messagetracking.LOG'), tracking);
    const iis = write(
      'u_ex251110.LOG',
      '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2025-11-10 09:00:00\r\n' +
        '#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) sc-status\r\n' +
        '2025-11-10 09:00:00 10.0.0.1 GET /owa/ - 443 - 10.0.0.2 Mozilla/5.0 200\r\n',
    );
    const ok = good();
    const { report } = await scanWith([tracking, iis, ok]);
    expect(inputNamed(report, tracking)).toMatchObject({ kind: 'message-tracking', records: 0 });
    expect(inputNamed(report, tracking).error).toMatch(/^message-tracking log .*not a protocol log/);
    expect(inputNamed(report, iis)).toMatchObject({ kind: 'unknown', records: 0 });
    expect(inputNamed(report, iis).error).toMatch(/^IIS \/ W3C web server log .*not an SMTP protocol log/);
    expectGoodFullyRead(report, ok);
  });

  it('a folder with a dangling symlink, a FIFO and an unreadable file: each is reported by name, nothing hangs', async () => {
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'RECV1.LOG'), LOG);
    symlinkSync(join(folder, 'rotated-away.LOG'), join(folder, 'RECV2.LOG'));
    execFileSync('mkfifo', [join(folder, 'RECV3.LOG')]);
    symlinkSync(join(folder, 'RECV3.LOG'), join(folder, 'RECV4.LOG'));
    mkdirSync(join(folder, 'RECV5.LOG'));
    const locked = join(folder, 'RECV6.LOG');
    // The same session ids as RECV1, in another log (a copy of RECV1 would be read once).
    writeFileSync(locked, receiveLog(3, { ehlo: 'other.example' }));
    chmodSync(locked, 0o000);
    const { report, sessions } = await scanWith([folder]);
    expect(inputNamed(report, 'RECV1.LOG')).toMatchObject({ lines: LOG_LINES, records: LOG_RECORDS, error: null });
    expect(inputNamed(report, 'RECV2.LOG').error).toBe('cannot read: no such file or directory');
    expect(inputNamed(report, 'RECV3.LOG').error).toMatch(/not a regular file/);
    expect(inputNamed(report, 'RECV4.LOG').error).toMatch(/not a regular file/);
    // A directory named like a log is a folder to walk (empty here), not an input.
    expect(report.inputs.some((i) => i.source.endsWith('RECV5.LOG'))).toBe(false);
    const lockedStats = inputNamed(report, 'RECV6.LOG');
    if (isRoot) {
      // Root reads mode-000 files, so unreadability is covered above by the dangling link and the FIFO.
      expect(lockedStats).toMatchObject({ records: LOG_RECORDS, error: null });
    } else {
      expect(lockedStats.error).toBe('cannot read: permission denied');
    }
    // RECV1 and RECV6 hold the same session ids in the same origin: the second use of each id is a new session.
    expect(sessions).toHaveLength(lockedStats.error === null ? 6 : 3);
  });
});

describe('damaged lines', () => {
  it('a truncated last line is skipped as truncated-last-line with its line number; the rest is kept', async () => {
    const cut = write('truncated.LOG', LOG.slice(0, LOG.length - 30));
    const { report, sessions } = await scanWith([cut]);
    const s = inputNamed(report, cut);
    expect(s).toMatchObject({ lines: LOG_LINES, records: LOG_RECORDS - 1, skipped: { header: 5, 'truncated-last-line': 1 }, error: null });
    expect(s.problems).toEqual([expect.objectContaining({ line: LOG_LINES, reason: 'truncated-last-line' })]);
    expect(sessions).toHaveLength(3);
    expect(report.totals.incompleteSessions).toBe(1);
  });

  it('an unclosed quote mid-file costs one line; the following lines are still read', async () => {
    const lines = LOG.split('\r\n');
    lines[16] = lines[16]!.replace(',<,EHLO ', ',<,"EHLO ');
    const bad = write('quote.LOG', lines.join('\r\n'));
    const { report, sessions } = await scanWith([bad]);
    const s = inputNamed(report, bad);
    expect(s).toMatchObject({ lines: LOG_LINES, records: LOG_RECORDS - 1, skipped: { header: 5, 'unclosed-quote': 1 } });
    expect(s.problems).toEqual([expect.objectContaining({ line: 17, reason: 'unclosed-quote' })]);
    expect(sessions.map((x) => x.rows).sort()).toEqual([8, 9, 9]);
    expect(sessions.every((x) => x.complete)).toBe(true);
  });

  it('a 5 MB single line is skipped as line-too-long, the next line is read, memory does not explode', async () => {
    const lines = LOG.split('\r\n');
    const big = write('long.LOG', `${lines.slice(0, 8).join('\r\n')}\r\n${'A,'.repeat(2.5 * 1024 * 1024)}\r\n${lines.slice(8).join('\r\n')}`);
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const { report, sessions } = await scanWith([big]);
    clearInterval(timer);
    const s = inputNamed(report, big);
    expect(s).toMatchObject({ lines: LOG_LINES + 1, records: LOG_RECORDS, skipped: { header: 5, 'line-too-long': 1 } });
    expect(s.problems).toEqual([expect.objectContaining({ line: 9, reason: 'line-too-long' })]);
    expect(sessions).toHaveLength(3);
    // The reader keeps at most 1 MiB of an unfinished line; a few read buffers on top is fine, 5 copies is not.
    expect(peak - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('a UTF-16LE log gives the same sessions as its UTF-8 twin', async () => {
    const utf8 = write('twin8.LOG', LOG);
    const utf16 = write('twin16.LOG', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOG, 'utf16le')]));
    const a = await scanWith([utf8]);
    const b = await scanWith([utf16]);
    const view = (xs: Session[]) => xs.map((s) => ({ id: s.sessionId, names: s.remoteNames, tls: s.tls, certs: s.certificates, rows: s.records.length, end: s.endReason }));
    expect(view(b.sessions)).toEqual(view(a.sessions));
    expect(b.sessions).toHaveLength(3);
    const [s8, s16] = [inputNamed(a.report, utf8), inputNamed(b.report, utf16)];
    expect({ ...s16, source: '', bytes: 0 }).toEqual({ ...s8, source: '', bytes: 0 });
    expect(s16.bytes).toBe(2 + 2 * LOG.length);
  });

  it('a UTF-16BE log and a UTF-16BE queue export are read, not refused as binary', async () => {
    const utf8 = write('twin8be.LOG', LOG);
    const be = write('twin16be.LOG', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(LOG, 'utf16le').swap16()]));
    const queueText = '#TYPE Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo\r\n"Identity","DeliveryType","Status","MessageCount","NextHopDomain","LastError"\r\n"EX01\\3","SmtpRelayToRemoteAdSite","Retry","12","contoso.com","421 4.4.2 Connection dropped due to SocketError"\r\n';
    const queue = write('queue-be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(queueText, 'utf16le').swap16()]));
    const a = await scanWith([utf8]);
    const b = await scanWith([be, queue]);
    const view = (xs: Session[]) => xs.map((s) => ({ id: s.sessionId, names: s.remoteNames, tls: s.tls, certs: s.certificates, rows: s.records.length, end: s.endReason }));
    expect(view(b.sessions)).toEqual(view(a.sessions));
    const [s8, s16] = [inputNamed(a.report, utf8), inputNamed(b.report, be)];
    expect({ ...s16, source: '', bytes: 0 }).toEqual({ ...s8, source: '', bytes: 0 });
    expect(inputNamed(b.report, queue)).toMatchObject({ kind: 'queue-csv', records: 1, error: null });
    expect(b.report.groups.find((g) => g.direction === 'queue')).toMatchObject({ messages: 12, byCategory: { 'socket-error': 1 } });
  });

  it('Latin-1 bytes in EHLO names become replacement characters, and the JSON report stays valid', async () => {
    const bytes = Buffer.from(LOG.replace('EHLO client1.example.net', 'EHLO cli\xe9nt\xff.example.net'), 'latin1');
    const bad = write('latin1.LOG', bytes);
    const { report, sessions } = await scanWith([bad]);
    expect(inputNamed(report, bad)).toMatchObject({ lines: LOG_LINES, records: LOG_RECORDS, error: null });
    expect(sessions[1]!.remoteNames).toEqual(['cli\ufffdnt\ufffd.example.net']);
    const parsed = JSON.parse(renderJson(report)) as Report;
    expect(parsed.groups.flatMap((g) => g.remoteNames)).toContain('cli\ufffdnt\ufffd.example.net');
  });
});

describe('standard input', () => {
  it('a UTF-16LE log fed one byte at a time through stdin gives the same sessions as the file', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOG, 'utf16le')]);
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    const { report, sessions } = await scanWith(['-'], { stdin: Readable.from(chunks) });
    expect(report.inputs[0]).toMatchObject({ source: 'stdin', kind: 'smtp-receive', lines: LOG_LINES, records: LOG_RECORDS, bytes: bytes.length, error: null });
    expect(sessions.map((x) => x.remoteNames)).toEqual([['client0.example.net'], ['client1.example.net'], ['client2.example.net']]);
  });

  it('a UTF-16BE log fed one byte at a time through stdin gives the same sessions as the file', async () => {
    const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(LOG, 'utf16le').swap16()]);
    const chunks = Array.from(bytes, (b) => Buffer.from([b]));
    const { report, sessions } = await scanWith(['-'], { stdin: Readable.from(chunks) });
    expect(report.inputs[0]).toMatchObject({ source: 'stdin', kind: 'smtp-receive', lines: LOG_LINES, records: LOG_RECORDS, bytes: bytes.length, error: null });
    expect(sessions.map((x) => x.remoteNames)).toEqual([['client0.example.net'], ['client1.example.net'], ['client2.example.net']]);
  });

  it('binary data on stdin is refused with a reason, next to a file that is fully read', async () => {
    const ok = good();
    const { report } = await scanWith(['-', ok], { stdin: Readable.from([Buffer.from([0, 1, 2, 3, 0xff, 0])]) });
    expect(report.inputs.find((i) => i.source === 'stdin')?.error).toMatch(/binary data/);
    expectGoodFullyRead(report, ok);
  });
});

describe('gzip, growing files and open sessions', () => {
  it('a .gz cut off halfway keeps the records before the damage and names the error; the other input is fully read', async () => {
    // Not the log good() writes: a copy of it would be read once.
    const full = receiveLog(2000, { ehlo: 'other.example' });
    const gz = gzipSync(Buffer.from(full));
    const bad = write('RECV-cut.LOG.gz', gz.subarray(0, gz.length >> 1));
    const ok = good();
    const { report } = await scanWith([bad, ok]);
    const s = inputNamed(report, bad);
    expect(s.error).toMatch(/^read error after line \d+: corrupt gzip data/);
    expect(s.records).toBeGreaterThan(1000);
    expect(s.records).toBeLessThan(2000 * 9);
    // Every record kept is a whole, unchanged line of the original; the piece of a line where it broke off is counted.
    expect(s.skipped).toEqual({ header: 5, 'truncated-last-line': 1 });
    expect(s.lines).toBe(Number(/after line (\d+)/.exec(s.error!)![1]));
    expectGoodFullyRead(report, ok);
  });

  it('a .gz cut off halfway keeps every whole line before the cut, as a file and on standard input in small chunks', async () => {
    const gz = gzipSync(Buffer.from(receiveLog(3000)));
    const cut = gz.subarray(0, gz.length >> 1);
    const inflated = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
    const whole = inflated.subarray(0, inflated.lastIndexOf(10) + 1).toString().split('\n').length - 1;
    expect(inflated.length).toBeGreaterThan(HEAD_BYTES);
    // The piece of a line after the last line end is counted as a skipped line: every line shown by zcat is accounted for.
    expect(inflated[inflated.length - 1]).not.toBe(10);
    const error = `read error after line ${whole + 1}: corrupt gzip data (unexpected end of file)`;
    const bad = write('RECV-cut-whole.LOG.gz', cut);
    const skipped = { header: 5, 'truncated-last-line': 1 };
    expect(inputNamed((await scanWith([bad])).report, bad)).toMatchObject({ lines: whole + 1, records: whole - 5, skipped, error });
    // A pipe gives small chunks: zlib held back the output of the last ones, and the failing end lost it.
    for (const size of [512, 4096]) {
      const chunks = Array.from({ length: Math.ceil(cut.length / size) }, (_, i) => Buffer.from(cut.subarray(i * size, (i + 1) * size)));
      const { report } = await scanWith(['-'], { stdin: Readable.from(chunks) });
      expect({ size, ...inputNamed(report, 'stdin') }).toMatchObject({ size, lines: whole + 1, records: whole - 5, skipped, error });
    }
  });

  describe('a .gz cut off so early that less than 64 KiB decompresses', () => {
    // The sample receive logs (as QA cut them): the whole of them is under 64 KiB decompressed.
    const folder = join(process.cwd(), 'samples/EX01/FrontEnd/ProtocolLog/SmtpReceive');
    const full = Buffer.concat(readdirSync(folder).sort().map((f) => readFileSync(join(folder, f))));
    const gz = gzipSync(full);
    const cut = gz.subarray(0, 4000);
    // What does decompress, up to its last whole line: what the cut file must read as.
    const inflated = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
    const prefix = inflated.subarray(0, inflated.lastIndexOf(10) + 1);
    const prefixLines = prefix.toString().split('\n').length - 1;
    /** The report without its inputs and with the input named `INPUT`, and the sessions in the order they were reported. */
    const strip = (r: { report: Report; sessions: Session[] }, source: string) => ({
      report: JSON.stringify({ ...r.report, inputs: [] }).replaceAll(JSON.stringify(source).slice(1, -1), 'INPUT'),
      sessions: r.sessions.map((s) => `${s.sessionId} ${s.endReason}`),
    });

    it('the cut, as QA made it: mid-file, well under 64 KiB inflated, several sessions before it', async () => {
      expect(full.length).toBeLessThan(HEAD_BYTES);
      expect(inflated.length).toBeGreaterThan(20_000);
      expect(inflated.length).toBeLessThan(full.length);
      expect(prefixLines).toBeGreaterThan(100);
      const { report } = await scanWith([write('RECV-prefix.LOG', prefix)]);
      expect(report.totals.sessions).toBeGreaterThan(5);
    });

    it('as a file: detected from what decompressed, every line before the cut read, the error names the file and line', async () => {
      const bad = write('RECV-small-cut.LOG.gz', cut);
      const ok = good();
      const fromCut = await scanWith([bad, ok]);
      const fromPrefix = await scanWith([write('RECV-small-cut-prefix.LOG', prefix), ok]);
      const s = inputNamed(fromCut.report, bad);
      const p = inputNamed(fromPrefix.report, 'RECV-small-cut-prefix.LOG');
      // The piece of a line after the prefix is one more line, counted as skipped.
      expect(inflated[inflated.length - 1]).not.toBe(10);
      expect(s).toMatchObject({ kind: 'smtp-receive', lines: prefixLines + 1, records: p.records, skipped: { header: 5, 'truncated-last-line': 1 }, headerDate: p.headerDate, from: p.from, to: p.to });
      expect(s.error).toBe(`read error after line ${prefixLines + 1}: corrupt gzip data (unexpected end of file)`);
      expect(p.error).toBeNull();
      expect(strip(fromCut, bad)).toEqual(strip(fromPrefix, p.source));
      expectGoodFullyRead(fromCut.report, ok);
    });

    it('on standard input: the same lines, records and sessions, and the error names stdin and the line', async () => {
      // Small chunks, as a pipe gives them: the damage is met only after several of them.
      const chunks = Array.from({ length: Math.ceil(cut.length / 512) }, (_, i) => Buffer.from(cut.subarray(i * 512, (i + 1) * 512)));
      const fromCut = await scanWith(['-'], { stdin: Readable.from(chunks) });
      const fromPrefix = await scanWith(['-'], { stdin: Readable.from([Buffer.from(prefix)]) });
      const s = inputNamed(fromCut.report, 'stdin');
      const p = inputNamed(fromPrefix.report, 'stdin');
      expect(s).toMatchObject({ kind: 'smtp-receive', lines: prefixLines + 1, records: p.records, skipped: { header: 5, 'truncated-last-line': 1 } });
      expect(s.error).toBe(`read error after line ${prefixLines + 1}: corrupt gzip data (unexpected end of file)`);
      expect(strip(fromCut, 'stdin')).toEqual(strip(fromPrefix, 'stdin'));
    });

    it('cut before a single line decompressed: the damage is the reason, and a folder does not pass it over', async () => {
      const sub = join(dir, 'tiny-cut');
      mkdirSync(sub);
      writeFileSync(join(sub, 'RECV-tiny.LOG.gz'), gz.subarray(0, 20));
      const { report } = await scanWith([sub]);
      const s = inputNamed(report, 'RECV-tiny.LOG.gz');
      expect(s).toMatchObject({ kind: 'unknown', lines: 0, records: 0, ignored: null });
      expect(s.error).toBe('cannot read: corrupt gzip data (unexpected end of file)');
    });
  });

  it('a .gz with garbage in the middle: the error names the file, the lines before the damage are records', async () => {
    const gz = gzipSync(Buffer.from(receiveLog(2000, { ehlo: 'other.example' })));
    gz.fill(0x41, gz.length >> 1, (gz.length >> 1) + 64);
    const bad = write('RECV-garbled.LOG.gz', gz);
    const ok = good();
    const { report } = await scanWith([bad, ok]);
    const s = inputNamed(report, bad);
    expect(s.error).toMatch(/corrupt gzip data/);
    expect(s.records).toBeGreaterThan(1000);
    expectGoodFullyRead(report, ok);
  });

  it('a file that grows while it is read: no crash, counts consistent', async () => {
    const path = write('growing.LOG', receiveLog(8000));
    const extra = receiveLog(400).split('\r\n').slice(5).join('\r\n');
    const appended = extra.split('\r\n').filter((l) => l !== '');
    let done = false;
    let appends = 0;
    const appender = (async () => {
      for (const chunk of chunked(appended, 200)) {
        if (done) break;
        appendFileSync(path, `${chunk.join('\r\n')}\r\n`);
        appends += chunk.length;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const { report } = await scanWith([path]);
    done = true;
    await appender;
    const s = inputNamed(report, path);
    expect(s.error).toBeNull();
    expect(s.skipped.header).toBe(5);
    // Whatever part of the appended rows the reader saw: every line is a record (appends are whole lines), except a
    // last line caught mid-write, which is reported as truncated.
    expect(s.lines).toBeGreaterThanOrEqual(5 + 8000 * 9);
    expect(s.lines).toBeLessThanOrEqual(5 + 8000 * 9 + appends);
    expect(s.records + 5 + (s.skipped['truncated-last-line'] ?? 0)).toBe(s.lines);
  });

  it('200,000 sessions that never close: the session cap bounds memory, no session is lost', async () => {
    const rows: string[] = [...header()];
    for (let n = 0; n < 200_000; n++) {
      const t = new Date(Date.UTC(2025, 10, 10, 9) + n).toISOString();
      rows.push(`${t},EX01\\Default Frontend EX01,${sessionId(n)},0,10.0.1.21:25,198.51.100.${n % 250}:${1024 + (n % 60000)},+,,`);
      rows.push(`${t},EX01\\Default Frontend EX01,${sessionId(n)},1,10.0.1.21:25,198.51.100.${n % 250}:${1024 + (n % 60000)},<,EHLO h${n},`);
    }
    const path = write('never-closed.LOG', `${rows.join('\r\n')}\r\n`);
    const ids = new Set<string>();
    const ends = new Map<string, number>();
    const report = await scan([path], {
      sessions: { maxOpenSessions: 20_000 },
      onSession: (s) => {
        ids.add(s.sessionId);
        ends.set(s.endReason, (ends.get(s.endReason) ?? 0) + 1);
      },
    });
    expectAccounting(report, expect);
    expect(inputNamed(report, path)).toMatchObject({ lines: 400_005, records: 400_000 });
    expect(ids.size).toBe(200_000);
    expect(report.totals.sessions).toBe(200_000);
    expect(report.totals.incompleteSessions).toBe(200_000);
    // Only 20,000 are ever held: the rest were handed on by the cap as they were pushed out.
    expect(Object.fromEntries(ends)).toEqual({ cap: 180_000, 'end-of-input': 20_000 });
  });
});

function* chunked<T>(xs: readonly T[], n: number): Iterable<T[]> {
  for (let i = 0; i < xs.length; i += n) yield xs.slice(i, i + n);
}
