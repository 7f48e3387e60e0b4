// Structural truth of samples/ (the README example) and of test/fixtures/samples-expected.json, checked
// without the classifier: the files must look exactly like Exchange writes them, and the expected-results
// file must describe every session, and only sessions that exist, with evidence present in the rows.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadExpectedSessions, type ExpectedSession } from './helpers/samples-expected.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SAMPLES = join(ROOT, 'samples');
// samples/queue holds queue exports (another part of the project); only protocol logs are checked here.
const LOG_FILES = fg
  .sync('**/*.LOG', { cwd: SAMPLES, ignore: ['queue/**'], caseSensitiveMatch: false })
  .sort();

type Expected = ExpectedSession;
const EXPECTED: Expected[] = loadExpectedSessions();

interface Row {
  file: string;
  line: number;
  raw: string;
  time: string;
  connector: string;
  sessionId: string;
  seq: number;
  local: string;
  remote: string;
  event: string;
  data: string;
  context: string;
}
interface LogFile {
  path: string;
  bytes: Buffer;
  text: string;
  header: string[];
  rows: Row[];
}

const FIELDS = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';
const CATEGORIES = ['tls-negotiation-failed', 'socket-error', 'starttls-required', 'legacy-tls', 'plaintext'];
const TLS_VALUES = ['TLS1.0', 'TLS1.1', 'TLS1.2', 'TLS1.3', 'SSL3', 'none', 'unknown'];
const SEND_CONNECTORS = ['Outbound to Office 365', 'Internet Mail', 'EdgeSync - Default-First-Site-Name to Internet'];

/** Exchange's writer rule: quote a field only when it holds `,` or `"`, doubling inner quotes. */
function exchangeCsv(value: string): string {
  return /[",]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function load(path: string): LogFile {
  const bytes = readFileSync(join(SAMPLES, path));
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\r\n');
  lines.pop(); // the file ends with CRLF
  const header = lines.slice(0, 5);
  const rows = lines.slice(5).map((raw, i): Row => {
    // One physical line is one record; parsing lines one by one keeps a bad line from hiding others.
    const records = parse(raw, { relax_quotes: false }) as string[][];
    expect(records, `${path}:${i + 6}`).toHaveLength(1);
    const f = records[0]!;
    expect(f, `${path}:${i + 6} has 9 fields`).toHaveLength(9);
    return {
      file: path, line: i + 6, raw, time: f[0]!, connector: f[1]!, sessionId: f[2]!, seq: Number(f[3]),
      local: f[4]!, remote: f[5]!, event: f[6]!, data: f[7]!, context: f[8]!,
    };
  });
  return { path, bytes, text, header, rows };
}

const FILES = LOG_FILES.map(load);
const byPath = new Map(FILES.map((f) => [f.path, f]));
const kindOf = (path: string): 'receive' | 'send' => (path.includes('/SmtpReceive/') ? 'receive' : 'send');
const folderOf = (path: string) => dirname(path);
const ipOf = (endpoint: string) => endpoint.slice(0, endpoint.lastIndexOf(':'));

/** Rows of one session across every file of its folder, in file-name then line order. */
function sessionRows(folder: string, sessionId: string): Row[] {
  return FILES.filter((f) => folderOf(f.path) === folder).flatMap((f) => f.rows.filter((r) => r.sessionId === sessionId));
}
/** `<`/`>` rows written by the peer (what Exchange received) vs by Exchange. */
const peerEvent = (dir: 'send' | 'receive') => (dir === 'receive' ? '<' : '>');
const exchangeEvent = (dir: 'send' | 'receive') => (dir === 'receive' ? '>' : '<');

describe('samples/ protocol logs', () => {
  it('has the two-server layout plus the Exchange 2010 file, under 200 KB in total', () => {
    expect(LOG_FILES).toEqual(expect.arrayContaining([
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG',
      'EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111010-1.LOG',
      'EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG',
      'EDGE01/Edge/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG',
      'EDGE01/Edge/ProtocolLog/SmtpSend/SEND2025111009-1.LOG',
      'EX2010/ProtocolLog/SmtpReceive/RECV20251110-1.LOG',
    ]));
    const total = LOG_FILES.reduce((n, p) => n + statSync(join(SAMPLES, p)).size, 0);
    expect(total).toBeLessThan(200 * 1024);
    for (const p of LOG_FILES) expect(p.split('/').pop()).toMatch(/^(RECV|SEND)\d{8}(\d{2})?-\d+\.LOG$/);
  });

  it.each(LOG_FILES)('%s starts with the UTF-8 BOM and the Exchange header, CRLF only', (path) => {
    const f = byPath.get(path)!;
    expect([...f.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(f.bytes.subarray(3, 41).toString('latin1')).toBe('#Software: Microsoft Exchange Server\r\n');
    for (let i = 0; i < f.bytes.length; i++) {
      if (f.bytes[i] === 0x0a) expect(f.bytes[i - 1], `LF without CR at byte ${i}`).toBe(0x0d);
      if (f.bytes[i] === 0x0d) expect(f.bytes[i + 1], `CR without LF at byte ${i}`).toBe(0x0a);
    }
    expect(f.bytes.subarray(-2).toString('latin1')).toBe('\r\n');
    const version = path.startsWith('EX2010/') ? '14.0.0.0' : '15.0.0.0';
    expect(f.header[0]).toBe('#Software: Microsoft Exchange Server');
    expect(f.header[1]).toBe(`#Version: ${version}`);
    expect(f.header[2]).toBe(`#Log-type: SMTP ${kindOf(path) === 'receive' ? 'Receive' : 'Send'} Protocol Log`);
    expect(f.header[3]).toMatch(/^#Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(f.header[4]).toBe(FIELDS);
    // One header per file, nothing else starting with '#'.
    expect(f.rows.filter((r) => r.raw.startsWith('#'))).toEqual([]);
    // An hourly name carries the hour of #Date.
    const m = /^(?:RECV|SEND)(\d{4})(\d\d)(\d\d)(\d\d)?-/.exec(path.split('/').pop()!)!;
    const date = f.header[3]!.slice(7);
    expect(date.slice(0, 10)).toBe(`${m[1]}-${m[2]}-${m[3]}`);
    if (m[4] !== undefined) expect(date.slice(11, 13)).toBe(m[4]);
  });

  it.each(LOG_FILES)('%s rows have 9 well-formed fields, quoted exactly where Exchange quotes', (path) => {
    const f = byPath.get(path)!;
    const kind = kindOf(path);
    const server = path.split('/')[0]!;
    expect(f.rows.length).toBeGreaterThan(0);
    for (const r of f.rows) {
      const at = `${path}:${r.line}`;
      expect(r.time, at).toMatch(/^2025-11-10T\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.sessionId, at).toMatch(/^[0-9A-F]{16}$/);
      expect(Number.isInteger(r.seq) && r.seq >= 0, at).toBe(true);
      expect(['+', '-', '>', '<', '*'], at).toContain(r.event);
      expect(r.remote, at).toMatch(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/);
      if (kind === 'receive') expect(r.connector.startsWith(`${server}\\`), at).toBe(true);
      else expect(SEND_CONNECTORS, at).toContain(r.connector);
      // Send rows written before the TCP connection exists have no local endpoint; all others have one.
      const beforeConnect = kind === 'send' && ['Set Session Permissions', 'attempting to connect'].includes(r.context) && r.seq < 2;
      if (beforeConnect) expect(r.local, at).toBe('');
      else expect(r.local, at).toMatch(/^\d{1,3}(\.\d{1,3}){3}:\d{1,5}$/);
      if (r.event === '<' || r.event === '>') expect(r.context, at).toBe('');
      if (r.event === '+') expect([r.data, r.context], at).toEqual(['', '']);
      const rebuilt = [r.time, r.connector, r.sessionId, String(r.seq), r.local, r.remote, r.event, r.data, r.context]
        .map(exchangeCsv)
        .join(',');
      expect(rebuilt, at).toBe(r.raw);
    }
    // Quoting must really be exercised by the samples: banners and TLS success lines carry commas.
    expect(f.rows.some((r) => r.raw.includes(',"'))).toBe(true);
  });

  it.each(LOG_FILES)('%s is in write order (time never goes backwards)', (path) => {
    const times = byPath.get(path)!.rows.map((r) => r.time);
    expect(times).toEqual([...times].sort());
  });

  it('interleaves concurrent sessions within files', () => {
    const interleaved = FILES.filter((f) => {
      const closed = new Set<string>();
      let prev: string | null = null;
      for (const r of f.rows) {
        if (r.sessionId === prev) continue;
        if (closed.has(r.sessionId)) return true;
        if (prev !== null) closed.add(prev);
        prev = r.sessionId;
      }
      return false;
    });
    expect(interleaved.length).toBeGreaterThanOrEqual(4);
  });

  it('numbers each session 0, 1, 2, … across the files of its folder', () => {
    const folders = new Set(FILES.map((f) => folderOf(f.path)));
    let sessions = 0;
    for (const folder of folders) {
      const ids = new Set(FILES.filter((f) => folderOf(f.path) === folder).flatMap((f) => f.rows.map((r) => r.sessionId)));
      for (const id of ids) {
        const seqs = sessionRows(folder, id).map((r) => r.seq);
        expect(seqs, `${folder} ${id}`).toEqual(seqs.map((_, i) => i));
        sessions++;
      }
    }
    expect(sessions).toBe(EXPECTED.length);
  });

  it('continues one session from the 09:00 file into the 10:00 file, with rows stamped before #Date', () => {
    const first = byPath.get('EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG')!;
    const second = byPath.get('EX01/FrontEnd/ProtocolLog/SmtpReceive/RECV2025111010-1.LOG')!;
    const shared = [...new Set(first.rows.map((r) => r.sessionId))].filter((id) => second.rows.some((r) => r.sessionId === id));
    expect(shared).toHaveLength(1);
    const date = second.header[3]!.slice(7);
    // The writer switched files while the session was open: its first rows there predate the file's #Date.
    const continued = second.rows.filter((r) => r.sessionId === shared[0]);
    expect(continued[0]!.seq).toBeGreaterThan(0);
    expect(continued[0]!.time < date).toBe(true);
    expect(first.rows.filter((r) => r.sessionId === shared[0]).at(-1)!.seq + 1).toBe(continued[0]!.seq);
    const entry = EXPECTED.find((e) => e.sessionId === shared[0])!;
    expect(entry.file).toBe(first.path);
    expect(entry.continuedIn).toEqual([second.path]);
  });
});

describe('test/fixtures/samples-expected.json', () => {
  it('lists every session of samples/ exactly once, and nothing else', () => {
    const inFiles = new Set<string>();
    for (const f of FILES) for (const r of f.rows) inFiles.add(`${folderOf(f.path)}|${r.sessionId}`);
    const listed = EXPECTED.map((e) => `${folderOf(e.file)}|${e.sessionId}`);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...inFiles].sort()).toEqual([...listed].sort());
  });

  it.each(EXPECTED.map((e) => [`${e.file} ${e.sessionId}`, e] as const))('%s matches its rows', (_name, e) => {
    const start = byPath.get(e.file);
    expect(start, `${e.file} exists`).toBeDefined();
    const own = start!.rows.filter((r) => r.sessionId === e.sessionId);
    expect(own.length, 'session is in its file').toBeGreaterThan(0);
    for (const other of e.continuedIn ?? []) {
      expect(byPath.get(other)!.rows.some((r) => r.sessionId === e.sessionId), other).toBe(true);
    }
    const rows = sessionRows(folderOf(e.file), e.sessionId);
    expect(e.direction).toBe(kindOf(e.file));
    for (const r of rows) expect(ipOf(r.remote)).toBe(e.remoteIp);
    expect(e.note.length).toBeGreaterThan(20);
    expect(TLS_VALUES).toContain(e.tls);
    const names = e.categories.map((c) => c.category);
    expect(new Set(names).size, 'each category at most once').toBe(names.length);
    for (const n of names) expect(CATEGORIES).toContain(n);

    // TLS version against the success row.
    const success = rows.filter((r) => r.event === '*' && r.context.startsWith('TLS protocol '));
    expect(success.length).toBeLessThanOrEqual(1);
    const version = success[0] ? /SP_PROT_(TLS1_[0-3]|SSL3)_/.exec(success[0].context)?.[1]?.replace('_', '.') : undefined;
    if (e.tls.startsWith('TLS')) expect(version).toBe(e.tls);
    else expect(success).toEqual([]);
    const peer = peerEvent(e.direction);
    const ours = exchangeEvent(e.direction);
    const issued = rows.some((r) => (e.direction === 'receive' ? r.event === '<' : r.event === '>') && r.data === 'STARTTLS');
    if (e.tls === 'unknown') {
      // Exchange 2010: a go-ahead to STARTTLS and more SMTP afterwards, but no protocol row.
      expect(issued).toBe(true);
      expect(rows.some((r) => r.data === '220 2.0.0 SMTP server ready')).toBe(true);
    }

    const tlsFailures = rows.filter((r) => r.context.startsWith('TLS negotiation failed with error '));
    const disconnect = rows.find((r) => r.event === '-')?.context ?? null;
    const quitSeen = rows.some((r) => r.data === 'QUIT' || r.data.startsWith('221 '));
    for (const c of e.categories) {
      switch (c.category) {
        case 'tls-negotiation-failed':
          if (c.detail === 'HandshakeAborted') {
            // Heuristic case: go-ahead given, no success and no failure row, then the peer is gone.
            expect(issued).toBe(true);
            expect(rows.some((r) => r.event === ours && r.data === '220 2.0.0 SMTP server ready')).toBe(true);
            expect(tlsFailures).toEqual([]);
            expect(disconnect).toMatch(/^Remote/);
          } else {
            expect(tlsFailures.map((r) => r.context)).toEqual([`TLS negotiation failed with error ${c.detail}`]);
          }
          break;
        case 'socket-error':
          expect(quitSeen, 'never after QUIT/221').toBe(false);
          expect(
            disconnect === `Remote(${c.detail})` || rows.some((r) => r.event === '<' && r.data === `421 4.4.2 Connection dropped due to ${c.detail}`),
          ).toBe(true);
          break;
        case 'starttls-required':
          expect(rows.some((r) => r.event === exchangeEvent(e.direction) && r.data === c.detail)).toBe(true);
          break;
        case 'legacy-tls':
          expect(version).toBe(c.detail);
          break;
        case 'plaintext': {
          expect(c.detail).toBeNull();
          expect(issued).toBe(false);
          expect(rows.some((r) => r.event === ours && /^250[ -].*\bSTARTTLS\b/.test(r.data))).toBe(true);
          const mail = rows.findIndex((r) => r.event === peer && r.data.startsWith('MAIL FROM:'));
          expect(mail).toBeGreaterThan(0);
          expect(rows.slice(mail + 1).find((r) => r.event === ours)?.data).toMatch(/^250 /);
          break;
        }
      }
    }
    // The opposite direction: a session without a category must not carry a failure signature.
    if (!names.includes('tls-negotiation-failed')) expect(tlsFailures).toEqual([]);
    if (!names.includes('starttls-required')) expect(rows.some((r) => /STARTTLS command first/.test(r.data))).toBe(false);
  });

  it('covers every category and each variant the README promises', () => {
    const has = (category: string, detail: string | null) =>
      EXPECTED.some((e) => e.categories.some((c) => c.category === category && c.detail === detail));
    expect(has('tls-negotiation-failed', 'SocketError')).toBe(true);
    expect(has('tls-negotiation-failed', 'UnknownCredentials')).toBe(true);
    expect(has('tls-negotiation-failed', 'NoCredentials')).toBe(true);
    expect(has('tls-negotiation-failed', 'HandshakeAborted')).toBe(true);
    expect(has('socket-error', 'SocketError')).toBe(true);
    expect(has('starttls-required', '451 5.7.3 Must issue a STARTTLS command first')).toBe(true);
    expect(has('starttls-required', '530 5.7.0 Must issue a STARTTLS command first')).toBe(true);
    expect(has('legacy-tls', 'TLS1.0')).toBe(true);
    expect(has('legacy-tls', 'TLS1.1')).toBe(true);
    expect(has('plaintext', null)).toBe(true);
    const o365 = EXPECTED.filter((e) => e.remoteIp.startsWith('104.47.') && e.categories.some((c) => c.detail === 'SocketError'));
    expect(o365.length).toBeGreaterThanOrEqual(3);
    // Healthy sessions of both directions, TLS 1.2 and plain, and the must-not-flag reset after QUIT.
    expect(EXPECTED.filter((e) => e.categories.length === 0 && e.tls === 'TLS1.2').map((e) => e.direction)).toEqual(
      expect.arrayContaining(['send', 'receive']),
    );
    expect(EXPECTED.some((e) => e.categories.length === 0 && e.tls === 'none' && e.direction === 'send')).toBe(true);
    expect(EXPECTED.some((e) => e.categories.length === 0 && e.tls === 'unknown')).toBe(true);
    const resetAfterQuit = EXPECTED.filter((e) => {
      const rows = sessionRows(folderOf(e.file), e.sessionId);
      return rows.at(-1)?.context === 'Remote(ConnectionReset)' && rows.some((r) => r.data.startsWith('221 '));
    });
    expect(resetAfterQuit.length).toBeGreaterThanOrEqual(1);
    for (const e of resetAfterQuit) expect(e.categories).toEqual([]);
  });

  it('paths in the JSON are relative to samples/ and use forward slashes', () => {
    for (const e of EXPECTED) {
      expect(e.file).toBe(relative(SAMPLES, join(SAMPLES, e.file)).split('\\').join('/'));
      expect(LOG_FILES).toContain(e.file);
    }
  });
});
