import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseProtocolText, readProtocolRows } from '../src/read/protocol.js';
import { emptyStats } from '../src/read/stats.js';
import { SessionAssembler } from '../src/sessions/builder.js';
import { summarizeSession, advertisesStartTls } from '../src/sessions/facts.js';
import { parseEndpoint } from '../src/sessions/endpoint.js';
import { parseCompactCertificate, parseTlsSuccess, protocolVersion } from '../src/sessions/tls.js';
import type { LogRecord, Session } from '../src/types.js';
import { rows, session } from './helpers/rows.js';

const RECEIVE_TLS12 = `
+,,
*,SMTPSubmit SMTPAcceptAnySender,Set Session Permissions
>,"220 EX01.contoso.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 10:00:00 +0100",
<,EHLO mail.partner.example,
>,250  EX01.contoso.com Hello [203.0.113.10] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES STARTTLS X-ANONYMOUSTLS AUTH NTLM 8BITMIME BINARYMIME CHUNKING,
<,STARTTLS,
>,220 2.0.0 SMTP server ready,
*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits"
<,EHLO mail.partner.example,
>,250  EX01.contoso.com Hello [203.0.113.10] SIZE 37748736 PIPELINING DSN ENHANCEDSTATUSCODES AUTH NTLM 8BITMIME BINARYMIME CHUNKING,
<,MAIL FROM:<a@partner.example> SIZE=1000,
<,RCPT TO:<b@contoso.com>,
>,250 2.1.0 Sender OK,
>,250 2.1.5 Recipient OK,
<,BDAT 1000 LAST,
>,250 2.6.0 <id@partner.example> [InternalId=1] Queued mail for delivery,
<,QUIT,
>,221 2.0.0 Service closing transmission channel,
-,,Local
`;

function one(records: LogRecord[], direction: 'send' | 'receive' | null = 'receive'): Session {
  const a = new SessionAssembler({ origin: 'o', direction, serverHint: null });
  const out = [...a.add(records), ...a.end()];
  expect(out).toHaveLength(1);
  return out[0]!;
}

describe('session facts', () => {
  it('answers commands in order across a long session, queues at most 64, and starts each session with none waiting', () => {
    const noops = (n: number): string => Array.from({ length: n }, () => '<,NOOP,\n>,250 2.0.0 OK,').join('\n');
    // 200 answered commands (the queue goes round many times), then STARTTLS and its go-ahead.
    expect(one(session('08DE0000000000E1', `+,,\n${noops(200)}\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,\n-,,Local`)).starttlsAccepted).toBe(true);
    // 64 commands pipelined, then STARTTLS: the 65th is not queued, so the 65th answer answers nothing.
    const pipelined = (n: number): string => `+,,\n${'<,RCPT TO:<a@b.example>,\n'.repeat(n)}<,STARTTLS,\n${'>,250 2.1.5 OK,\n'.repeat(n)}>,220 2.0.0 SMTP server ready,\n-,,Local`;
    expect(one(session('08DE0000000000E2', pipelined(63))).starttlsAccepted).toBe(true);
    expect(one(session('08DE0000000000E3', pipelined(64))).starttlsAccepted).toBe(false);
    // A session that ends with a command unanswered leaves nothing for the next one of the log set.
    const a = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null });
    const out = [
      ...a.add(session('08DE0000000000E4', '+,,\n<,STARTTLS,\n-,,Local')),
      ...a.add(session('08DE0000000000E5', '+,,\n<,NOOP,\n>,220 2.0.0 SMTP server ready,\n-,,Local')),
      ...a.end(),
    ];
    expect(out.map((x) => x.starttlsAccepted)).toEqual([false, false]);
  });

  it('gives every session its own lists, empty or not, and keeps at most 64 distinct EHLO names in order', () => {
    const names = Array.from({ length: 80 }, (_, i) => `<,EHLO host${i % 70}.example,`).join('\n');
    const many = one(session('08DE0000000000F1', `+,,\n${names}\n-,,Local`));
    expect(many.remoteNames).toEqual(Array.from({ length: 64 }, (_, i) => `host${i}.example`));
    const a = one(session('08DE0000000000F2', '+,,\n-,,Local'));
    const b = one(session('08DE0000000000F3', '+,,\n-,,Local'));
    expect([a.remoteNames, a.certificates, a.tlsErrors]).toEqual([[], [], []]);
    expect(a.remoteNames).not.toBe(b.remoteNames);
    expect(a.certificates).not.toBe(b.certificates);
    expect(a.tlsErrors).not.toBe(b.tlsErrors);
  });

  it('reads a healthy TLS 1.2 receive session', () => {
    const s = one(session('08DE0000000000A1', RECEIVE_TLS12));
    expect(s.direction).toBe('receive');
    expect(s.server).toBe('EX01');
    expect(s.remote).toEqual({ ip: '203.0.113.10', port: 51234, raw: '203.0.113.10:51234' });
    expect(s.remoteNames).toEqual(['mail.partner.example']);
    expect(s.starttlsAdvertised).toBe(true);
    expect(s.starttlsIssued).toBe(true);
    expect(s.starttlsAccepted).toBe(true);
    expect(s.tls).toMatchObject({ version: 'TLS1.2', protocol: 'SP_PROT_TLS1_2_SERVER', cipher: 'CALG_AES_256', cipherStrength: 256, keyExchange: 'CALG_ECDHE' });
    expect(s.mailAccepted).toBe(true);
    expect(s.quit).toBe(true);
    expect(s.disconnect).toBe('Local');
    expect(s.complete).toBe(true);
    expect(s.endReason).toBe('disconnect');
    expect(s.start).toBe('2025-11-10T09:00:00.000Z');
    expect(s.end).toBe('2025-11-10T09:00:18.000Z');
  });

  it('takes the remote host of a send session from the banner', () => {
    const s = one(
      session(
        '08DE0000000000B1',
        `*,SendRoutingHeaders,Set Session Permissions
         *,,attempting to connect
         +,,
         <,220 mx.partner.example ESMTP Postfix,
         >,EHLO EX01.contoso.com,
         <,250 mx.partner.example Hello EX01.contoso.com [198.51.100.7] SIZE 1000000 HELP ENHANCEDSTATUSCODES OK,
         >,MAIL FROM:<> SIZE=18019,
         <,250 2.1.0 Ok,
         >,QUIT,
         -,,Remote`,
        { connector: 'Internet Mail', remote: '198.51.100.25:25' },
      ),
      'send',
    );
    expect(s.remoteNames).toEqual(['mx.partner.example']);
    expect(s.server).toBeNull();
    expect(s.starttlsAdvertised).toBe(false);
    expect(s.tls).toBeNull();
    expect(s.mailAccepted).toBe(true);
  });

  it('counts pipelined MAIL replies and line-by-line EHLO replies (Exchange 2010 style)', () => {
    const s = one(
      session(
        '08D675E58CA1DA38',
        `+,,
         >,220 ex2010.contoso.com Microsoft ESMTP MAIL Service ready,
         <,EHLO printer01,
         >,250-ex2010.contoso.com Hello [10.1.1.50],
         >,250-SIZE,
         >,250-STARTTLS,
         >,250 CHUNKING,
         <,STARTTLS,
         >,220 2.0.0 SMTP server ready,
         <,EHLO printer01,
         >,250 ex2010.contoso.com Hello [10.1.1.50],
         <,MAIL FROM:<scan@contoso.com>,
         <,RCPT TO:<x@contoso.com>,
         >,250 2.1.0 Sender OK,
         >,250 2.1.5 Recipient OK,
         -,,Remote`,
      ),
    );
    expect(s.starttlsAdvertised).toBe(true);
    expect(s.starttlsAccepted).toBe(true);
    // Exchange 2010 logs no TLS protocol row: TLS of unknown version.
    expect(s.tls?.version).toBe('unknown');
    expect(s.tls?.protocol).toBeNull();
    expect(s.mailAccepted).toBe(true);
  });

  it('reads the AUTH user of a successful login (`<user>,authenticated`)', () => {
    const s = one(session('08DE0000000000C1', `+,,\n<,AUTH LOGIN,\n>,334 VXNlcm5hbWU6,\n*,scanner@contoso.com,authenticated\n>,235 2.7.0 Authentication successful,\n-,,Remote`));
    expect(s.authUser).toBe('scanner@contoso.com');
  });

  it('reads multi-row certificates, failure names and AUTH users', () => {
    const s = one(
      session(
        '08D50D3D9730A8D2',
        `*,,Sending certificate
         *,"CN=*.contoso.com, OU=IT, O=Contoso",Certificate subject
         *,"CN=Issuing CA 5, O=Corp, C=US",Certificate issuer name
         *,0123456789,Certificate serial number
         *,ABCDEF0123456789ABCDEF0123456789ABCDEF01,Certificate thumbprint
         *,*.contoso.com;contoso.com,Certificate alternate names
         *,,TLS negotiation failed with error UnknownCredentials
         *,,User Name: scanner@contoso.com`,
        { connector: 'Outbound to Office 365', remote: '104.47.55.110:25' },
      ),
      'send',
    );
    expect(s.certificates).toEqual([
      {
        role: 'Sending certificate', subject: 'CN=*.contoso.com, OU=IT, O=Contoso', issuer: 'CN=Issuing CA 5, O=Corp, C=US',
        serial: '0123456789', thumbprint: 'ABCDEF0123456789ABCDEF0123456789ABCDEF01', notBefore: null, notAfter: null,
        alternateNames: ['*.contoso.com', 'contoso.com'],
      },
    ]);
    expect(s.tlsErrors).toEqual(['UnknownCredentials']);
    expect(s.authUser).toBe('scanner@contoso.com');
    expect(s.complete).toBe(false);
    expect(s.endReason).toBe('end-of-input');
  });
});

describe('TLS and endpoint parsing', () => {
  it.each([
    ['SP_PROT_TLS1_2_SERVER', 'TLS1.2'],
    ['SP_PROT_TLS1_0_CLIENT', 'TLS1.0'],
    ['SP_PROT-TLS1_1_CLIENT', 'TLS1.1'],
    ['SP_PROT_SSL3_SERVER', 'SSL3'],
    ['SP_PROT_TLS1_3_SERVER', 'TLS1.3'],
    ['TLS1_3', 'TLS1.3'],
    ['4096', 'TLS1.3'],
    ['8192', 'TLS1.3'],
    ['64', 'TLS1.0'],
    ['2048', 'TLS1.2'],
    ['SP_PROT_WHATEVER', 'unknown'],
  ])('maps %s to %s', (protocol, version) => {
    expect(protocolVersion(protocol)).toBe(version);
    expect(parseTlsSuccess(`TLS protocol ${protocol} negotiation succeeded`)?.version).toBe(version);
  });

  it('splits endpoints on the last colon', () => {
    expect(parseEndpoint('2001:db8::25:25')).toMatchObject({ ip: '2001:db8::25', port: 25 });
    expect(parseEndpoint('[2001:db8::1]:587')).toMatchObject({ ip: '2001:db8::1', port: 587 });
    expect(parseEndpoint('fe80::1%3:25')).toMatchObject({ ip: 'fe80::1', port: 25 });
    expect(parseEndpoint('x.x.x.x:25')).toMatchObject({ ip: 'x.x.x.x', port: 25 });
    expect(parseEndpoint('InternalIPOfMyMailServer:10437')).toMatchObject({ ip: 'InternalIPOfMyMailServer', port: 10437 });
    expect(parseEndpoint('')).toBeNull();
    // Ports: 1 to 5 digits up to 65535, leading zeros allowed; anything else stays part of the host.
    expect(parseEndpoint('203.0.113.5:00025')).toMatchObject({ ip: '203.0.113.5', port: 25 });
    expect(parseEndpoint('203.0.113.5:65535')).toMatchObject({ ip: '203.0.113.5', port: 65535 });
    expect(parseEndpoint('203.0.113.5:65536')).toMatchObject({ ip: '203.0.113.5:65536', port: null });
    expect(parseEndpoint('203.0.113.5:123456')).toMatchObject({ ip: '203.0.113.5:123456', port: null });
    expect(parseEndpoint('203.0.113.5:2x')).toMatchObject({ ip: '203.0.113.5:2x', port: null });
    expect(parseEndpoint('203.0.113.5:')).toMatchObject({ ip: '203.0.113.5:', port: null });
    expect(parseEndpoint('[2001:db8::1]:')).toMatchObject({ ip: '2001:db8::1', port: null });
    expect(parseEndpoint('[2001:db8::1]:0')).toMatchObject({ ip: '2001:db8::1', port: 0 });
  });

  it('treats STARTTLS as a whole token', () => {
    expect(advertisesStartTls('250  EX01 Hello [1.2.3.4] SIZE PIPELINING STARTTLS X-ANONYMOUSTLS AUTH')).toBe(true);
    expect(advertisesStartTls('250-STARTTLS')).toBe(true);
    expect(advertisesStartTls('250 STARTTLS')).toBe(true);
    expect(advertisesStartTls('250  EX01 Hello [1.2.3.4] SIZE X-ANONYMOUSTLS AUTH')).toBe(false);
    expect(advertisesStartTls('250 XSTARTTLSX')).toBe(false);
  });

  it('splits the compact 2016+ certificate row from the right', () => {
    const cert = parseCompactCertificate(
      'Sending certificate',
      ' CN=SERVER-HOSTNAME CN=SERVER-HOSTNAME 12DEABC6565646512346ABDC13456894 12DEABC6565646512346ABDC1345689413589876 2020-01-17T15:15:33.000Z 2025-01-17T15:15:33.000Z SERVER-HOSTNAME;SERVER-HOSTNAME.DOMAIN.TEST',
    );
    expect(cert).toEqual({
      role: 'Sending certificate', subject: 'CN=SERVER-HOSTNAME', issuer: 'CN=SERVER-HOSTNAME',
      serial: '12DEABC6565646512346ABDC13456894', thumbprint: '12DEABC6565646512346ABDC1345689413589876',
      notBefore: '2020-01-17T15:15:33.000Z', notAfter: '2025-01-17T15:15:33.000Z',
      alternateNames: ['SERVER-HOSTNAME', 'SERVER-HOSTNAME.DOMAIN.TEST'],
    });
    const dn = parseCompactCertificate('Remote certificate', ' CN=mail.contoso.com, O=Contoso Ltd, C=GB CN=DigiCert Global G2, O=DigiCert Inc, C=US 01AB 0A0B 2025-01-01T00:00:00.000Z 2026-01-01T00:00:00.000Z mail.contoso.com');
    expect(dn.subject).toBe('CN=mail.contoso.com, O=Contoso Ltd, C=GB');
    expect(dn.issuer).toBe('CN=DigiCert Global G2, O=DigiCert Inc, C=US');
  });

  it('stays linear on a long hostile certificate row', () => {
    const data = ' ' + 'a '.repeat(200_000) + '= 1 2 3 2020-01-01T00:00:00Z 2021-01-01T00:00:00Z x';
    const t = performance.now();
    parseCompactCertificate('Sending certificate', data);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

describe('session assembler', () => {
  it('separates interleaved sessions and keeps them whole across batches (rotated files)', () => {
    const a = session('A000000000000001', RECEIVE_TLS12, { remote: '203.0.113.1:1000' });
    const b = session('B000000000000002', RECEIVE_TLS12, { remote: '203.0.113.2:2000' });
    const mixed: LogRecord[] = [];
    for (let i = 0; i < a.length; i++) mixed.push(a[i]!, b[i]!);
    const asm = new SessionAssembler({ origin: 'EX01|receive', direction: 'receive', serverHint: null }, { keepRows: 'all' });
    const half = Math.floor(mixed.length / 2);
    const first = asm.add(mixed.slice(0, half));
    expect(first).toHaveLength(0);
    expect(asm.openSessions).toBe(2);
    const second = asm.add(mixed.slice(half));
    expect(second.map((s) => s.sessionId).sort()).toEqual(['A000000000000001', 'B000000000000002']);
    for (const s of second) {
      expect(s.rows).toBe(a.length);
      expect(s.records.map((r) => r.line)).toEqual((s.sessionId === a[0]!.sessionId ? a : b).map((r) => r.line));
      expect(s.tls?.version).toBe('TLS1.2');
    }
    expect(asm.openSessions).toBe(0);
  });

  it('gives a reused session id a new key after the disconnect', () => {
    const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null });
    const out = [...asm.add(session('C000000000000003', RECEIVE_TLS12)), ...asm.add(session('C000000000000003', RECEIVE_TLS12, { start: '2025-11-10T11:00:00.000Z' }))];
    expect(out.map((s) => s.key)).toEqual(['o|C000000000000003', 'o|C000000000000003#1']);
  });

  it('flushes the oldest sessions as incomplete when the cap is reached, losing none', () => {
    const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null }, { maxOpenSessions: 100 });
    const all: Session[] = [];
    const n = 5000;
    // Every session opens, then all of them get a second row: far more open at once than the cap.
    const open = (i: number) => rows(`2025-11-10T09:00:00.000Z,EX01\\R,S${String(i).padStart(15, '0')},0,10.0.0.5:25,203.0.113.9:${1000 + (i % 60000)},+,,`);
    for (let i = 0; i < n; i++) all.push(...asm.add(open(i)));
    expect(asm.openSessions).toBeLessThanOrEqual(100);
    all.push(...asm.end());
    expect(all).toHaveLength(n);
    expect(new Set(all.map((s) => s.key)).size).toBe(n);
    expect(all.filter((s) => s.endReason === 'cap')).toHaveLength(n - 100);
    expect(all.every((s) => !s.complete)).toBe(true);
  });

  it('flushes sessions idle longer than the timeout (log time)', () => {
    const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null }, { idleTimeoutMs: 60_000 });
    const stale = session('D000000000000004', '+,,\n<,EHLO stale.example,', { start: '2025-11-10T09:00:00.000Z' });
    expect(asm.add(stale)).toHaveLength(0);
    // Enough later rows to trigger a sweep, two hours later.
    const later: LogRecord[] = [];
    for (let i = 0; i < 9000; i++) {
      later.push(...rows(`2025-11-10T11:00:00.000Z,EX01\\R,E${String(i).padStart(15, '0')},0,10.0.0.5:25,203.0.113.9:25,-,,Remote`));
    }
    const out = asm.add(later);
    const flushed = out.find((s) => s.sessionId === 'D000000000000004');
    expect(flushed?.endReason).toBe('idle');
    expect(flushed?.complete).toBe(false);
    expect(asm.openSessions).toBe(0);
  });

  it('decides direction per session from the rows when the header is missing', () => {
    const recs = session('F000000000000005', '+,,\n<,220 mx.example ESMTP,\n>,EHLO EX01.contoso.com,\n<,250 mx.example Hello,', { connector: 'Internet Mail', remote: '198.51.100.1:25' });
    expect(one(recs, null).direction).toBe('send');
  });

  it('derives facts purely: the same rows give the same session', () => {
    const recs = session('A100000000000001', RECEIVE_TLS12);
    const meta = { key: 'k', origin: 'o', direction: 'receive' as const, serverHint: null, complete: true, endReason: 'disconnect' as const };
    expect(summarizeSession(recs, meta)).toEqual(summarizeSession(recs, meta));
  });
});

describe('100,000 sessions open at once', () => {
  it('are flushed by the cap and the idle timeout as incomplete, none lost, memory bounded by the cap', () => {
    const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null }, { maxOpenSessions: 50_000, idleTimeoutMs: 10 * 60_000 });
    const record = (i: number, time: string, event: LogRecord['event']): LogRecord => ({
      source: 'big.LOG', line: i + 1, time, connector: 'EX01\\Default Frontend EX01', sessionId: `S${String(i).padStart(15, '0')}`,
      sequence: 0, local: '10.0.0.5:25', remote: `198.51.100.${i % 250}:${1024 + (i % 60000)}`, event, data: '', context: '',
    });
    const out: Session[] = [];
    let peakOpen = 0;
    for (let i = 0; i < 100_000; i += 1000) {
      const batch: LogRecord[] = [];
      for (let j = i; j < i + 1000; j++) batch.push(record(j, '2025-11-10T09:00:00.000Z', '+'));
      out.push(...asm.add(batch));
      peakOpen = Math.max(peakOpen, asm.openSessions);
    }
    expect(peakOpen).toBe(50_000);
    expect(out.filter((s) => s.endReason === 'cap')).toHaveLength(50_000);
    // An hour later in log time, the rest has been idle for longer than the timeout.
    const later: LogRecord[] = [];
    for (let j = 0; j < 9000; j++) later.push({ ...record(200_000 + j, '2025-11-10T10:00:00.000Z', '-'), context: 'Local' });
    out.push(...asm.add(later), ...asm.end());
    // The first new session arrives while 50,000 are open: the cap hands on the oldest before the idle sweep,
    // which runs after the batch and takes the other 49,999.
    expect(out.filter((s) => s.endReason === 'cap')).toHaveLength(50_001);
    expect(out.filter((s) => s.endReason === 'idle')).toHaveLength(49_999);
    expect(out.filter((s) => s.endReason === 'disconnect')).toHaveLength(9000);
    expect(asm.openSessions).toBe(0);
    const ids = new Set(out.map((s) => s.key));
    expect(ids.size).toBe(109_000);
    expect(out.filter((s) => !s.complete)).toHaveLength(100_000);
  });
});

describe("finding a row's open session by the hash of its id", () => {
  // More sessions open at once than the id cache has slots, so slots are shared; ids reused after their session
  // ended; ids with non-ASCII characters (UTF-8 bytes in the log), and two ids of equal length that differ only
  // in their last character.
  const ids: string[] = [];
  for (let i = 0; i < 6000; i++) ids.push(`08DE${i.toString(16).toUpperCase().padStart(12, '0')}`);
  ids.push('SESSIÖN-1', 'SESSIÖN-2', 'Ã\u0084x');
  const line = (id: string, seq: number, event: string, data = '') =>
    `2025-11-10T09:00:00.000Z,EX01\\Default Frontend EX01,${id},${seq},10.0.1.21:25,203.0.113.9:40000,${event},${data},`;
  const lines: string[] = [
    '#Software: Microsoft Exchange Server',
    '#Log-type: SMTP Receive Protocol Log',
    '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
  ];
  // Round-robin: every session starts, then every one gets a reply, then every one ends; then the first 100
  // ids are used again by new sessions of 2 rows.
  for (const id of ids) lines.push(line(id, 0, '+'));
  for (const id of ids) lines.push(line(id, 1, '>', `220 ${id}`));
  for (const id of ids) lines.push(line(id, 2, '-'));
  for (const id of ids.slice(0, 100)) lines.push(line(id, 0, '+'));
  for (const id of ids.slice(0, 100)) lines.push(line(id, 1, '-'));
  const text = `${lines.join('\r\n')}\r\n`;

  function check(sessions: Session[]): void {
    expect(sessions).toHaveLength(ids.length + 100);
    expect(new Set(sessions.map((s) => s.key)).size).toBe(sessions.length);
    const first = sessions.slice(0, ids.length);
    expect(first.map((s) => s.sessionId)).toEqual(ids);
    for (const s of first) {
      expect(s.rows).toBe(3);
      expect(s.endReason).toBe('disconnect');
      // The reply row went to its own session: the banner names the session's id.
      expect(s.records.find((r) => r.event === '>')?.data).toBe(`220 ${s.sessionId}`);
    }
    const again = sessions.slice(ids.length);
    expect(again.map((s) => s.sessionId)).toEqual(ids.slice(0, 100));
    expect(again.every((s) => s.rows === 2 && s.key.endsWith('#1'))).toBe(true);
  }

  it('from records (library path)', () => check(sessionsFromRecords(text)));
  it("from the reader's lazy rows (scan path)", async () => check(await sessionsFromRows(text)));
});

describe('session start and end', () => {
  // Rows written out of time order (clock steps, merged copies): start and end are the earliest and latest
  // times, not the first and last rows'.
  const line = (id: string, time: string, seq: number, event: string) =>
    `${time},EX01\\Default Frontend EX01,${id},${seq},10.0.1.21:25,203.0.113.9:40000,${event},${event === '>' ? '220 ready' : ''},`;
  const text = [
    '#Software: Microsoft Exchange Server',
    '#Log-type: SMTP Receive Protocol Log',
    '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
    line('A', '2025-11-10T09:00:05.000Z', 0, '+'),
    line('A', '2025-11-10T09:00:01.000Z', 1, '>'),
    line('A', '2025-11-10T09:00:09.000Z', 2, '>'),
    line('A', '2025-11-10T09:00:03.000Z', 3, '-'),
    line('B', '2025-11-10T09:00:01.500Z', 0, '+'),
    line('B', '2025-11-10T09:00:02.000Z', 1, '>'),
    line('B', '2025-11-10T09:00:07.250Z', 2, '-'),
  ].join('\r\n') + '\r\n';

  function check(sessions: Session[]): void {
    expect(sessions.map((s) => [s.sessionId, s.start, s.end])).toEqual([
      ['A', '2025-11-10T09:00:01.000Z', '2025-11-10T09:00:09.000Z'],
      ['B', '2025-11-10T09:00:01.500Z', '2025-11-10T09:00:07.250Z'],
    ]);
  }

  it('from records', () => check(sessionsFromRecords(text)));
  it('from lazy rows', async () => check(await sessionsFromRows(text)));
});

/** Sessions of a receive log through records, as a library user builds them. */
function sessionsFromRecords(text: string): Session[] {
  const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null });
  return [...asm.add(parseProtocolText(text).records), ...asm.end()];
}

/** Sessions of a receive log through the reader's lazy rows, as scan() builds them. */
async function sessionsFromRows(text: string): Promise<Session[]> {
  const asm = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null });
  const out: Session[] = [];
  await readProtocolRows(Readable.from([Buffer.from(text, 'utf8')]), emptyStats('t'), (row) => asm.addRow(row, out));
  return [...out, ...asm.end()];
}

describe('compact certificate rows read on the bytes', () => {
  const cert = (n: number) =>
    ` CN=mx${n}.contoso.com, O=Contoso CN=R11, O=Let's Encrypt, C=US 0C4F${n} 7B1E${n} 2025-02-11T00:00:00.000Z 2026-03-13T23:59:59.000Z mx${n}.contoso.com;autodiscover.contoso.com`;
  const LONG = 'Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names';
  /** One session per certificate row, each on its own time and id; `order` picks which certificate each one shows. */
  function log(order: number[], context: (i: number) => string = () => LONG): string {
    return order
      .map((n, i) => {
        const id = `08DE1B4B3344${String(i).padStart(4, '0')}`;
        const t = `2025-11-10T00:00:${String(i % 60).padStart(2, '0')}.000Z`;
        const row = (seq: number, event: string, data: string, ctx: string) => `${t},EX01\\Default Frontend EX01,${id},${seq},10.0.1.21:25,203.0.113.${i % 250}:4000,${event},${data},${ctx}`;
        return [row(0, '+', '', ''), row(1, '*', `"${cert(n)}"`, context(i)), row(2, '-', '', 'Local')].join('\n');
      })
      .join('\n') + '\n';
  }

  it('gives every session its own certificate, also when more certificates rotate than are kept recent', async () => {
    // Twelve certificates round robin and back again: more than the recent ones, so misses, evictions and hits mix.
    const order = Array.from({ length: 40 }, (_, i) => (i * 5) % 12);
    const text = log(order);
    for (const sessions of [sessionsFromRecords(text), await sessionsFromRows(text)]) {
      expect(sessions.map((s) => s.certificates.map((c) => c.thumbprint))).toEqual(order.map((n) => [`7B1E${n}`]));
      expect(sessions[0]!.certificates[0]).toEqual(parseCompactCertificate('Sending certificate', cert(order[0]!)));
      // Copies, not one shared object: a caller may edit a session's certificate.
      expect(sessions[12]!.certificates[0]).not.toBe(sessions[0]!.certificates[0]);
    }
  });

  it('reads a certificate row too long to cache the same way, each time', async () => {
    const long = `${cert(1).slice(0, -1)};${'x'.repeat(5000)}.contoso.com`;
    const text = log([1, 1]).replace(/"[^"]*"/g, `"${long}"`);
    for (const sessions of [sessionsFromRecords(text), await sessionsFromRows(text)]) {
      expect(sessions).toHaveLength(2);
      for (const s of sessions) expect(s.certificates).toEqual([parseCompactCertificate('Sending certificate', long)]);
      expect(sessions[1]!.certificates[0]!.alternateNames.at(-1)).toMatch(/^x{5000}\.contoso\.com$/);
    }
  });

  it('tells the compact row from the type row by characters, not bytes, near the bound', async () => {
    // Up to eight characters after `Sending certificate` is a type row: ` ééééééé` is eight characters but 15 bytes.
    const contexts = ['Sending certificate ééééééé', 'Sending certificate éééééééé', 'Sending certificate 1234567'];
    const text = log([1, 2, 3], (i) => contexts[i]!);
    const fromRecords = sessionsFromRecords(text);
    const fromRows = await sessionsFromRows(text);
    expect(fromRows.map((s) => s.certificates)).toEqual(fromRecords.map((s) => s.certificates));
    expect(fromRows.map((s) => s.certificates.length)).toEqual([0, 1, 0]);
  });
});

describe('a session that logs without end', () => {
  it('keeps the first 16 TLS errors and certificates, through the reader and through records', async () => {
    const head = '#Software: Microsoft Exchange Server\n#Version: 15.2.1544.4\n#Log-type: SMTP Receive Protocol Log\n#Date: 2026-11-28T00:00:00.000Z\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n';
    const row = (i: number, event: string, data: string, context: string) =>
      `2026-11-28T00:00:${String(i % 60).padStart(2, '0')}.000Z,EX01\\Default Frontend EX01,08DE1B4BA26E9999,${i},10.0.1.21:25,203.0.113.9:50000,${event},${data},${context}`;
    const lines = [row(0, '+', '', '')];
    for (let i = 1; i <= 2000; i++) {
      lines.push(row(i, '*', '', `TLS negotiation failed with error ${i === 1 ? 'UnknownCredentials' : `Error${i}`}`));
      lines.push(row(i, '*', `" CN=host${i}.example CN=Issuer ${i} 0C4F2A91 7B1E9C24F05AD3E8816C2F4B9A0D5E3C72F1A6B4 2025-02-11T00:00:00.000Z 2026-03-13T23:59:59.000Z host${i}.example"`, 'Received certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names'));
    }
    const text = head + lines.join('\n') + '\n';
    const sessions: Session[] = [];
    const assembler = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: 'EX01' }, {}, { lazyRecords: true });
    const done: Session[] = [];
    await readProtocolRows(Readable.from([Buffer.from(text)]), emptyStats('x.LOG'), (r) => assembler.addRow(r, done));
    sessions.push(...done, ...assembler.end());
    const [s] = sessions;
    expect(s!.rows).toBe(4001);
    expect(s!.tlsErrors).toHaveLength(16);
    expect(s!.tlsErrors[0]).toBe('UnknownCredentials');
    expect(s!.certificates).toHaveLength(16);
    expect(s!.certificates[0]!.subject).toBe('CN=host1.example');
    // Records (the library's path) keep the same.
    const fromRecords = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: 'EX01' });
    const [r] = [...fromRecords.add(parseProtocolText(text, 'x.LOG').records), ...fromRecords.end()];
    expect([r!.tlsErrors.length, r!.certificates.length]).toEqual([16, 16]);
  });
});

describe('a session id used again while open', () => {
  const head = '#Software: Microsoft Exchange Server\n#Version: 15.2.1544.4\n#Log-type: SMTP Receive Protocol Log\n#Date: 2026-11-28T00:00:00.000Z\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n';
  const at = (s: number) => `2026-11-28T00:00:${String(s).padStart(2, '0')}.000Z,EX01\\Default Frontend EX01,08DE1B4BA26E7777`;
  const text =
    head +
    [
      `${at(1)},0,10.0.1.21:25,10.1.1.1:50000,+,,`,
      `${at(2)},1,10.0.1.21:25,10.1.1.1:50000,<,EHLO alpha,`,
      // The first connection logs no end; the id comes again from another host.
      `${at(3)},0,10.0.1.21:25,10.2.2.2:50001,+,,`,
      `${at(4)},1,10.0.1.21:25,10.2.2.2:50001,<,EHLO beta,`,
      `${at(5)},2,10.0.1.21:25,10.2.2.2:50001,-,,Local`,
    ].join('\n') +
    '\n';

  const check = (sessions: Session[]) => {
    expect(sessions.map((s) => [s.remote?.ip, s.remoteNames, s.complete, s.endReason])).toEqual([
      ['10.1.1.1', ['alpha'], false, 'reconnect'],
      ['10.2.2.2', ['beta'], true, 'disconnect'],
    ]);
    expect(new Set(sessions.map((s) => s.key)).size).toBe(2);
  };

  it('makes two sessions, the first ended by the second connect row (records)', () => {
    const a = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: 'EX01' });
    check([...a.add(parseProtocolText(text, 'x.LOG').records), ...a.end()]);
  });

  it('makes two sessions through the reader too', async () => {
    const a = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: 'EX01' }, {}, { lazyRecords: true });
    const done: Session[] = [];
    await readProtocolRows(Readable.from([Buffer.from(text)]), emptyStats('x.LOG'), (r) => a.addRow(r, done));
    check([...done, ...a.end()]);
  });

  it('keeps a send session whose first row comes before its connect row whole', () => {
    const send = session('08DE1B4BA26E8888', `*,,attempting to connect\n+,,\n<,220 mx.example.com ESMTP,\n>,EHLO EX01.contoso.com,\n>,QUIT,\n<,221 bye,\n-,,Local`, { connector: 'Internet Mail', remote: '198.51.100.1:25' });
    const a = new SessionAssembler({ origin: 's', direction: 'send', serverHint: 'EX01' });
    const out = [...a.add(send), ...a.end()];
    expect(out.map((s) => [s.rows, s.complete])).toEqual([[7, true]]);
  });
});

describe('one row dated in the future', () => {
  it('does not stop the clock there: the sessions read after it are not ended as idle', () => {
    const at = (ms: number) => new Date(Date.parse('2025-11-10T00:00:00.000Z') + ms).toISOString();
    const row = (time: string, id: string, seq: number, remote: string, event: string, data: string) =>
      `${time},EX01\\Default Frontend EX01,${id},${seq},10.0.1.21:25,${remote},${event},${data},`;
    const lines = [row(at(0), '08DE00000000000A', 0, '198.51.100.1:1', '+', ''), row(at(1), '08DE00000000000B', 0, '198.51.100.2:2', '+', '')];
    // A clock-skewed or damaged row in session A; every row after it is dated as the others.
    lines.push(row('2099-11-10T00:00:00.000Z', '08DE00000000000A', 1, '198.51.100.1:1', '<', 'NOOP'));
    // More rows than the sweep interval (8,192), A's and B's in turn, a second apart: neither is silent for 15 minutes.
    for (let i = 0; i < 9000; i++) {
      const a = i % 2 === 0;
      lines.push(row(at(1000 * (i + 2)), a ? '08DE00000000000A' : '08DE00000000000B', i + 2, a ? '198.51.100.1:1' : '198.51.100.2:2', '<', 'NOOP'));
    }
    lines.push(row(at(1000 * 9100), '08DE00000000000A', 9100, '198.51.100.1:1', '-', ''));
    lines.push(row(at(1000 * 9101), '08DE00000000000B', 9101, '198.51.100.2:2', '-', ''));
    const a = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: 'EX01' });
    const sessions = [...a.add(parseProtocolText(lines.join('\n'), 'x.LOG').records), ...a.end()];
    expect(sessions.map((s) => [s.sessionId, s.complete, s.endReason])).toEqual([
      ['08DE00000000000A', true, 'disconnect'],
      ['08DE00000000000B', true, 'disconnect'],
    ]);
  });
});
