import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { HEAD_BYTES, plainFileHead, READ_BYTES, readBuffers, refilledChunks, type InputRef } from '../src/read/inputs.js';
import { scan } from '../src/scan.js';
import { detectInput, emptyStats, inferDirection } from '../src/read/detect.js';
import { parseProtocolBuffer, parseProtocolText, readProtocolLog, readProtocolRows, type ProtocolHeader } from '../src/read/protocol.js';
import {
  ELASTIC,
  KB4051498,
  KB4495258,
  MSQA,
  QAZEER,
  RMILNE,
  chunksOf,
  cutAt,
  expectBalanced,
  physicalLines,
  readAll,
  real,
} from './fixtures/read/helpers.js';

const run = promisify(execFile);

const FIELDS = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';
const RECV_HEADER = [
  '#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  '#Log-type: SMTP Receive Protocol Log',
  '#Date: 2024-03-01T10:00:00.000Z',
  FIELDS,
].join('\n');

function row(seq: number, event: string, data: string, context = '', time = `2024-03-01T10:00:0${seq % 10}.000Z`): string {
  return `${time},EX01\\Default Frontend EX01,08DC0000000000AA,${seq},10.0.0.1:25,203.0.113.9:50000,${event},${data},${context}`;
}

describe('real excerpts', () => {
  it('qazeer (Exchange 2016 receive, full header): 5 header lines, 16 rows, quoted banner and TLS line', () => {
    const { records, stats } = parseProtocolText(real(QAZEER), QAZEER);
    expect(stats.kind).toBe('smtp-receive');
    expect(stats.lines).toBe(21);
    expect(stats.records).toBe(16);
    expect(stats.skipped).toEqual({ header: 5 });
    expectBalanced(stats);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 16 }, (_, i) => i + 6));
    expect(stats.headerDate).toBe('2023-01-11T16:00:04.113Z');
    expect(stats.from).toBe('2023-01-11T15:59:51.433Z');
    expect(stats.to).toBe('2023-01-11T16:00:10.644Z');
    const banner = records[0]!;
    expect(banner).toEqual({
      source: QAZEER,
      line: 6,
      time: '2023-01-11T15:59:51.433Z',
      connector: 'SERVER-HOSTNAME\\Default Frontend SERVER-HOSTNAME',
      sessionId: '123453EC62278461',
      sequence: 1,
      local: '10.10.10.10:25',
      remote: '95.10.20.33:56026',
      event: '>',
      data: '220 SERVER-HOSTNAME.DOMAIN.TEST Microsoft ESMTP MAIL Service ready at Wed, 11 Jan 2023 16:59:51 +0100',
      context: '',
    });
    const tls = records.find((r) => r.sequence === 7)!;
    expect(tls.line).toBe(12);
    expect(tls.data).toBe('');
    expect(tls.context.startsWith('TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded')).toBe(true);
    expect(tls.context).toContain(', MAC hash algorithm');
    // The compact certificate row keeps its leading space: fields are never trimmed at the start.
    expect(records.find((r) => r.sequence === 6)!.data.startsWith(' CN=SERVER-HOSTNAME')).toBe(true);
    // Three rows numbered 15 and no 13: kept as written.
    expect(records.filter((r) => r.sequence === 15).map((r) => r.line)).toEqual([19, 20, 21]);
    expect(records.some((r) => r.sequence === 13)).toBe(false);
  });

  it('qazeer: onHeader is called once with the header block', async () => {
    const headers: ProtocolHeader[] = [];
    await readAll(chunksOf(real(QAZEER), 7), QAZEER, { onHeader: (h) => headers.push(h) });
    expect(headers).toEqual([
      {
        software: 'Microsoft Exchange Server',
        version: '15.0.0.0',
        logType: 'SMTP Receive Protocol Log',
        date: '2023-01-11T16:00:04.113Z',
        fields: ['date-time', 'connector-id', 'session-id', 'sequence-number', 'local-endpoint', 'remote-endpoint', 'event', 'data', 'context'],
      },
    ]);
  });

  it('msqa-1054876 (forum copy): header without #, blank lines, trailing spaces, stripped * events', () => {
    const { records, stats } = parseProtocolText(real(MSQA), MSQA);
    expect(stats.kind).toBe('smtp-send');
    expect(stats.lines).toBe(41);
    expect(stats.skipped).toEqual({ header: 5, blank: 20 });
    expect(stats.records).toBe(16);
    expectBalanced(stats);
    expect(records.map((r) => r.line)).toEqual(Array.from({ length: 16 }, (_, i) => 11 + 2 * i));
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(stats.headerDate).toBe('2022-10-19T08:44:41.856Z');
    const [perm, attempt, connect] = records;
    expect(perm).toMatchObject({ event: '*', local: '', data: 'SendRoutingHeaders', context: 'Set Session Permissions' });
    expect(attempt).toMatchObject({ event: '*', local: '', data: '', context: 'attempting to connect' });
    // `…,+,,  `: the trailing blanks of the web copy must not become the context.
    expect(connect).toMatchObject({ event: '+', data: '', context: '' });
    expect(records[15]).toMatchObject({ line: 41, event: '-', context: 'Remote' });
    expect(records[6]!.context).toBe(
      'sending message with RecordId 167503004549 and InternetMessageId <fed061de-3411-44fe-b5cb-d85762c10d2e@Testta  .MyDomain.com>',
    );
  });

  it('KB 4495258 excerpt: placeholders, the row that lost a comma, send by row shape', () => {
    const { records, stats } = parseProtocolText(real(KB4495258), KB4495258);
    expect(stats.kind).toBe('smtp-send');
    expect(stats.lines).toBe(7);
    expect(stats.records).toBe(7);
    expectBalanced(stats);
    expect(records.map((r) => r.sequence)).toEqual([16, 17, 18, 19, 20, 21, 22]);
    expect(records[0]).toMatchObject({ time: 'Date/Time.ConnectorId', sessionId: 'SessionId', connector: 'Outbound to Office 365' });
    // Placeholder times are not dates: no coverage window.
    expect(stats.from).toBeNull();
    expect(stats.to).toBeNull();
    const eight = records[5]!;
    expect(eight).toMatchObject({ line: 6, event: '*', data: '*.xxxx.xxx.xx alternate names', context: '' });
    expect(stats.problems).toEqual([expect.objectContaining({ line: 6, reason: 'short-row' })]);
    expect(records[2]!.data).toBe('CN=xxxxxx, OU=xxxxxx, O=xxxx, L=xxxx, S=xxxxx, C=xx');
    expect(records[6]!.context).toBe('TLS negotiation failed with error NoCredentials');
    expect(detectInput(real(KB4495258)).kind).toBe('smtp-send');
  });

  it('KB 4051498 excerpt: the \\* event is repaired, data keeps its text, send by row shape', () => {
    const { records, stats } = parseProtocolText(real(KB4051498), KB4051498);
    expect(stats.kind).toBe('smtp-send');
    expect(stats.lines).toBe(6);
    expect(stats.records).toBe(6);
    expectBalanced(stats);
    expect(records.every((r) => r.event === '*')).toBe(true);
    expect(records[0]).toMatchObject({
      sessionId: '08D50D3D9730A8D2',
      sequence: 16,
      data: 'CN=\\*.domain.com, OU=Enterprise SSL Wildcard, OU=Contoso IT, O=Contoso Corporation',
      context: 'Certificate subject',
    });
    expect(records[3]).toMatchObject({ connector: 'Outbound to Office **365', context: 'Certificate thumbprint**' });
    expect(records[5]).toMatchObject({ line: 6, remote: '216.32.181.234:25', context: 'TLS negotiation failed with error UnknownCredentials' });
    expect(detectInput(real(KB4051498)).kind).toBe('smtp-send');
  });

  it('rmilne (Exchange 2010 receive header): 2 rows', () => {
    const { records, stats } = parseProtocolText(real(RMILNE), RMILNE);
    expect(stats.kind).toBe('smtp-receive');
    expect(stats.lines).toBe(7);
    expect(stats.skipped).toEqual({ header: 5 });
    expect(records.map((r) => [r.line, r.event, r.sequence])).toEqual([
      [6, '+', 0],
      [7, '*', 1],
    ]);
    expect(records[1]!.context).toBe('Set Session Permissions');
  });

  it('elastic-beats message-tracking log: refused, nothing read past the Log-type line', () => {
    const { records, stats } = parseProtocolText(real(ELASTIC), ELASTIC);
    expect(records).toEqual([]);
    expect(stats.kind).toBe('message-tracking');
    expect(stats.lines).toBe(7);
    expect(stats.skipped).toEqual({ header: 3, 'refused-input': 4 });
    expectBalanced(stats);
    expect(stats.error).toContain('message-tracking');
    expect(stats.problems).toEqual([expect.objectContaining({ line: 3, reason: 'refused-input' })]);
    const headers: ProtocolHeader[] = [];
    parseProtocolBuffer(real(ELASTIC), ELASTIC, { onHeader: (h) => headers.push(h) });
    expect(headers).toEqual([]);
    const d = detectInput(real(ELASTIC));
    expect(d.kind).toBe('message-tracking');
    expect(d.reason).toBe('message-tracking log (#Log-type: Message Tracking Log): not a protocol log, it has no SMTP sessions');
  });

  it('detects every real protocol excerpt with the expected kind', () => {
    expect(detectInput(real(QAZEER)).kind).toBe('smtp-receive');
    expect(detectInput(real(RMILNE)).kind).toBe('smtp-receive');
    const msqa = detectInput(real(MSQA));
    expect(msqa.kind).toBe('smtp-send');
    expect(msqa.reason).toContain("without '#'");
    expect(detectInput(real('msqa-234456-exch2013-get-queue-fl-lasterror-proxy.txt')).kind).toBe('queue-list');
    expect(detectInput(real('exo-ndr-and-messagetrace-tls-texts.txt')).kind).toBe('unknown');
  });
});

describe('encodings and line ends', () => {
  const base = real(QAZEER).toString('utf8');
  const expected = parseProtocolText(base, 'x').records;

  it('UTF-8 BOM + CRLF gives the same records and line numbers', () => {
    const { records, stats } = parseProtocolText('\ufeff' + base.replaceAll('\n', '\r\n'), 'x');
    expect(records).toEqual(expected);
    expect(stats.kind).toBe('smtp-receive');
    expect(stats.skipped).toEqual({ header: 5 });
    expect(detectInput(Buffer.from('\ufeff' + base.replaceAll('\n', '\r\n'))).encoding).toBe('utf8');
  });

  // UTF-16BE is what Windows PowerShell writes for -Encoding BigEndianUnicode.
  const utf16 = (text: string, encoding: 'utf16le' | 'utf16be') => {
    const le = Buffer.from(text, 'utf16le');
    return encoding === 'utf16le' ? le : le.swap16();
  };

  it.each(['utf16le', 'utf16be'] as const)('%s with BOM is transcoded, at any chunk boundary', async (encoding) => {
    const bytes = utf16('\ufeff' + base.replaceAll('\n', '\r\n'), encoding);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from(encoding === 'utf16le' ? [0xff, 0xfe] : [0xfe, 0xff]));
    expect(detectInput(bytes)).toMatchObject({ kind: 'smtp-receive', encoding });
    expect(parseProtocolText(bytes, 'x').records).toEqual(expected);
    for (const size of [1, 2, 3, 5, 4096]) {
      const { records, stats } = await readAll(chunksOf(bytes, size), 'x');
      expect(records).toEqual(expected);
      expect(stats.bytes).toBe(bytes.length);
      expectBalanced(stats);
    }
  });

  it.each(['utf16le', 'utf16be'] as const)('%s without BOM and with non-BMP characters', async (encoding) => {
    const buf = utf16(`${row(1, '<', 'EHLO h\u00e9llo-\u{1F600}.example')}\n`, encoding);
    expect(detectInput(buf).encoding).toBe(encoding);
    const { records } = await readAll(chunksOf(buf, 3), 'x');
    expect(records.map((r) => r.data)).toEqual(['EHLO h\u00e9llo-\u{1F600}.example']);
  });

  it('invalid UTF-8 becomes replacement characters, never an error', () => {
    const buf = Buffer.concat([Buffer.from(row(1, '<', 'EHLO a').slice(0, -1)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(',\n')]);
    const { records } = parseProtocolText(buf, 'x');
    expect(records[0]!.data).toBe('EHLO a\ufffd(\ufffd');
  });

  it('non-ASCII connector names and literal \\r\\n text stay as written', () => {
    const text = `2024-03-01T10:00:00.000Z,组织内 SMTP 发送连接器,08DC01,3,10.0.0.1:1,10.0.0.2:25,<,250-first\\r\\nsecond,\n`;
    const { records } = parseProtocolText(text, 'x');
    expect(records[0]).toMatchObject({ connector: '组织内 SMTP 发送连接器', data: '250-first\\r\\nsecond' });
  });
});

describe('chunk boundaries', () => {
  it('splitting a small file at every byte gives the same records', async () => {
    const buf = Buffer.from('\ufeff' + real(QAZEER).toString('utf8').replaceAll('\n', '\r\n') + 'x\u00e9,"a,b"', 'utf8');
    const whole = parseProtocolText(buf, 'x');
    expect(whole.records).toHaveLength(16);
    for (let i = 0; i <= buf.length; i++) {
      const { records, stats } = await readAll(cutAt(buf, [i]), 'x');
      expect(records).toEqual(whole.records);
      expect(stats).toEqual(whole.stats);
    }
    const oneByte = await readAll(chunksOf(buf, 1), 'x');
    expect(oneByte.records).toEqual(whole.records);
  });

  it('yields one non-empty batch per chunk that completes rows', async () => {
    const text = `${RECV_HEADER}\n${row(1, '+', '')}\n${row(2, '>', '220 hi')}\n`;
    const lines = text.split('\n');
    const headerBytes = Buffer.byteLength(lines.slice(0, 5).join('\n') + '\n');
    const firstRowEnd = headerBytes + Buffer.byteLength(lines[5]! + '\n');
    const { batches } = await readAll(cutAt(Buffer.from(text), [headerBytes, firstRowEnd]), 'x');
    expect(batches).toEqual([1, 1]);
  });
});

describe('headers', () => {
  it('a header re-appearing mid-file with another field order re-maps the columns', () => {
    const reordered = 'context,data,event,remote-endpoint,local-endpoint,sequence-number,session-id,connector-id,date-time';
    const text = [
      RECV_HEADER,
      row(1, '>', '220 ready'),
      '#Software: Microsoft Exchange Server',
      `#Fields: ${reordered}`,
      'Remote(SocketError),,-,203.0.113.9:50000,10.0.0.1:25,2,08DC0000000000AA,EX01\\Default Frontend EX01,2024-03-01T10:00:05.000Z',
    ].join('\n');
    const headers: ProtocolHeader[] = [];
    const stats = emptyStats('x');
    const records: unknown[] = [];
    return (async () => {
      for await (const b of readProtocolLog(cutAt(Buffer.from(text), [10, 300]), stats, { onHeader: (h) => headers.push(h) })) records.push(...b);
      expect(records).toHaveLength(2);
      expect(records[1]).toMatchObject({
        line: 9,
        time: '2024-03-01T10:00:05.000Z',
        connector: 'EX01\\Default Frontend EX01',
        sequence: 2,
        event: '-',
        data: '',
        context: 'Remote(SocketError)',
      });
      expect(headers).toHaveLength(2);
      expect(headers[1]!.fields).toEqual(reordered.split(','));
      expect(headers[1]!.logType).toBeNull();
      expect(stats.kind).toBe('smtp-receive');
      expect(stats.skipped.header).toBe(7);
      expectBalanced(stats);
    })();
  });

  it('a message-tracking header mid-stream stops the reader', () => {
    const text = [RECV_HEADER, row(1, '+', ''), '#Software: Microsoft Exchange Server', '#Log-type: Message Tracking Log', '#Fields: date-time,client-ip', row(2, '>', '220 x'), ''].join('\n');
    const { records, stats } = parseProtocolText(text, 'x');
    expect(records.map((r) => r.line)).toEqual([6]);
    expect(stats.kind).toBe('smtp-receive');
    expect(stats.skipped).toEqual({ header: 7, 'refused-input': 2 });
    expect(stats.error).toContain('message-tracking');
    expect(stats.problems).toEqual([expect.objectContaining({ line: 8, reason: 'refused-input' })]);
    expectBalanced(stats);
  });

  it('other Exchange logs are refused, also with a bare CSV header row before #Software', () => {
    const proxy = 'DateTime,RequestId,Protocol\n#Software: Microsoft Exchange Server\n#Version: 15.01.2507.006\n#Log-type: HttpProxy Logs\n#Date: 2024-01-01T00:00:00.000Z\n#Fields: DateTime,RequestId,Protocol\n2024-01-01T00:00:01.000Z,abc,Ews\n';
    const d = detectInput(Buffer.from(proxy));
    expect(d.kind).toBe('unknown');
    expect(d.reason).toContain('#Log-type: HttpProxy Logs');
    const { records, stats } = parseProtocolText(proxy, 'x');
    expect(records).toEqual([]);
    expect(stats.error).toContain('not an SMTP protocol log');
    expect(stats.skipped).toEqual({ 'not-a-protocol-row': 1, header: 3, 'refused-input': 3 });

    const bareTracking = 'date-time,client-ip,client-hostname\n2016-04-05T00:00:02.052Z,,\n';
    expect(detectInput(Buffer.from(bareTracking)).kind).toBe('message-tracking');
    expect(detectInput(Buffer.from('#Fields: date-time,client-ip,client-hostname,server-ip\n')).kind).toBe('message-tracking');
  });

  it('a #-less Fields: line with an unknown field list is not a header', () => {
    const { stats } = parseProtocolText(`Fields: a,b,c\n${row(1, '+', '')}\n`, 'x');
    expect(stats.skipped).toEqual({ 'not-a-protocol-row': 1 });
    expect(stats.records).toBe(1);
    expect(stats.error).toBeNull();
  });

  it('accepts Uint8Array and string chunks', async () => {
    const first = `${row(1, '+', '')}\n`;
    const bytes = new Uint8Array(Buffer.from(first));
    async function* mixed(): AsyncIterable<Buffer> {
      yield bytes.subarray(0, 10) as Buffer;
      yield bytes.subarray(10) as Buffer;
      yield `${row(2, '<', 'EHLO \u00e9')}\n` as unknown as Buffer;
    }
    const { records } = await readAll(mixed(), 'x');
    expect(records.map((r) => r.data)).toEqual(['', 'EHLO \u00e9']);
  });

  it('a bare protocol field-name row counts as a #Fields header', () => {
    const text = `date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n${row(1, '+', '')}\n`;
    const { records, stats } = parseProtocolText(text, 'x');
    expect(stats.skipped).toEqual({ header: 1 });
    expect(records).toHaveLength(1);
  });
});

describe('damaged lines', () => {
  it('an unclosed quote skips only its own line', () => {
    const lines = [RECV_HEADER, row(1, '>', '"220 banner, never closed'), row(2, '<', 'EHLO a'), row(3, '>', '"250 ok, fine"'), ''];
    const { records, stats } = parseProtocolText(lines.join('\n'), 'x');
    expect(records.map((r) => [r.line, r.data])).toEqual([
      [7, 'EHLO a'],
      [8, '250 ok, fine'],
    ]);
    expect(stats.skipped['unclosed-quote']).toBe(1);
    expect(stats.problems).toEqual([expect.objectContaining({ line: 6, reason: 'unclosed-quote' })]);
    expectBalanced(stats);
  });

  it('truncated last line: skipped when incomplete, parsed when complete', () => {
    const full = real(QAZEER).toString('utf8');
    const last = physicalLines(full).at(-1)!;
    const cut = full.slice(0, full.length - 1 - Math.floor(last.length / 2));
    const a = parseProtocolText(cut, 'x');
    expect(a.stats.records).toBe(15);
    expect(a.stats.skipped['truncated-last-line']).toBe(1);
    expect(a.stats.problems).toEqual([expect.objectContaining({ line: 21, reason: 'truncated-last-line' })]);
    expectBalanced(a.stats);
    const b = parseProtocolText(full.slice(0, -1), 'x');
    expect(b.stats.records).toBe(16);
    expect(b.records.at(-1)).toMatchObject({ line: 21, context: 'User Name: username@domain.com' });
    // A last line cut inside a quoted field is truncated, not an unclosed quote.
    const c = parseProtocolText(`${row(1, '>', '"220 a, b')}`, 'x');
    expect(c.stats.skipped).toEqual({ 'truncated-last-line': 1 });
  });

  it('a file with NUL bytes is skipped as binary line by line', () => {
    const buf = Buffer.from([0x00, 0x01, 0x02, 0x0a, 0x50, 0x4b, 0x00, 0x03, 0x0a, 0x00]);
    const { records, stats } = parseProtocolText(buf, 'x');
    expect(records).toEqual([]);
    expect(stats.lines).toBe(3);
    expect(stats.skipped).toEqual({ binary: 3 });
    expect(detectInput(buf).kind).toBe('unknown');
    expect(detectInput(buf).reason).toContain('binary');
    // A NUL in one row does not affect the next.
    const mixed = parseProtocolText(`${row(1, '<', 'EHLO \u0000x')}\n${row(2, '<', 'EHLO y')}\n`, 'x');
    expect(mixed.records.map((r) => r.line)).toEqual([2]);
  });

  it('field counts: 8 fields tolerated, 7 or 10 fields malformed, prose is not a protocol row', () => {
    const text = [
      row(1, '>', '250 ok', 'extra,field'),
      '2024-03-01T10:00:00.000Z,EX01\\A,08DC01,2,10.0.0.1:25,203.0.113.9:1,<',
      'This is a sentence, pasted from a forum.',
      '2024-03-01T10:00:00.000Z,EX01\\A,08DC01,3,10.0.0.1:25,203.0.113.9:1,<,QUIT',
    ].join('\n');
    const { records, stats } = parseProtocolText(text + '\n', 'x');
    expect(stats.skipped).toEqual({ 'malformed-row': 2, 'not-a-protocol-row': 1 });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ line: 4, data: 'QUIT', context: '' });
    expect(stats.problems.map((p) => [p.line, p.reason])).toEqual([
      [1, 'malformed-row'],
      [2, 'malformed-row'],
      [3, 'not-a-protocol-row'],
      [4, 'short-row'],
    ]);
  });

  it('event repair: empty or \\* becomes * only on information rows', () => {
    const text = [row(1, '', 'SendRoutingHeaders', 'Set Session Permissions'), row(2, '\\*', '', 'attempting to connect'), row(3, '', '', ''), row(4, 'X', 'a', 'b'), ''].join('\n');
    const { records, stats } = parseProtocolText(text, 'x');
    expect(records.map((r) => [r.line, r.event])).toEqual([
      [1, '*'],
      [2, '*'],
    ]);
    expect(stats.skipped).toEqual({ 'malformed-row': 2 });
  });

  it('quotes: doubled quotes, commas in quoted connector names, literal quotes inside unquoted fields', () => {
    const text = [
      '2024-03-01T10:00:00.000Z,"EX01\\Relay, printers",08DC01,1,10.0.0.1:25,203.0.113.9:1,>,"550 5.7.1 ""no"", go away",',
      '2024-03-01T10:00:00.000Z,EX01\\A,08DC01,2,10.0.0.1:25,203.0.113.9:1,<,250 OK "queued" as 12,',
      '2024-03-01T10:00:00.000Z,EX01\\A,08DC01,abc,10.0.0.1:25,203.0.113.9:1,*,"x"y,"",',
    ].join('\r\n');
    const { records, stats } = parseProtocolText(text, 'x');
    expect(stats.records).toBe(2);
    expect(records[0]).toMatchObject({ connector: 'EX01\\Relay, printers', data: '550 5.7.1 "no", go away', context: '' });
    expect(records[1]).toMatchObject({ data: '250 OK "queued" as 12' });
    // Line 3 has 10 fields (the trailing comma after ""), so it is malformed; a 9-field variant parses.
    const nine = parseProtocolText('2024-03-01T10:00:00.000Z,EX01\\A,08DC01,abc,10.0.0.1:25,203.0.113.9:1,*,"x"y,""  \n', 'x');
    expect(nine.records[0]).toMatchObject({ sequence: -1, data: '"x"y', context: '' });
  });

  it('lines longer than maxLineLength are skipped and the next line is still read', async () => {
    const long = Buffer.alloc(5 * 1024 * 1024, 0x61);
    const good = Buffer.from(`\n${row(1, '<', 'EHLO after')}\n`);
    const buf = Buffer.concat([long, good]);
    for (const chunks of [chunksOf(buf, 64 * 1024), cutAt(buf, [])]) {
      const { records, stats } = await readAll(chunks, 'x');
      expect(stats.skipped).toEqual({ 'line-too-long': 1 });
      expect(stats.problems).toEqual([expect.objectContaining({ line: 1, reason: 'line-too-long' })]);
      expect(records.map((r) => [r.line, r.data])).toEqual([[2, 'EHLO after']]);
    }
    // A long last line without LF, and a custom limit.
    const tail = await readAll(chunksOf(Buffer.concat([Buffer.from(`${row(1, '+', '')}\n`), Buffer.alloc(300, 0x62)]), 100), 'x', { maxLineLength: 200 });
    expect(tail.stats.skipped).toEqual({ 'line-too-long': 1 });
    expect(tail.records).toHaveLength(1);
    expectBalanced(tail.stats);
  });

  it('an over-long line is discarded, not buffered', async () => {
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    let peak = 0;
    const base = process.memoryUsage().arrayBuffers;
    async function* huge(): AsyncIterable<Buffer> {
      for (let i = 0; i < 96; i++) {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
        yield piece;
      }
      yield Buffer.from(`\n${row(1, '+', '')}\n`);
    }
    const { records, stats } = await readAll(huge(), 'x');
    expect(stats.skipped).toEqual({ 'line-too-long': 1 });
    expect(records).toHaveLength(1);
    // Buffering the 96 MiB line would show up here; discarding keeps it near one chunk.
    expect(peak).toBeLessThan(24 * 1024 * 1024);
  });

  it('stops counting problems at 20 but keeps counting skips', () => {
    const text = Array.from({ length: 50 }, () => 'not, a, row').join('\n');
    const { stats } = parseProtocolText(text, 'x');
    expect(stats.problems).toHaveLength(20);
    expect(stats.skipped['not-a-protocol-row']).toBe(50);
  });

  it('problem messages do not carry control characters from the log', () => {
    const { stats } = parseProtocolText(`${row(1, 'X\u001b[31m\u202e', 'a', 'b')}\n#Log-type: Evil\u001b]0;x\u0007 Log\n`, 'x');
    for (const p of stats.problems) expect(p.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(stats.error).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('direction without a header', () => {
  const strip = (buf: Buffer) =>
    physicalLines(buf.toString('utf8'))
      .filter((l) => !l.startsWith('#') && !/^(Software|Version|Log-type|Date|Fields):/.test(l))
      .join('\n');

  it('receive from commands on < rows and replies on > rows', () => {
    const { records, stats } = parseProtocolText(strip(real(QAZEER)), 'x');
    expect(inferDirection(records)).toBe('receive');
    expect(stats.kind).toBe('smtp-receive');
  });

  it('send from replies on < rows and attempting to connect', () => {
    const { records, stats } = parseProtocolText(strip(real(MSQA)), 'x');
    expect(inferDirection(records)).toBe('send');
    expect(stats.kind).toBe('smtp-send');
    expect(inferDirection(records.slice(0, 2))).toBe('send');
  });

  it('connector form decides only when rows say nothing; nothing gives null', () => {
    const info = (connector: string) => parseProtocolText(`2024-03-01T10:00:00.000Z,${connector},08DC01,1,a:1,b:2,*,,Certificate subject\n`, 'x').records;
    expect(inferDirection(info('EX01\\Internet Mail'))).toBe('receive');
    expect(inferDirection(info('Outbound to Office 365'))).toBe('send');
    expect(inferDirection([])).toBeNull();
    expect(detectInput(Buffer.from('#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n')).kind).toBe('unknown');
  });
});

describe('detectInput', () => {
  it('empty, gzip and prose inputs are unknown with a reason', () => {
    expect(detectInput(Buffer.alloc(0))).toMatchObject({ kind: 'unknown', encoding: 'utf8' });
    expect(detectInput(Buffer.from([0x1f, 0x8b, 8, 0])).reason).toContain('gzip');
    expect(detectInput(Buffer.from('Hello,\nthis is a letter.\n')).kind).toBe('unknown');
  });

  it('names a ZIP, 7-Zip or RAR archive and says to extract it, where other binary data is only binary', async () => {
    const { deflateRawSync } = await import('node:zlib');
    // A real one-entry ZIP local header (as Windows' "Compressed folder" writes), then deflated log text.
    const name = Buffer.from('RECV2025111009-1.LOG');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt16LE(name.length, 26);
    const zip = Buffer.concat([header, name, deflateRawSync(real(QAZEER))]);
    const d = detectInput(zip);
    expect(d.kind).toBe('unknown');
    expect(d.reason).toBe('a ZIP archive: extract it and give logscan the folder (it decompresses .gz files only)');
    expect(detectInput(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4])).reason).toMatch(/^a 7-Zip archive/);
    expect(detectInput(Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1')).reason).toMatch(/^a RAR archive/);
    expect(detectInput(Buffer.from('PK but not an archive\n\0')).reason).toContain('binary data');
  });

  it('names inputs an admin hands over by mistake and says what to give instead', async () => {
    const { renderJson } = await import('../src/output/json.js');
    const { scan } = await import('../src/scan.js');
    const report = renderJson(await scan(fileURLToPath(new URL('../samples/EX2010', import.meta.url))));
    const json = detectInput(Buffer.from(report));
    expect(json).toMatchObject({ kind: 'unknown', foreign: true });
    expect(json.reason).toBe("a logscan JSON report: to combine reports, run 'logscan merge' on them");
    // Get-Queue as PowerShell prints it (Format-Table), and Get-Message likewise.
    const table = [
      '',
      'Identity                  DeliveryType Status MessageCount Velocity RiskLevel OutboundIPPool NextHopDomain',
      '--------                  ------------ ------ ------------ -------- --------- -------------- -------------',
      'EX01\\7                   SmartHost... Retry  143          0        Normal    0              contoso.mail.p...',
      '',
    ].join('\r\n');
    expect(detectInput(Buffer.from(table)).reason).toMatch(/^PowerShell table output of Get-Queue or Get-Message.*Export-Csv -NoTypeInformation or \| Format-List/);
    const messages = 'Identity          FromAddress          Status Queue   Subject\n--------          -----------          ------ -----   -------\nEX01\\7\\1234  app@contoso.com      Retry  EX01\\7 Report\n';
    expect(detectInput(Buffer.from(messages)).reason).toMatch(/^PowerShell table output/);
    const iis = '#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2026-11-28 00:00:00\n#Fields: date time s-ip cs-method cs-uri-stem\n2026-11-28 00:00:01 10.0.1.21 GET /owa/ 443\n';
    expect(detectInput(Buffer.from(iis)).reason).toMatch(/^IIS \/ W3C web server log/);
    // Prose that mentions none of this stays "not recognised".
    expect(detectInput(Buffer.from('Identity is a column.\n')).reason).toMatch(/^not recognised/);
  });

  it('judges only complete lines of a head cut mid-line', () => {
    const text = real(QAZEER).toString('utf8').split('\n').slice(5).join('\n');
    const d = detectInput(Buffer.from(text).subarray(0, 700));
    expect(d.kind).toBe('smtp-receive');
    expect(d.reason).toContain('row shape');
  });
});

describe('detectInput headerDate', () => {
  it('gives the #Date of the header, also in UTF-16LE (rotated files are ordered by it)', () => {
    const text = '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2025-11-10T10:00:04.113Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n';
    expect(detectInput(Buffer.from(`\uFEFF${text}`, 'utf8')).headerDate).toBe('2025-11-10T10:00:04.113Z');
    expect(detectInput(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])).headerDate).toBe('2025-11-10T10:00:04.113Z');
    expect(detectInput(Buffer.from('2025-11-10T10:00:04.113Z,EX01\\R,08DE000000000001,0,10.0.0.5:25,203.0.113.1:1,+,,\r\n')).headerDate).toBeNull();
  });
});

describe('wide #Fields lines', () => {
  it('reads a row whose data sits after 40 extra columns, as records and through the lazy view', async () => {
    const extra = Array.from({ length: 40 }, (_, i) => `x-extra-${i}`);
    const fields = ['date-time', 'connector-id', 'session-id', 'sequence-number', 'local-endpoint', 'remote-endpoint', ...extra, 'event', 'data', 'context'];
    const row = ['2025-11-10T09:00:00.000Z', 'EX01\\Default', '08DE1', '0', '10.0.0.1:25', '203.0.113.9:4000', ...extra.map((_, i) => `v${i}`), '<', 'EHLO wide.example', ''];
    const text = `#Software: Microsoft Exchange Server\r\n#Log-type: SMTP Receive Protocol Log\r\n#Fields: ${fields.join(',')}\r\n${row.join(',')}\r\n${row.join(',')},one too many\r\n`;
    const { records, stats } = parseProtocolText(text);
    expect(records.map((r) => r.data)).toEqual(['EHLO wide.example']);
    expect(stats.skipped['malformed-row']).toBe(1);
    const seen: string[] = [];
    const viewStats = emptyStats('wide');
    await readProtocolRows((async function* () { yield Buffer.from(text); })(), viewStats, (r) => seen.push(`${r.event} ${r.data()} ${r.remote()}`));
    expect(seen).toEqual(['< EHLO wide.example 203.0.113.9:4000']);
    expect(viewStats.skipped).toEqual(stats.skipped);
  });
});

describe('refilled reads (the protocol path of scan)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logscan-refill-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const text = [RECV_HEADER, ...Array.from({ length: 400 }, (_, i) => row(i, i % 7 === 0 ? '-' : '>', `250 reply ${i}`))].join('\r\n') + '\r\n';

  /** Every chunk's bytes (copied), and where in memory each chunk lay (its ArrayBuffer and offset). */
  async function collect(ref: InputRef, size: number): Promise<{ copies: Buffer[]; places: Map<ArrayBufferLike, Set<number>> }> {
    const copies: Buffer[] = [];
    const places = new Map<ArrayBufferLike, Set<number>>();
    for await (const chunk of refilledChunks(ref, readBuffers(size))) {
      copies.push(Buffer.from(chunk));
      const offsets = places.get(chunk.buffer) ?? new Set<number>();
      offsets.add(chunk.byteOffset);
      places.set(chunk.buffer, offsets);
    }
    return { copies, places };
  }

  it('a plain file comes through two buffers, refilled in turn, with every byte in order', async () => {
    const path = join(dir, 'plain.log');
    writeFileSync(path, text);
    for (const size of [1000, 16_384]) {
      const { copies, places } = await collect({ source: path, path }, size);
      expect(copies.length).toBe(Math.ceil(Buffer.byteLength(text) / size));
      expect(Buffer.concat(copies).toString()).toBe(text);
      // Small buffers come from Node's shared pool, large ones have their own memory: two places either way.
      expect([...places.values()].reduce((n, offsets) => n + offsets.size, 0)).toBe(2);
    }
  });

  it('a caller that stops early closes the file after the read ahead ends', async () => {
    const path = join(dir, 'early.log');
    writeFileSync(path, text);
    let chunks = 0;
    for await (const chunk of refilledChunks({ source: path, path }, readBuffers(1000))) {
      expect(chunk.length).toBe(1000);
      if (++chunks === 3) break;
    }
    // Nothing left open or failing: the same file reads again in full.
    const { copies } = await collect({ source: path, path }, 1000);
    expect(Buffer.concat(copies).toString()).toBe(text);
  });

  it('one pair of buffers serves file after file, also after a file was left early, and holds no other memory', async () => {
    const first = join(dir, 'pair-1.log');
    const second = join(dir, 'pair-2.log');
    const other = text.replace(/250 reply/g, '451 later');
    writeFileSync(first, text);
    writeFileSync(second, other);
    const buffers = readBuffers(1000);
    const inPair = (chunk: Buffer) => [buffers.a, buffers.b].some((b) => b.buffer === chunk.buffer && b.byteOffset === chunk.byteOffset);
    let chunks = 0;
    // Left after two chunks: the read ahead into the other buffer must end before the next file uses it.
    for await (const chunk of refilledChunks({ source: first, path: first }, buffers)) {
      expect(inPair(chunk)).toBe(true);
      if (++chunks === 2) break;
    }
    for (const [path, expected] of [[second, other], [first, text]] as const) {
      const copies: Buffer[] = [];
      for await (const chunk of refilledChunks({ source: path, path }, buffers)) {
        expect(inPair(chunk)).toBe(true);
        copies.push(Buffer.from(chunk));
      }
      expect(Buffer.concat(copies).toString()).toBe(expected);
    }
  });

  it('a gzip file is decompressed, and a missing file fails when read, naming the file', async () => {
    const path = join(dir, 'rotated.log.gz');
    writeFileSync(path, gzipSync(text));
    const { copies } = await collect({ source: path, path }, 1000);
    expect(Buffer.concat(copies).toString()).toBe(text);
    const missing = join(dir, 'gone.log');
    await expect(collect({ source: missing, path: missing }, 1000)).rejects.toThrow(/gone\.log/);
  });

  it('a large gzip file comes in pieces of READ_BYTES, as a plain file does, not in zlib\'s 16 KiB', async () => {
    const path = join(dir, 'large.log.gz');
    const big = text.repeat(Math.ceil((3.5 * READ_BYTES) / Buffer.byteLength(text)));
    writeFileSync(path, gzipSync(big));
    const sizes: number[] = [];
    const copies: Buffer[] = [];
    for await (const chunk of refilledChunks({ source: path, path })) {
      sizes.push(chunk.length);
      copies.push(Buffer.from(chunk));
    }
    expect(Buffer.concat(copies).toString()).toBe(big);
    // The head read for detection and the last piece may be shorter; every piece between is a full one.
    expect(sizes.slice(1, -1).every((n) => n === READ_BYTES)).toBe(true);
    expect(sizes.length).toBeLessThanOrEqual(Math.ceil(Buffer.byteLength(big) / READ_BYTES) + 2);
  });

  it('detection reads only the first 64 KiB of a plain file, none of a gzip file, and all of a short one', async () => {
    const big = join(dir, 'head.log');
    const bytes = Buffer.from(text.repeat(20));
    expect(bytes.length).toBeGreaterThan(HEAD_BYTES * 2);
    writeFileSync(big, bytes);
    const head = await plainFileHead(big);
    expect(head?.length).toBe(HEAD_BYTES);
    expect(head!.equals(bytes.subarray(0, HEAD_BYTES))).toBe(true);
    const short = join(dir, 'short.log');
    writeFileSync(short, text.slice(0, 500));
    expect((await plainFileHead(short))?.toString()).toBe(text.slice(0, 500));
    const gz = join(dir, 'head.log.gz');
    writeFileSync(gz, gzipSync(text));
    expect(await plainFileHead(gz)).toBeNull();
    // The gzip file is still detected, through its decompressed head.
    const report = await scan([gz, big]);
    expect(report.inputs.map((i) => i.kind)).toEqual(['smtp-receive', 'smtp-receive']);
    await expect(plainFileHead(join(dir, 'gone.log'))).rejects.toThrow(/gone\.log/);
  });

  it('reading the same log from a file and from a stream of fresh chunks gives the same report', async () => {
    const path = join(dir, 'big.log');
    await run(process.execPath, ['bench/generate.mjs', '--single', path, '--size', '3MB', '--kind', 'receive', '--seed', '11']);
    const fromFile = await scan([path]);
    // Odd-sized fresh chunks: nothing is reused, so this is the reference the refilled buffer must match.
    const bytes = readFileSync(path);
    const stream = Readable.from((function* () {
      for (let i = 0; i < bytes.length; i += 65_521) yield Buffer.from(bytes.subarray(i, i + 65_521));
    })());
    const fromStream = await scan(['-'], { stdin: stream });
    expect(fromFile.totals.sessions).toBeGreaterThan(500);
    const strip = (r: typeof fromFile) => JSON.stringify({ ...r, inputs: [], coverage: { ...r.coverage, servers: [] } }).replaceAll(path, 'stdin');
    expect(strip(fromFile)).toBe(strip(fromStream));
  });
});
