import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import type { Finding, LogRecord, Session } from '../src/types.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'logscan-keep-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Seen {
  facts: Omit<Session, 'records'>;
  findings: readonly Finding[];
}

/** Every session's facts and findings, keyed by session key, with `records` left out (that is what differs). */
async function sessionsOf(inputs: string[], keepRows: 'evidence' | 'all'): Promise<{ seen: Map<string, Seen>; kept: number; rows: number }> {
  const seen = new Map<string, Seen>();
  let kept = 0;
  let rows = 0;
  await scan(inputs, {
    sessions: { keepRows },
    onSession: (session, findings) => {
      const { records, ...facts } = session;
      kept += records.length;
      rows += session.rows;
      seen.set(session.key, { facts, findings });
    },
  });
  return { seen, kept, rows };
}

// The built-in rules only read the rows that `evidence` keeps; these tests hold that promise on every
// session we have: samples/, the real excerpts, and a generated log with every kind of session the generator knows.
describe('keepRows: evidence gives the same facts and findings as every row', () => {
  it.each([
    ['samples/', ['samples/']],
    ['real excerpts', ['test/fixtures/real/']],
  ])('%s', async (_name, inputs) => {
    const all = await sessionsOf(inputs, 'all');
    const evidence = await sessionsOf(inputs, 'evidence');
    expect(all.seen.size).toBeGreaterThan(3);
    expect(evidence.seen).toEqual(all.seen);
    expect(all.kept).toBe(all.rows);
  });

  it('a generated 3 MB receive log and send log (thousands of sessions)', async () => {
    for (const kind of ['receive', 'send']) {
      await run(process.execPath, ['bench/generate.mjs', '--single', join(dir, `${kind}.log`), '--size', '3MB', '--kind', kind, '--seed', '7']);
    }
    const inputs = [join(dir, 'receive.log'), join(dir, 'send.log')];
    const all = await sessionsOf(inputs, 'all');
    const evidence = await sessionsOf(inputs, 'evidence');
    expect(all.seen.size).toBeGreaterThan(1000);
    expect(evidence.seen).toEqual(all.seen);
    const findings = [...all.seen.values()].reduce((n, s) => n + s.findings.length, 0);
    expect(findings).toBeGreaterThan(100);
    // What `evidence` is for: far fewer rows held than read.
    expect(evidence.kept).toBeLessThan(evidence.rows * 0.6);
  });
});

describe('canonical times', () => {
  it('reads Exchange times as numbers, reuses the minute, and refuses anything it could not give back as the same text', async () => {
    const { canonicalFromBytes, canonicalTimeMs, newMinuteCache } = await import('../src/sessions/row.js');
    const cache = newMinuteCache();
    const times = ['2025-11-10T23:59:58.999Z', '2025-11-10T23:59:59.001Z', '2025-11-11T00:00:00.000Z', '2024-02-29T12:00:00.500Z', '2025-11-11T00:00:59.999Z'];
    for (const t of times) {
      const b = Buffer.from(`x,${t},y`);
      const ms = canonicalFromBytes(b, 2, 26, cache);
      expect(new Date(ms).toISOString()).toBe(t);
      expect(canonicalTimeMs(t)).toBe(ms);
    }
    for (const bad of ['2025-02-29T00:00:00.000Z', '2025-11-10T24:00:00.000Z', '2025-11-10T23:59:60.000Z', '2025-11-10 23:59:59.000Z', '2025-11-10T23:59:59Z', 'Date/Time.ConnectorId', '2025-11-10T23:59:5\u0130.000Z', '2025-11-10T23:59:6x.000Z', '2025-11-10Tx3:59:00.000Z', '2025-11-10T23:x9:00.000Z']) {
      expect(canonicalTimeMs(bad), bad).toBeNaN();
    }
    // Same minute as the cache, broken seconds: still refused.
    expect(canonicalFromBytes(Buffer.from('2025-11-11T00:00:6x.000Z'), 0, 24, cache)).toBeNaN();
  });

  it("gives each row of a reader's view its own time: minute reused, re-read after each split, refused as before", async () => {
    const { RowView, splitRow } = await import('../src/read/row-view.js');
    const { canonicalTimeMs } = await import('../src/sessions/row.js');
    const view = new RowView();
    view.map = { time: 0, connector: 1, sessionId: -1, sequence: -1, local: -1, remote: -1, event: -1, data: -1, context: -1, count: 2 } as never;
    // Same minute, next minute, back, broken seconds in the cached minute, other forms, then the minute again.
    const times = [
      '2025-11-10T23:59:58.999Z',
      '2025-11-10T23:59:59.001Z',
      '2025-11-11T00:00:00.000Z',
      '2025-11-10T23:59:01.500Z',
      '2025-11-10T23:59:6x.000Z',
      '2025-11-10T23:59:59Z',
      'Date/Time.ConnectorId',
      '',
      '2025-11-10T23:59:07.070Z',
    ];
    for (const t of times) {
      const buf = Buffer.from(`${t},c`);
      view.forgetCommas();
      splitRow(view, buf, 0, buf.length, 2, false);
      expect(view.ms, t).toBeNaN();
      view.readTime();
      const ms = view.ms;
      if (t === '2025-11-10T23:59:6x.000Z' || t === '2025-11-10T23:59:59Z' || t === 'Date/Time.ConnectorId' || t === '') expect(ms, t).toBeNaN();
      else expect(new Date(ms).toISOString()).toBe(t);
      // The whole parse (no cache) agrees, broken seconds included (it once read `6x` as -1 and gave a time).
      expect(Object.is(canonicalTimeMs(t), ms), t).toBe(true);
    }
  });

  it('reads the host of a send banner as the regex /^220[ -](\\S{1,255})/ did, space by space', async () => {
    const { bannerHost } = await import('../src/sessions/facts.js');
    const byRegex = (reply: string): string | null => /^220[ -](\S{1,255})/.exec(reply)?.[1] ?? null;
    // Every UTF-16 code unit after the name, and as the name's first character.
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      for (const reply of [`220 mx${ch}tail`, `220-${ch}x`]) expect(bannerHost(reply), `U+${c.toString(16)}`).toBe(byRegex(reply));
    }
    const piece = fc.constantFrom('220', ' ', '-', 'mx.example', '\t', '\u00a0', '\u3000', '\ufeff', 'é', 'x'.repeat(200), '');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (parts) => {
        const reply = parts.join('');
        expect(bannerHost(reply), reply).toBe(byRegex(reply));
      }),
      { numRuns: 3000 },
    );
    expect(bannerHost(`220 ${'a'.repeat(300)}`)).toBe('a'.repeat(255));
  });

  it('finds an advertised STARTTLS on the bytes exactly where the text test finds it', async () => {
    const { RowView, splitRow } = await import('../src/read/row-view.js');
    const { advertisesStartTls } = await import('../src/sessions/facts.js');
    const view = new RowView();
    view.map = { time: -1, connector: -1, sessionId: -1, sequence: -1, local: -1, remote: -1, event: -1, data: 0, context: 1, count: 2 } as never;
    const bytesSay = (data: string): boolean => {
      const buf = Buffer.from(`${data},c`);
      view.forgetCommas();
      splitRow(view, buf, 0, buf.length, 2, false);
      return view.dataAdvertisesStartTls();
    };
    const piece = fc.constantFrom('STARTTLS', 'STARTTL', 'XSTARTTLS', 'X-ANONYMOUSTLS', '250', '-', ' ', '\t', 'é', '日', 'S', 'TLS', 'AUTH');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const data = parts.join('');
        expect(bytesSay(data), data).toBe(advertisesStartTls(data));
      }),
      { numRuns: 2000 },
    );
    for (const data of ['STARTTLS', '250-STARTTLS', '250 STARTTLS\tX', 'é STARTTLS', '250 éSTARTTLS', '250 STARTTLSé', '250 XSTARTTLSX']) {
      expect(bytesSay(data), data).toBe(advertisesStartTls(data));
    }
  });

  it('writes times back as toISOString does, through the minute cache and outside its range', async () => {
    const { isoTime, newIsoCache } = await import('../src/sessions/row.js');
    const cache = newIsoCache();
    const edges = [0, 59_999, 60_000, Date.parse('2024-02-29T23:59:59.999Z'), 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 1.5, 8.64e15];
    for (const ms of edges) expect(isoTime(ms, cache), String(ms)).toBe(new Date(ms).toISOString());
    // Times in and out of order, so the cached minute is reused as well as replaced.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8.64e15 + 300_000, max: 8.64e15 - 300_000 }), { maxLength: 20 }), fc.integer({ min: 0, max: 300_000 }), (starts, step) => {
        for (const start of starts) for (const ms of [start, start + step, start - step]) expect(isoTime(ms, cache)).toBe(new Date(ms).toISOString());
      }),
    );
  });
});

describe('lazy rows across chunk boundaries', () => {
  it('pinned rows keep their text after the reader has moved past their chunk (997-byte chunks)', async () => {
    const { readFileSync } = await import('node:fs');
    const { readProtocolRows, parseProtocolText } = await import('../src/read/protocol.js');
    const { SessionAssembler } = await import('../src/sessions/builder.js');
    const { emptyStats } = await import('../src/read/stats.js');
    const file = join(dir, 'chunks.log');
    await run(process.execPath, ['bench/generate.mjs', '--single', file, '--size', '1MB', '--kind', 'receive', '--seed', '11']);
    const bytes = readFileSync(file);
    const info = { origin: 'o', direction: 'receive' as const, serverHint: null };

    const every = new SessionAssembler(info, { keepRows: 'all' });
    const byKey = new Map<string, Session>();
    for (const s of [...every.add(parseProtocolText(bytes, file).records), ...every.end()]) byKey.set(s.key, s);

    const lazy = new SessionAssembler(info);
    const done: Session[] = [];
    // One buffer, overwritten for every chunk (as a reader with a fixed buffer would): a pin that was not copied
    // when its chunk was retired would read the bytes of a later chunk.
    const scratch = Buffer.alloc(997);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 997) {
        const n = bytes.copy(scratch, 0, i, Math.min(bytes.length, i + 997));
        yield scratch.subarray(0, n);
        scratch.fill(0x21);
      }
    }
    await readProtocolRows(chunks(), emptyStats(file), (row) => lazy.addRow(row, done));
    done.push(...lazy.end());

    expect(done.length).toBe(byKey.size);
    let compared = 0;
    for (const s of done) {
      const full = byKey.get(s.key)!;
      const lines = new Map(full.records.map((r) => [r.line, r]));
      for (const r of s.records) {
        expect(r).toEqual(lines.get(r.line));
        compared++;
      }
      // The last row is always among the kept ones: it is what an incomplete session is quoted by.
      expect(s.records.at(-1)).toEqual(full.records.at(-1));
    }
    expect(compared).toBeGreaterThan(done.length * 3);
  });
});

describe('lazy records (scans with the built-in rules and no onSession)', () => {
  const HEAD = [
    '#Software: Microsoft Exchange Server',
    '#Log-type: SMTP Receive Protocol Log',
    '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
  ];
  const row = (id: string, seq: number, rest: string) => `2025-11-10T10:00:0${seq}.000Z,EX01\\Default Frontend EX01,${id},${seq},10.0.0.1:25,203.0.113.5:40000,${rest}`;
  // Kept rows with UTF-8, quotes and a comma in a quoted field; a pinned row one field short (a web copy's loss).
  const LOG = [
    ...HEAD,
    row('08DE00000000000A', 0, '+,,'),
    row('08DE00000000000A', 1, '<,EHLO h\u00e9llo-\u65e5\u672c.example,'),
    row('08DE00000000000A', 2, '<,NOOP,STALE-CONTEXT-OF-A'),
    row('08DE00000000000A', 3, '-,,Local'),
    row('08DE00000000000B', 0, '+,,'),
    row('08DE00000000000B', 1, '>,"550 5.7.1 ""quoted"", with a comma",'),
    row('08DE00000000000B', 2, '<,NOOP'),
    row('08DE00000000000B', 3, '-,,Remote(SocketError)'),
    '',
  ].join('\r\n');

  async function assembled(bytes: Buffer, lazyRecords: boolean, chunk: number): Promise<Session[]> {
    const { readProtocolRows } = await import('../src/read/protocol.js');
    const { SessionAssembler } = await import('../src/sessions/builder.js');
    const { emptyStats } = await import('../src/read/stats.js');
    const assembler = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null }, {}, { lazyRecords });
    const done: Session[] = [];
    await readProtocolRows(overwrittenChunks(bytes, chunk), emptyStats('x'), (r) => assembler.addRow(r, done));
    return [...done, ...assembler.end()];
  }

  /** `bytes` in chunks of one buffer, overwritten for every chunk: rows kept lazily must not point into it. */
  async function* overwrittenChunks(bytes: Buffer, chunk: number): AsyncIterable<Buffer> {
    const scratch = Buffer.alloc(chunk);
    for (let i = 0; i < bytes.length; i += chunk) {
      const n = bytes.copy(scratch, 0, i, Math.min(bytes.length, i + chunk));
      yield scratch.subarray(0, n);
      scratch.fill(0x21);
    }
  }

  it('makes the same records as an eager session, once, when first asked', async () => {
    const { recordsOf } = await import('../src/sessions/facts.js');
    const file = join(dir, 'lazy.log');
    await run(process.execPath, ['bench/generate.mjs', '--single', file, '--size', '1MB', '--kind', 'receive', '--seed', '13']);
    const { readFileSync } = await import('node:fs');
    for (const bytes of [readFileSync(file), Buffer.from(LOG)]) {
      const eager = await assembled(bytes, false, 997);
      const lazy = await assembled(bytes, true, 997);
      expect(lazy.map((s) => s.key)).toEqual(eager.map((s) => s.key));
      for (let i = 0; i < lazy.length; i++) {
        const s = lazy[i]!;
        // Until asked, a lazy session holds an empty stand-in; the rows are made once.
        expect(s.records).toHaveLength(0);
        const rows = recordsOf(s);
        expect(rows).toEqual(eager[i]!.records);
        expect(recordsOf(s)).toBe(rows);
        expect(s.records).toBe(rows);
      }
    }
  });

  it('keeps a row by its position while its chunk is current, and as a copy once the reader reuses the buffer', async () => {
    const { readProtocolRows } = await import('../src/read/protocol.js');
    const { KeptLines, RowView } = await import('../src/read/row-view.js');
    const { emptyStats } = await import('../src/read/stats.js');
    const bytes = Buffer.from(LOG);
    for (const chunk of [97, 300, 4096]) {
      const store = new KeptLines();
      let kept = 0;
      await readProtocolRows(overwrittenChunks(bytes, chunk), emptyStats('x'), (row) => {
        if (!row.dataStarts('NOOP')) return;
        store.add(row);
        // Searched within the row only: the disconnect row that follows in the same buffer says `Local`.
        expect(store.includes(kept, 'NOOP')).toBe(true);
        expect(store.includes(kept, 'Local')).toBe(false);
        expect(store.includes(kept, 'Remote')).toBe(false);
        kept++;
      });
      expect(kept).toBe(2);
      const view = new RowView();
      expect([0, 1].map((i) => store.view(i, view).context())).toEqual(['STALE-CONTEXT-OF-A', '']);
      expect(store.record(0, view, { connector: '', sessionId: '', local: '', remote: '' })).toMatchObject({ data: 'NOOP', line: 6, sessionId: '08DE00000000000A' });
      expect(store.includes(0, 'Local')).toBe(false);
      expect(store.includes(1, 'NOOP')).toBe(true);
    }
  });

  it('keeps more rows than it has room for at first, by position and as copies, each the row it was', async () => {
    const { readProtocolRows } = await import('../src/read/protocol.js');
    const { KeptLines, RowView } = await import('../src/read/row-view.js');
    const { emptyStats } = await import('../src/read/stats.js');
    // 30 rows, past the room for the usual 8; small chunks retire some of them between adds.
    const many = Array.from({ length: 30 }, (_, i) => `2025-11-10T10:00:${String(i).padStart(2, '0')}.000Z,EX01\\Default Frontend EX01,08DE00000000000C,${i},10.0.0.1:25,203.0.113.5:40000,<,CMD ${i} h\u00e9,ctx ${i}`);
    const bytes = Buffer.from([...HEAD, ...many, ''].join('\r\n'));
    const shared = { connector: '', sessionId: '', local: '', remote: '' };
    for (const chunk of [97, 300, 1 << 16]) {
      const store = new KeptLines();
      const expected: LogRecord[] = [];
      await readProtocolRows(overwrittenChunks(bytes, chunk), emptyStats('x'), (row) => {
        expected.push(row.record());
        store.add(row);
      });
      expect(expected).toHaveLength(30);
      const view = new RowView();
      expected.forEach((r, i) => {
        expect(store.record(i, view, shared)).toEqual(r);
        expect(store.includes(i, `CMD ${i} `)).toBe(true);
      });
    }
  });

  it('recognises a success row met lately on its bytes: same TLS facts as from the text, a copy per session', async () => {
    const { readProtocolRows } = await import('../src/read/protocol.js');
    const { SessionAssembler } = await import('../src/sessions/builder.js');
    const { emptyStats } = await import('../src/read/stats.js');
    const { recordsOf } = await import('../src/sessions/facts.js');
    const tls12 = 'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with strength 384 bits';
    const tls10 = tls12.replaceAll('TLS1_2', 'TLS1_0');
    const quoted = (t: string): string => `"${t.replaceAll('"', '""')}"`;
    const head = ['#Log-type: SMTP Receive Protocol Log', '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context'];
    // The same text four times (the third with a quote escaped, so not the same bytes), then another.
    const contexts = [tls12, tls12, `${tls12} "x"`, tls12, tls10];
    const lines = contexts.flatMap((c, i) => {
      const at = `2025-11-10T10:00:0${i}.000Z,EX01\\Default Frontend EX01,08DE0000000000B${i},`;
      return [`${at}0,10.0.0.1:25,203.0.113.5:4000${i},+,,`, `${at}1,10.0.0.1:25,203.0.113.5:4000${i},*,,${quoted(c)}`, `${at}2,10.0.0.1:25,203.0.113.5:4000${i},-,,Local`];
    });
    const assembler = new SessionAssembler({ origin: 'o', direction: 'receive', serverHint: null }, {}, { lazyRecords: true });
    const done: Session[] = [];
    await readProtocolRows(overwrittenChunks(Buffer.from([...head, ...lines, ''].join('\r\n')), 97), emptyStats('x'), (r) => assembler.addRow(r, done));
    expect(done.map((x) => x.tls?.protocol ?? null)).toEqual(['SP_PROT_TLS1_2_SERVER', 'SP_PROT_TLS1_2_SERVER', 'SP_PROT_TLS1_2_SERVER', 'SP_PROT_TLS1_2_SERVER', 'SP_PROT_TLS1_0_SERVER']);
    expect(done[1]!.tls).toEqual(done[0]!.tls);
    expect(done[1]!.tls).not.toBe(done[0]!.tls);
    expect(done[3]!.tls).not.toBe(done[1]!.tls);
    // The row is still kept as evidence, by its bytes.
    expect(recordsOf(done[1]!).map((r) => r.context)).toContain(tls12);
  });

  it('gives a released pin to one new session only, which reads its own row through it', async () => {
    const { RowView, splitRow, eventOf } = await import('../src/read/row-view.js');
    const { mapFields } = await import('../src/read/header.js');
    const names = HEAD[2]!.slice('#Fields: '.length).split(',');
    const map = mapFields(names, '').map;
    if (map === null) throw new Error('no column map');
    const view = new RowView();
    view.map = map;
    const read = (line: string): void => {
      const buf = Buffer.from(line);
      view.forgetCommas();
      splitRow(view, buf, 0, buf.length, view.map.count, line.includes('"'));
      view.event = eventOf(view)!;
    };
    read(row('08DE00000000000D', 0, '<,EHLO first.example,'));
    const first = view.pin(0, null);
    first.release?.();
    first.release?.();
    read(row('08DE00000000000E', 0, '<,EHLO second.example,'));
    const taken = view.pin(0, null);
    const fresh = view.pin(0, null);
    expect(taken).toBe(first);
    expect(fresh).not.toBe(first);
    expect(taken.record().data).toBe('EHLO second.example');
    expect(fresh.record().sessionId).toBe('08DE00000000000E');
  });

  it('gives a pinned row one field short an empty last field, not the last field of the row made before it', async () => {
    const { recordsOf } = await import('../src/sessions/facts.js');
    for (const lazyRecords of [false, true]) {
      const sessions = await assembled(Buffer.from(LOG), lazyRecords, 64);
      const noop = sessions.map((s) => recordsOf(s).find((r) => r.data === 'NOOP'));
      expect(noop.map((r) => r?.context)).toEqual(['STALE-CONTEXT-OF-A', '']);
      expect(recordsOf(sessions[0]!)[1]!.data).toBe('EHLO h\u00e9llo-\u65e5\u672c.example');
      expect(recordsOf(sessions[1]!).find((r) => r.event === '>')?.data).toBe('550 5.7.1 "quoted", with a comma');
    }
  });

  it.each([
    ['samples/', ['samples/']],
    ['real excerpts', ['test/fixtures/real/']],
  ])('scan reports the same with lazy and with eager sessions: %s', async (_name, inputs) => {
    const lazy = await scan(inputs);
    // An onSession callback hands sessions to the caller, so they are made eagerly.
    const eager = await scan(inputs, { onSession: () => undefined });
    expect(lazy.groups.length).toBeGreaterThan(3);
    expect(lazy).toEqual(eager);
  });

  it('scan reports the same with lazy and with eager sessions: generated logs with every kind of session', async () => {
    for (const kind of ['receive', 'send']) {
      await run(process.execPath, ['bench/generate.mjs', '--single', join(dir, `lazy-${kind}.log`), '--size', '2MB', '--kind', kind, '--seed', '5']);
    }
    const inputs = [join(dir, 'lazy-receive.log'), join(dir, 'lazy-send.log')];
    const lazy = await scan(inputs);
    const eager = await scan(inputs, { onSession: () => undefined });
    expect(lazy.groups.reduce((n, g) => n + g.samples.length, 0)).toBeGreaterThan(100);
    expect(lazy).toEqual(eager);
  });
});

describe('shared per log set', () => {
  it('parses a repeated certificate once but hands each session its own copy', async () => {
    const { FactsContext } = await import('../src/sessions/facts.js');
    const { RecordRow } = await import('../src/sessions/row.js');
    const context = new FactsContext();
    const data = ' CN=mail.contoso.com, O=Contoso CN=R11, O=Let\'s Encrypt, C=US 0C4F 7B1E 2025-02-11T00:00:00.000Z 2026-03-13T23:59:59.000Z mail.contoso.com;autodiscover.contoso.com';
    const row = new RecordRow().set({ source: 's', line: 1, time: '', connector: '', sessionId: '', sequence: 0, local: '', remote: '', event: '*', data, context: 'Sending certificate Subject Issuer name' });
    const a = context.compactCertificateOf('Sending certificate', row);
    const b = context.compactCertificateOf('Sending certificate', row);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(b.alternateNames).not.toBe(a.alternateNames);
    expect(a).toMatchObject({ subject: 'CN=mail.contoso.com, O=Contoso', thumbprint: '7B1E', alternateNames: ['mail.contoso.com', 'autodiscover.contoso.com'] });
  });

  it('parses a repeated TLS success text once but hands each session its own copy', async () => {
    const { FactsContext } = await import('../src/sessions/facts.js');
    const context = new FactsContext();
    const text = 'TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 384 bits';
    const a = context.tlsSuccess(text);
    const b = context.tlsSuccess(text);
    expect(a).toEqual({ version: 'TLS1.0', protocol: 'SP_PROT_TLS1_0_SERVER', cipher: 'CALG_AES_256', cipherStrength: 256, hash: 'CALG_SHA1', keyExchange: 'CALG_ECDHE' });
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
    expect(context.tlsSuccess('TLS negotiation failed with error SocketError')).toBeNull();
    expect(context.tlsSuccess('TLS protocol garbled')).toBeNull();
    // Past the cached length the text is parsed each time, with the same result.
    const long = `${text} ${'x'.repeat(600)}`;
    expect(context.tlsSuccess(long)).toEqual(a);
  });
});

describe('lazy rows made one at a time (rowOf, rowMayMatch)', () => {
  it('give the rows records() gives, and never pass over a row the full test accepts', async () => {
    const { readFileSync } = await import('node:fs');
    const { readProtocolRows } = await import('../src/read/protocol.js');
    const { SessionAssembler } = await import('../src/sessions/builder.js');
    const { emptyStats } = await import('../src/read/stats.js');
    const { rowCountOf, rowMayMatch, rowOf, recordsOf } = await import('../src/sessions/facts.js');
    const { TLS_FAILED_ROW, TLS_PROTOCOL_ROW } = await import('../src/classify/rules.js');
    const { classifySession } = await import('../src/classify/classify.js');
    const file = join(dir, 'lazy-rows.log');
    await run(process.execPath, ['bench/generate.mjs', '--single', file, '--size', '1MB', '--kind', 'send', '--seed', '13']);
    const files: Array<[string, 'send' | 'receive']> = [
      [file, 'send'],
      ['test/fixtures/real/mskb4051498-send-o365-tls-unknowncredentials-excerpt.LOG', 'send'],
      ['test/fixtures/real/qazeer-artefacts-help-exch2016-recv-tls12.LOG', 'receive'],
    ];

    // The direction is known up front, as scan() knows it from the header: otherwise rows wait as records.
    async function lazySessions(path: string, direction: 'send' | 'receive'): Promise<Session[]> {
      const assembler = new SessionAssembler({ origin: path, direction, serverHint: null }, {}, { lazyRecords: true });
      const done: Session[] = [];
      const bytes = readFileSync(path);
      async function* one() {
        yield bytes;
      }
      await readProtocolRows(one(), emptyStats(path), (row) => assembler.addRow(row, done));
      return [...done, ...assembler.end()];
    }

    let rows = 0;
    let accepted = 0;
    let passedOver = 0;
    for (const [path, direction] of files) {
      // Three copies of each session: one read whole, one row by row, one searched with the pre-tests first.
      const [whole, single, searched] = await Promise.all([lazySessions(path, direction), lazySessions(path, direction), lazySessions(path, direction)]);
      expect(whole.length).toBeGreaterThan(0);
      for (let s = 0; s < whole.length; s++) {
        for (const { test, peek } of [TLS_PROTOCOL_ROW, TLS_FAILED_ROW]) {
          for (let i = 0; i < rowCountOf(searched[s]!); i++) {
            const may = rowMayMatch(searched[s]!, i, peek);
            if (!may) passedOver++;
            if (test(rowOf(single[s]!, i))) {
              accepted++;
              expect(may).toBe(true);
            }
          }
        }
        const records = recordsOf(whole[s]!);
        expect(rowCountOf(single[s]!)).toBe(records.length);
        for (let i = 0; i < records.length; i++) expect(rowOf(single[s]!, i)).toEqual(records[i]);
        rows += records.length;
        expect(classifySession(searched[s]!)).toEqual(classifySession(whole[s]!));
      }
    }
    expect(rows).toBeGreaterThan(1000);
    expect(accepted).toBeGreaterThan(100);
    // The pre-tests do their job: most rows are passed over unmade.
    expect(passedOver).toBeGreaterThan(rows);
  });
});
