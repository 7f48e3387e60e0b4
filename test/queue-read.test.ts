import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { InputKind, InputStats, QueueEntry } from '../src/types.js';
import { readQueueExport, sniffQueue } from '../src/read/queue/index.js';
import { classifyReply } from '../src/classify/replies.js';
import { emptyStats } from '../src/read/stats.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/queue/${name}`, import.meta.url));
const real = (name: string): Buffer => readFileSync(new URL(`./fixtures/real/${name}`, import.meta.url));
const sample = (name: string): Buffer => readFileSync(new URL(`../samples/queue/${name}`, import.meta.url));


async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function read(buf: Buffer, kind: InputKind, chunkSize = 65_536): Promise<{ entries: QueueEntry[]; stats: InputStats }> {
  const stats = emptyStats('in');
  const entries: QueueEntry[] = [];
  for await (const batch of readQueueExport(chunked(buf, chunkSize), stats, kind)) entries.push(...batch);
  return { entries, stats };
}

/** Physical lines as an editor counts them: a final line without a line break counts, an empty tail does not. */
function physicalLines(text: string): number {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

function skippedTotal(stats: InputStats): number {
  return Object.values(stats.skipped).reduce((a, b) => a + (b ?? 0), 0);
}

function expectAccounted(stats: InputStats, text: string): void {
  expect(stats.lines).toBe(physicalLines(text));
  expect(stats.lines).toBe(stats.records + skippedTotal(stats));
  expect(stats.error).toBeNull();
}

function decodeForCount(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  return buf.toString('latin1');
}

describe('sniffQueue', () => {
  it.each<[string, Buffer, InputKind]>([
    ['PS 5.1 Get-Queue csv', fixture('get-queue-ps51.csv'), 'queue-csv'],
    ['EX01 sample (Deserialized #TYPE)', sample('EX01-get-queue.csv'), 'queue-csv'],
    ['PS 7 Get-Message csv', fixture('get-message-ps7-bom.csv').subarray(3), 'message-csv'],
    ['Queue Viewer queues (tab)', fixture('queueviewer-queues-ansi.tsv'), 'queue-viewer'],
    ['Queue Viewer messages (comma)', fixture('queueviewer-messages-ansi.csv'), 'queue-viewer'],
    ['Get-Queue | fl (console)', fixture('get-queue-fl-console.txt'), 'queue-list'],
    ['Get-Message | fl (paste)', fixture('get-message-fl-paste.txt'), 'message-list'],
    ['real msqa-234456 paste', real('msqa-234456-exch2013-get-queue-fl-lasterror-proxy.txt'), 'queue-list'],
  ])('%s', (_name, buf, kind) => {
    expect(sniffQueue(buf.toString('latin1'))).toBe(kind);
  });

  it('recognises a #TYPE line for messages, with or without Deserialized.', () => {
    expect(sniffQueue('#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleMessageInfo\r\n"Identity"\r\n')).toBe('message-csv');
    expect(sniffQueue('#TYPE Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo\n')).toBe('queue-csv');
  });

  it.each([
    ['protocol log', '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n'],
    ['headerless protocol rows', '2023-01-11T15:59:51.433Z,EX01\\Default EX01,08DAF3,1,10.0.0.1:25,10.0.0.2:5000,<,EHLO x,\r\n'],
    ['message tracking', '#Software: Microsoft Exchange Server\r\n#Log-type: Message Tracking Log\r\n'],
    ['other csv', '"Name","Value"\r\n"a","b"\r\n'],
    ['empty', ''],
    ['prose with colons', 'Note: hello\nTime: now\nThis is text\nAnother line\n'],
  ])('refuses %s', (_name, text) => {
    expect(sniffQueue(text)).toBeNull();
  });
});

describe('readQueueExport: Export-Csv', () => {
  it('reads the EX01 sample: five queues, two failing over TLS/socket', async () => {
    const buf = sample('EX01-get-queue.csv');
    const { entries, stats } = await read(buf, 'queue-csv');
    expectAccounted(stats, buf.toString('latin1'));
    expect(stats.kind).toBe('queue-csv');
    expect(stats.records).toBe(5);
    expect(stats.skipped.header).toBe(2);
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\Submission', 'EX01\\Shadow\\4', 'EX01\\12', 'EX01\\13', 'EX01\\15']);
    expect(entries.every((e) => e.server === 'EX01' && e.kind === 'queue')).toBe(true);
    const partner = entries.find((e) => e.nextHopDomain === 'contoso-partner.com');
    expect(partner?.messageCount).toBe(14);
    expect(partner?.lastError?.innermost).toBe('421 4.4.2 Connection dropped due to SocketError');
    const o365 = entries.find((e) => e.nextHopDomain === 'contoso.mail.protection.outlook.com');
    expect(o365?.deliveryType).toBe('DnsConnectorDelivery');
    expect(o365?.lastError?.ip).toBe('104.47.17.106');
    expect(classifyReply(o365?.lastError?.innermost ?? '')).toEqual({ category: 'tls-negotiation-failed', detail: 'SocketError' });
    // en-US `11/10/2025` could be 10 November or 11 October: kept raw
    expect(o365?.time).toEqual({ raw: '11/10/2025 9:41:07 AM', iso: null });
    expect(entries.filter((e) => e.lastError === null).map((e) => e.status)).toEqual(['Ready', 'Ready', 'Ready']);
    expect(o365?.fields['PriorityDescriptions']).toBe('System.String[]');
  });

  it('reads PS 5.1 output: #TYPE, re-ordered and unknown columns, a LastError over two lines, doubled quotes', async () => {
    const buf = fixture('get-queue-ps51.csv');
    for (const size of [1, 3, 64, 65_536]) {
      const { entries, stats } = await read(buf, 'queue-csv', size);
      expectAccounted(stats, buf.toString('latin1'));
      expect(stats.records).toBe(3);
      expect(stats.skipped).toEqual({ header: 2, 'queue-continuation': 1 });
      expect(entries.map((e) => e.line)).toEqual([3, 5, 6]);
      const [first, second, poison] = entries;
      expect(first?.messageCount).toBe(1204);
      expect(first?.fields['ExtraColumn']).toBe('x');
      expect(first?.lastError?.innermost).toBe('421 4.4.1 Connection timed out.');
      expect(first?.lastError?.ip).toBe('198.51.100.20');
      expect(first?.time).toEqual({ raw: '13/11/2025 14:03:05', iso: '2025-11-13T14:03:05' });
      expect(second?.time).toEqual({ raw: '05/11/2025 14:03:05', iso: null });
      expect(classifyReply(second?.lastError?.innermost ?? '')?.detail).toBe('Winsock 10060');
      expect(poison?.lastError).toBeNull();
      expect(poison?.messageCount).toBe(0);
    }
  });

  it('reads PS 7 Get-Message output with a UTF-8 BOM, LF and a blank line', async () => {
    const buf = fixture('get-message-ps7-bom.csv');
    const { entries, stats } = await read(buf, 'message-csv', 5);
    expectAccounted(stats, buf.toString('utf8'));
    expect(stats.skipped).toEqual({ header: 1, blank: 1 });
    expect(entries).toHaveLength(2);
    expect(entries[0]?.kind).toBe('message');
    expect(entries[0]?.messageCount).toBe(1);
    expect(entries[0]?.fields['Subject']).toBe('Grüße – 日本 report');
    expect(Object.keys(entries[0]?.fields ?? {})[0]).toBe('Identity'); // no BOM glued to the first name
    expect(entries[0]?.server).toBe('EX01');
    expect(entries[0]?.time).toEqual({ raw: '2025/11/10 9:41:07', iso: '2025-11-10T09:41:07' });
    expect(entries[1]?.lastError?.innermost).toBe('A matching connector cannot be found to route the external recipient');
    expect(stats.from).toBe('2025-11-10T09:41:07');
    expect(stats.to).toBe('2025-11-10T10:02:44');
  });

  it('reads the same export written as UTF-16LE with a BOM, whatever the chunk size', async () => {
    const text = fixture('get-queue-ps51.csv').toString('latin1');
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    for (const size of [1, 2, 7, 65_536]) {
      const { entries, stats } = await read(buf, 'queue-csv', size);
      expectAccounted(stats, text);
      expect(entries.map((e) => e.identity)).toEqual(['EX02\\7', 'EX02\\8', 'EX02\\Poison']);
    }
  });

  it('reads the same export written as UTF-16BE (-Encoding BigEndianUnicode), with or without BOM', async () => {
    const text = fixture('get-queue-ps51.csv').toString('latin1');
    const withBom = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    for (const [buf, sizes] of [
      [withBom, [1, 2, 7, 65_536]],
      [withBom.subarray(2), [3, 65_536]],
    ] as const) {
      for (const size of sizes) {
        const { entries, stats } = await read(buf, 'queue-csv', size);
        expectAccounted(stats, text);
        expect(entries.map((e) => e.identity)).toEqual(['EX02\\7', 'EX02\\8', 'EX02\\Poison']);
      }
    }
  });

  it('counts a stray quote that merges two lines as one malformed row', async () => {
    const text = '"Identity","Status","LastError"\r\n"EX01\\1","Retry","421 4.4.2 Connection dropped"\r\n"EX01\\2","Retry","broken\r\n"EX01\\3","Ready",""\r\n"EX01\\4","Ready",""\r\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expectAccounted(stats, text);
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1', 'EX01\\4']);
    expect(stats.skipped['malformed-row']).toBe(2);
    expect(stats.problems[0]).toMatchObject({ line: 3, reason: 'malformed-row' });
  });

  it('counts an unclosed quote and the lines it swallowed, without throwing', async () => {
    const text = '"Identity","Status","LastError"\r\n"EX01\\1","Retry","421 4.4.2 Connection dropped"\r\n"EX01\\2","Retry","never closed\r\nmore text\r\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expectAccounted(stats, text);
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1']);
    expect(stats.skipped['unclosed-quote']).toBe(2);
    expect(stats.problems[0]).toMatchObject({ line: 3, reason: 'unclosed-quote' });
  });

  it('counts rows with the wrong number of fields as malformed', async () => {
    const text = '"Identity","Status"\n"EX01\\1","Retry","extra"\n"EX01\\2"\n"EX01\\3","Ready",""\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expectAccounted(stats, text);
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\3']);
    expect(stats.skipped['malformed-row']).toBe(2);
    expect(stats.problems.map((p) => p.line)).toEqual([2, 3]);
  });

  it('keeps the invariant on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('"', ',', '\t', '\n', '\r\n', 'a', 'Identity', 'LastError', ' ', '""', '#TYPE x', '\u00e9'), { maxLength: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom<InputKind>('queue-csv', 'message-csv', 'queue-viewer', 'queue-list', 'message-list'),
        async (parts, size, kind) => {
          const text = parts.join('');
          const { stats } = await read(Buffer.from(text, 'utf8'), kind, size);
          return stats.lines === stats.records + skippedTotal(stats) && stats.lines === physicalLines(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Export-Csv with a semicolon or tab delimiter (-UseCulture, -Delimiter)', () => {
  /** The tester's de-DE `-UseCulture` export: every value quoted, `;` between them, commas inside values. */
  const useCulture = (): Buffer => fixture('gq-de-useculture.csv');
  /** The same Get-Message rows with `;` (the fixture's values hold no `","`, so the swap is exact). */
  const messagesSemicolon = (): string => fixture('gm-de.csv').toString('latin1').replaceAll('","', '";"');

  it.each<[string, string, InputKind]>([
    ['Get-Queue, `;`, no #TYPE', useCulture().toString('latin1').split('\n').slice(1).join('\n'), 'queue-csv'],
    ['Get-Queue, tab', '"Identity"\t"DeliveryType"\t"NextHopDomain"\t"LastError"\r\n', 'queue-csv'],
    ['Get-Message, `;`, no #TYPE', messagesSemicolon().split('\n').slice(1).join('\n'), 'message-csv'],
  ])('detects %s', (_name, text, kind) => {
    expect(sniffQueue(text)).toBe(kind);
  });

  it('reads a Get-Queue export separated by `;` into its six queues, LastErrors intact', async () => {
    const buf = useCulture();
    const { entries, stats } = await read(buf, 'queue-csv', 97);
    expectAccounted(stats, buf.toString('latin1'));
    expect(stats.problems).toEqual([]);
    expect(stats.skipped['malformed-row']).toBeUndefined();
    expect(entries).toHaveLength(6);
    const first = entries[0]!;
    expect([first.identity, first.messageCount, first.lastError?.ip]).toEqual(['EX01\\13', 27, '104.47.17.106']);
    expect(classifyReply(first.lastError!.innermost)?.category).toBe('tls-negotiation-failed');
    // A value with commas and doubled quotes stays one field.
    expect(entries[1]!.lastError?.innermost).toBe('451 5.7.3 Must issue a STARTTLS command first.');
  });

  it('reads a Get-Message export separated by `;`', async () => {
    const text = messagesSemicolon();
    const { entries, stats } = await read(Buffer.from(text, 'latin1'), 'message-csv');
    expectAccounted(stats, text);
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\13\\21474836480', 'EX01\\13\\21474836481', 'EX01\\13\\21474836482', 'EX01\\14\\21474836490', 'EX01\\14\\21474836491']);
    expect(entries.every((e) => e.lastError !== null)).toBe(true);
  });

  it('fails an input whose header names no known column, naming the line, instead of reporting it clean', async () => {
    const text = '#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo\r\n"Identity"|"LastError"\r\n"EX01\\13"|"451 4.4.0 TLS negotiation failed with error SocketError"\r\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expect(entries).toEqual([]);
    expect(stats.error).toMatch(/^line 2: the header row names no known .* commas, semicolons or tabs$/);
    expect(stats.problems.map((p) => [p.line, p.reason])).toEqual([[2, 'malformed-row']]);
    expect(stats.lines).toBe(3);
    expect(stats.skipped).toEqual({ 'malformed-row': 3 });
  });
});

describe('readQueueExport: Queue Viewer Export List', () => {
  it('reads the Queues tab as tab-delimited Windows-1252 text', async () => {
    const buf = fixture('queueviewer-queues-ansi.tsv');
    const { entries, stats } = await read(buf, 'queue-viewer', 13);
    expectAccounted(stats, buf.toString('latin1'));
    expect(entries).toHaveLength(3);
    expect(entries.every((e) => e.kind === 'queue')).toBe(true);
    const [orient, smarthost, submission] = entries;
    expect(orient?.identity).toBe('EX03\\41');
    expect(orient?.nextHopDomain).toBe('orient-power.com');
    expect(orient?.lastError?.innermost).toBe('Failed to connect. Winsock error code: 10060, Win32 error code: 10060.');
    expect(orient?.lastError?.ip).toBeNull();
    expect(orient?.time).toEqual({ raw: 'Friday, November 10, 2023 12:24:32 PM', iso: '2023-11-10T12:24:32' });
    expect(smarthost?.nextHopDomain).toBe('Ausgehend über Smarthost');
    expect(smarthost?.deliveryType).toBe('SmartHostConnectorDelivery');
    expect(classifyReply(smarthost?.lastError?.innermost ?? '')?.detail).toBe('CertificateValidation');
    // 10 November 2023 was a Friday: a text that says Thursday is not trusted
    expect(smarthost?.time?.iso).toBeNull();
    expect(submission?.status).toBe('Ready');
    expect(submission?.lastError).toBeNull();
  });

  it('reads the Messages tab as comma-delimited text', async () => {
    const buf = fixture('queueviewer-messages-ansi.csv');
    const { entries, stats } = await read(buf, 'queue-viewer');
    expectAccounted(stats, buf.toString('latin1'));
    expect(entries.map((e) => [e.kind, e.identity, e.server])).toEqual([
      ['message', 'EX03\\41', 'EX03'],
      ['message', 'EX03\\42', 'EX03'],
    ]);
    expect(entries[0]?.fields['Subject']).toBe('Scan, page 1');
    expect(entries[0]?.time?.iso).toBe('2025-11-10T09:41:07');
    expect(classifyReply(entries[1]?.lastError?.innermost ?? '')?.category).toBe('starttls-required');
  });

  it('reads a "Unicode text" export (UTF-16LE, BOM)', async () => {
    const text = fixture('queueviewer-queues-ansi.tsv').toString('latin1');
    const buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const { entries, stats } = await read(buf, 'queue-viewer', 3);
    expectAccounted(stats, decodeForCount(buf));
    expect(entries[1]?.nextHopDomain).toBe('Ausgehend über Smarthost');
  });
});

describe('readQueueExport: Format-List text', () => {
  it('reads the real msqa-234456 paste as one queue in Retry', async () => {
    const buf = real('msqa-234456-exch2013-get-queue-fl-lasterror-proxy.txt');
    const { entries, stats } = await read(buf, 'queue-list', 17);
    expectAccounted(stats, buf.toString('utf8'));
    expect(stats.records).toBe(1);
    expect(entries).toHaveLength(1);
    const q = entries[0];
    expect(q?.identity).toBe('DAGSERVER5\\322120');
    expect(q?.server).toBe('DAGSERVER5');
    expect(q?.status).toBe('Retry');
    expect(q?.deliveryType).toBe('DnsConnectorDelivery');
    expect(q?.nextHopDomain).toBe('destination.com');
    expect(q?.messageCount).toBe(1);
    expect(q?.line).toBe(1);
    expect(q?.fields['LastError']).toContain('Security status InvalidToken.');
    expect(q?.lastError?.innermost).toBe('451 4.4.0 Security status InvalidToken.');
    expect(q?.lastError?.ip).toBe('192.168.12.4');
    expect(q?.lastError?.fqdn).toBe('MAILSERVER.DOMAIN.LOCAL');
    expect(q?.lastError?.chain).toHaveLength(3);
    expect(classifyReply(q?.lastError?.innermost ?? '')).toEqual({ category: 'tls-negotiation-failed', detail: 'InvalidToken' });
    expect(q?.time).toEqual({ raw: '15-01-21 23:50:05', iso: null });
    expect(q?.fields['MessageCountsPerPriority']).toBe('{0, 0, 0, 0}');
  });

  it('reads console Format-List output with padded names and indented wrapped values', async () => {
    const buf = fixture('get-queue-fl-console.txt');
    const { entries, stats } = await read(buf, 'queue-list', 11);
    expectAccounted(stats, buf.toString('utf8'));
    expect(stats.skipped.header).toBe(1); // the prompt line
    expect(entries.map((e) => e.identity)).toEqual(['EX04\\19', 'EX04\\20']);
    expect(entries[0]?.line).toBe(3);
    expect(entries[0]?.lastError?.raw).toBe(
      '[{LRT=2019/11/4 13:31:03};{LED=451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to SocketError};{FQDN=mx1.fabrikam.example};{IP=203.0.113.9}]',
    );
    expect(entries[0]?.time?.iso).toBe('2019-11-04T13:31:03');
    expect(entries[0]?.messageCount).toBe(42);
    expect(entries[1]?.lastError).toBeNull();
    expect(entries[1]?.fields['TlsDomain']).toBe('');
  });

  it('reads a flush-left Get-Message paste and starts a new block when a property repeats', async () => {
    const buf = fixture('get-message-fl-paste.txt');
    const { entries, stats } = await read(buf, 'message-list');
    expectAccounted(stats, buf.toString('utf8'));
    expect(entries.map((e) => [e.kind, e.identity, e.messageCount])).toEqual([
      ['message', 'EX04\\19\\21474836500', 1],
      ['message', 'EX04\\19\\21474836501', 1],
    ]);
    expect(classifyReply(entries[0]?.lastError?.innermost ?? '')).toEqual({ category: 'legacy-tls', detail: '421 4.7.66' });
    expect(entries[0]?.time?.iso).toBe('2025-11-13T08:15:00');
  });

  it('splits blocks without blank lines on the first property name coming back', async () => {
    const text = 'Identity : EX01\\1\nStatus : Retry\nDeliveryType : DnsConnectorDelivery\nMessageCount : 2\nIdentity : EX01\\2\nStatus : Ready\nDeliveryType : DnsConnectorDelivery\nMessageCount : 0';
    const { entries, stats } = await read(Buffer.from(text), 'queue-list');
    expectAccounted(stats, text);
    expect(entries.map((e) => [e.identity, e.messageCount])).toEqual([
      ['EX01\\1', 2],
      ['EX01\\2', 0],
    ]);
  });

  it('counts text before the first property as malformed', async () => {
    const text = 'some words\nIdentity : EX01\\1\nStatus : Retry\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-list');
    expectAccounted(stats, text);
    expect(entries).toHaveLength(1);
    expect(stats.skipped['malformed-row']).toBe(1);
    expect(stats.problems[0]?.line).toBe(1);
  });
});

describe('readQueueExport: Format-List values wrapped at the line width', () => {
  const SOCKET = '[{LRT=10-11-2025 09:41:07};{LED=451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to SocketError};{FQDN=contoso-com.mail.protection.outlook.com};{IP=104.47.17.106}]';
  const STARTTLS = '[{LRT=10-11-2025 09:42:00};{LED=451 4.4.0 Primary target IP address responded with: "451 5.7.3 STARTTLS is required to send mail." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts. The last endpoint attempted was 203.0.113.30:25};{FQDN=mx.fabrikam.com};{IP=203.0.113.30}]';

  /** A console Format-List block whose LastError is cut at exactly `width` − 1 characters a line (nl-NL, sv-SE…). */
  function cutAt(value: string, width: number): string {
    const label = 'LastError                : ';
    const room = width - 1 - label.length;
    const lines = [];
    for (let i = 0; i < value.length; i += room) lines.push(`${i === 0 ? label : ' '.repeat(label.length)}${value.slice(i, i + room)}`);
    return ['Identity                 : EX01\\13', 'NextHopDomain            : contoso.com', ...lines, 'Status                   : Retry', ''].join('\r\n');
  }

  it('rejoins values cut mid-word (nl-NL, width 120) without a space: 4.4.2, STARTTLS and the IP come back', async () => {
    const buf = fixture('fl-nl-midword.txt');
    const { entries, stats } = await read(buf, 'queue-list', 13);
    expectAccounted(stats, buf.toString('utf8'));
    expect(entries.map((e) => e.lastError?.raw)).toEqual([SOCKET, STARTTLS]);
    expect(entries.map((e) => classifyReply(e.lastError!.innermost)?.category)).toEqual(['socket-error', 'starttls-required']);
    expect(entries.map((e) => e.lastError?.ip)).toEqual(['104.47.17.106', '203.0.113.30']);
  });

  it('rejoins a word longer than the value column (en-US, width 80) without a space, and keeps the word breaks', async () => {
    const buf = fixture('fl-en-80.txt');
    const { entries, stats } = await read(buf, 'queue-list');
    expectAccounted(stats, buf.toString('utf8'));
    expect(entries[0]?.lastError?.raw).toBe(SOCKET.replace('10-11-2025 09:41:07', '11/10/2025 9:41:07 AM'));
    expect([entries[0]?.lastError?.fqdn, entries[0]?.lastError?.ip]).toEqual(['contoso-com.mail.protection.outlook.com', '104.47.17.106']);
  });

  it('keeps one space at every break of word-wrapped text (en-US, width 120, no line reaches the edge)', async () => {
    const buf = fixture('fl-en-wordwrap.txt');
    const { entries, stats } = await read(buf, 'queue-list');
    expectAccounted(stats, buf.toString('utf8'));
    expect(entries.map((e) => e.lastError?.raw)).toEqual([SOCKET, STARTTLS]);
  });

  it('learns a width that is not a usual console width from lines that all break at it', async () => {
    const text = cutAt(STARTTLS, 100) + cutAt(SOCKET, 100);
    const { entries } = await read(Buffer.from(text), 'queue-list');
    expect(entries.map((e) => e.lastError?.raw)).toEqual([STARTTLS, SOCKET]);
  });

  it('keeps the space of a word that ends exactly at the edge, whether the trailing space was kept or trimmed', async () => {
    // Width 80: 27 columns of name, 52 of value. `dropped ` fills the first line up to column 79 exactly.
    const first = 'LastError                : 451 4.4.397 Failure -> 421 4.4.2 Connection dropped ';
    expect(first).toHaveLength(79);
    const rest = '                           due to SocketError';
    const expected = '451 4.4.397 Failure -> 421 4.4.2 Connection dropped due to SocketError';
    // Another line reaches the edge, so the width (80) is known in both cases.
    const wide = `NextHopDomain            : ${'a'.repeat(48)}.com`;
    expect(wide).toHaveLength(79);
    for (const head of [first, first.trimEnd()]) {
      const { entries } = await read(Buffer.from(`Identity                 : EX01\\13\r\n${wide}\r\n${head}\r\n${rest}\r\n`), 'queue-list');
      expect(entries[0]?.lastError?.raw).toBe(expected);
    }
  });

  it('keeps the space that a cut put at the start of the next line (indented one deeper than the value column)', async () => {
    // Cut at width 80 right before a space: the next console line starts with it.
    const value = '421 4.4.2 Connection dropped due to SocketError from mx.contoso.com';
    const text = cutAt(value, 80);
    expect(text.split('\r\n')[3]).toBe(' '.repeat(28) + 'mx.contoso.com');
    const { entries } = await read(Buffer.from(text), 'queue-list');
    expect(entries[0]?.lastError?.raw).toBe(value);
  });
});

describe('readQueueExport: other kinds', () => {
  it('refuses a kind that is not a queue export, without reading', async () => {
    const { entries, stats } = await read(Buffer.from('x\n'), 'smtp-send');
    expect(entries).toEqual([]);
    expect(stats.error).toMatch(/not a queue/);
    expect(stats.lines).toBe(0);
  });
});

describe('readQueueExport: hostile column names', () => {
  it('keeps a __proto__ column as a plain field', async () => {
    const text = '"Identity","__proto__","Status","Status"\n"EX01\\1","{""polluted"":1}","Retry","Ready"\n';
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expectAccounted(stats, text);
    const fields = entries[0]?.fields ?? {};
    expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
    expect(Object.keys(fields)).toEqual(['Identity', '__proto__', 'Status']);
    expect(fields['__proto__']).toBe('{"polluted":1}');
    expect(entries[0]?.status).toBe('Retry');
  });
});

describe('a source that fails part way (a cut .gz)', () => {
  /** Chunks of `buf`, then the error a cut gzip stream gives. */
  async function* failingAfter(buf: Buffer, size: number): AsyncGenerator<Buffer> {
    yield* chunked(buf, size);
    throw Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' });
  }

  const cases: Array<[string, Buffer, InputKind]> = [
    ['Export-Csv', Buffer.concat([sample('EX01-get-queue.csv'), ...Array.from({ length: 400 }, () => Buffer.from(sample('EX01-get-queue.csv').toString('utf8').split('\n').slice(2).join('\n')))]), 'queue-csv'],
    ['Format-List', Buffer.concat(Array.from({ length: 400 }, () => fixture('get-queue-fl-console.txt'))), 'queue-list'],
  ];
  for (const [name, whole, kind] of cases) {
    it(`${name}: keeps and counts every line before the failure, and says where it failed`, async () => {
      const cut = whole.subarray(0, Math.floor(whole.length / 2));
      const stats = emptyStats('in');
      const entries: QueueEntry[] = [];
      for await (const batch of readQueueExport(failingAfter(cut, 4096), stats, kind)) entries.push(...batch);
      const skipped = Object.values(stats.skipped).reduce((a, b) => a + (b ?? 0), 0);
      expect(stats.lines).toBe(stats.records + skipped);
      expect(stats.lines).toBe(physicalLines(cut.toString('utf8')));
      expect(entries.length).toBe(stats.records);
      // As many entries as the same bytes give when nothing fails, give or take the entry cut in two.
      const clean = await read(cut, kind, 4096);
      expect(Math.abs(entries.length - clean.entries.length)).toBeLessThanOrEqual(1);
      expect(entries.length).toBeGreaterThan(100);
      expect(stats.error).toBe(`read error after line ${stats.lines}: corrupt gzip data (unexpected end of file)`);
    });
  }
});

describe('MessageCount values that are not a number of messages', () => {
  const rows: Array<[string, number]> = [
    ['1,204', 1204],
    ['1.204', 1204],
    ['1 234 567', 1234567],
    ["1'234", 1234],
    ['0', 0],
    ['', 0],
    ['-5', 0],
    ['1e400', 0],
    ['NaN', 0],
    ['9'.repeat(30), 0],
    ['1.5', 0],
    ['1,23', 0],
  ];
  const text = ['"Identity","Status","MessageCount"', ...rows.map(([count], i) => `"EX01\\${i + 1}","Retry","${count}"`)].join('\r\n');

  it('keeps the queue with 0 messages and names the line and the value in a problem', async () => {
    const { entries, stats } = await read(Buffer.from(text), 'queue-csv');
    expectAccounted(stats, text);
    expect(entries.map((e) => e.messageCount)).toEqual(rows.map(([, n]) => n));
    expect(stats.problems.map((p) => [p.line, p.reason])).toEqual([8, 9, 10, 11, 12, 13].map((line) => [line, 'invalid-message-count']));
    expect(stats.problems[0]?.message).toBe('MessageCount "-5" is not a number of messages: the queue is kept, with 0 messages');
    expect(stats.problems[3]?.message).toBe(`MessageCount "${'9'.repeat(30)}" is not a number of messages: the queue is kept, with 0 messages`);
  });

  it('does the same in Format-List text', async () => {
    const fl = 'Identity     : EX01\\1\nDeliveryType : DnsConnectorDelivery\nMessageCount : 1e400\n\nIdentity     : EX01\\2\nDeliveryType : DnsConnectorDelivery\nMessageCount : 12\n';
    const { entries, stats } = await read(Buffer.from(fl), 'queue-list');
    expect(entries.map((e) => [e.identity, e.messageCount])).toEqual([['EX01\\1', 0], ['EX01\\2', 12]]);
    expect(stats.problems).toEqual([expect.objectContaining({ line: 1, reason: 'invalid-message-count' })]);
  });
});
