import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SessionAssembler } from '../src/sessions/builder.js';
import { categoryInfo, classifySession } from '../src/classify/classify.js';
import { defaultRules } from '../src/classify/rules.js';
import { addCertificate, MAX_SAMPLE_TEXT, ReportBuilder, sampleText } from '../src/report/builder.js';
import { renderJson } from '../src/output/json.js';
import { newGroupState } from '../src/report/finalize.js';
import { detailHint } from '../src/report/severity.js';
import { mergeReports, RepeatedInputError, repeatedInputs } from '../src/report/merge.js';
import { scan } from '../src/scan.js';
import { VERSION } from '../src/version.js';
import type { Report, Session } from '../src/types.js';
import { session } from './helpers/rows.js';

const SEND_FAIL = (ip: string) => `*,,attempting to connect
+,,
<,"220 X.mail.protection.outlook.com Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 09:00:00 +0000",
>,EHLO mail.contoso.com,
<,250  X.mail.protection.outlook.com Hello [${ip}] SIZE 157286400 PIPELINING STARTTLS CHUNKING,
>,STARTTLS,
<,220 2.0.0 SMTP server ready,
*,,TLS negotiation failed with error SocketError
-,,Remote(SocketError)`;

const RECV_LEGACY = `+,,
>,220 EX01 Microsoft ESMTP MAIL Service ready,
<,EHLO printer01,
>,250  EX01 Hello [10.1.1.50] SIZE STARTTLS AUTH,
<,STARTTLS,
>,220 2.0.0 SMTP server ready,
*,,"TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"
*,,Sending certificate
*,CN=EX01,Certificate subject
*,AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12,Certificate thumbprint
<,AUTH LOGIN,
*,,User Name: scanner@contoso.com
<,QUIT,
>,221 Bye,
-,,Local`;

function build(direction: 'send' | 'receive', recs: ReturnType<typeof session>): Session {
  const a = new SessionAssembler({ origin: direction, direction, serverHint: 'EX01' });
  return [...a.add(recs), ...a.end()][0]!;
}

function corpus(): Session[] {
  const out: Session[] = [];
  for (let i = 0; i < 12; i++) {
    const start = new Date(Date.parse('2025-11-10T08:00:00.000Z') + i * 7 * 60_000).toISOString();
    out.push(build('send', session(`08DE0000000010${String(i).padStart(2, '0')}`, SEND_FAIL('198.51.100.7'), { connector: 'Outbound to Office 365', remote: `104.47.55.${110 + (i % 2)}:25`, start, source: `SEND-${i % 3}.LOG` })));
    out.push(build('receive', session(`08DE0000000020${String(i).padStart(2, '0')}`, RECV_LEGACY, { connector: 'EX01\\Relay Printers', remote: `10.1.1.${50 + (i % 3)}:${40000 + i}`, start, source: `RECV-${i % 2}.LOG` })));
  }
  return out;
}

function reportOf(sessions: readonly Session[], samples = 2) {
  const b = new ReportBuilder({ samples, categories: categoryInfo(defaultRules), version: 'test' });
  for (const s of sessions) b.addSession(s, classifySession(s));
  return b.build();
}

describe('report builder', () => {
  it('shares one copy of a certificate and a connector name between groups, without mixing certificates that differ', () => {
    const sessions = corpus().filter((x) => x.direction === 'receive');
    const later = (x: Session, notAfter: string | null): Session => ({
      ...x,
      remote: { ip: '10.9.9.9', port: 1, raw: '10.9.9.9:1' },
      certificates: x.certificates.map((c) => ({ ...c, notAfter })),
    });
    const r = reportOf([...sessions, later(sessions[0]!, '2030-01-01T00:00:00.000Z')]);
    const groups = r.groups.filter((g) => g.direction === 'receive');
    expect(groups.length).toBe(4);
    const shared = groups.filter((g) => g.remoteHost !== '10.9.9.9');
    const first = shared[0]!.certificates![0]!;
    expect(first.thumbprint).toBe('AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12');
    expect(shared.length).toBe(3);
    for (const g of shared) {
      expect(g.certificates![0]).toBe(first);
      expect(g.connector).toBe(shared[0]!.connector);
    }
    // Same thumbprint and subject, different expiry: its own object, its own value.
    const odd = groups.find((g) => g.remoteHost === '10.9.9.9')!.certificates![0]!;
    expect(odd).not.toBe(first);
    expect(odd.notAfter).toBe('2030-01-01T00:00:00.000Z');
    expect(first.notAfter).toBe(sessions[0]!.certificates[0]!.notAfter);
  });

  it('groups by direction, server, connector and remote host, with counts and TLS versions', () => {
    const r = reportOf(corpus());
    expect(r.schema).toBe('logscan.report/1');
    expect(r.totals.sessions).toBe(24);
    expect(r.totals.byCategory).toEqual({ 'tls-negotiation-failed': 12, 'legacy-tls': 12 });
    expect(r.totals.tlsVersions).toEqual({ none: 12, 'TLS1.0': 12 });
    expect(r.groups).toHaveLength(5);
    const o365 = r.groups.find((g) => g.remoteHost === '104.47.55.110')!;
    expect(o365).toMatchObject({
      direction: 'send', server: 'EX01', connector: 'Outbound to Office 365', sessions: 6,
      byCategory: { 'tls-negotiation-failed': 6 }, details: { 'tls-negotiation-failed': { SocketError: 6 } },
      remoteNames: ['X.mail.protection.outlook.com'], mainCategory: 'tls-negotiation-failed',
      firstSeen: '2025-11-10T08:00:00.000Z',
    });
    expect(o365.hint).toMatch(/TLS 1\.2/);
    // Earliest two samples per category.
    expect(o365.samples.map((s) => s.sessionId)).toEqual(['08DE000000001000', '08DE000000001002']);
    expect(r.hosts.map((h) => h.key)).toContain('10.1.1.50');
    const printer = r.groups.find((g) => g.remoteHost === '10.1.1.50')!;
    expect(printer.authUsers).toEqual(['scanner@contoso.com']);
    expect(printer.certificates).toEqual([{ role: 'Sending certificate', subject: 'CN=EX01', issuer: null, thumbprint: 'AB12CD34EF56AB12CD34EF56AB12CD34EF56AB12', notAfter: null }]);
    expect(r.connectors.find((c) => c.key === 'EX01\\Relay Printers')).toMatchObject({ direction: 'receive', sessions: 12, byCategory: { 'legacy-tls': 12 } });
    expect(r.coverage.from).toBe('2025-11-10T08:00:00.000Z');
    expect(r.coverage.servers.map((s) => s.server)).toEqual(['EX01']);
    expect(r.timeline?.bucket).toBe('hour');
    expect(r.timeline?.points.reduce((n, p) => n + (p.byCategory['legacy-tls'] ?? 0), 0)).toBe(12);
  });

  it('merging reports of any split of the sessions equals one run over all of them', () => {
    const all = corpus();
    const whole = reportOf(all);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: all.length, maxLength: all.length }), (parts) => {
        const buckets: Session[][] = [[], [], []];
        all.forEach((s, i) => buckets[parts[i]!]!.push(s));
        const merged = mergeReports(buckets.map((b) => reportOf(b)), { samples: 2, version: 'test' });
        const normalise = (r: typeof whole) => ({ ...r, inputs: [] });
        expect(normalise(merged)).toEqual(normalise(whole));
      }),
      { numRuns: 40 },
    );
  });

  it('absorbing what builders of any split gathered (copied as a worker posts it) equals one run over all', () => {
    const all = corpus();
    const whole = reportOf(all);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: all.length, maxLength: all.length }), (parts) => {
        const builders = [0, 1, 2].map(() => new ReportBuilder({ samples: 2, categories: categoryInfo(defaultRules), version: 'test' }));
        all.forEach((s, i) => builders[parts[i]!]!.addSession(s, classifySession(s)));
        const [main, ...others] = builders;
        for (const b of others) main!.absorb(structuredClone(b.partial()));
        expect(main!.build()).toEqual(whole);
      }),
      { numRuns: 40 },
    );
  });

  it('covers sessions with no server as one unknown server (null), never by their log set, whatever the split', () => {
    // Send logs outside a server folder and standard input: no server hint, each log set its own origin.
    const origins = ['loose/|smtp-send', 'stdin:stdin|smtp-send', '|smtp-send'];
    const unknown = corpus()
      .filter((x) => x.direction === 'send')
      .map((x, i) => {
        const a = new SessionAssembler({ origin: origins[i % 3]!, direction: 'send', serverHint: null });
        const recs = session(`08DE0000000030${String(i).padStart(2, '0')}`, SEND_FAIL('198.51.100.8'), { connector: 'Outbound to Office 365', remote: '104.47.55.120:25', start: x.start, source: `SEND-${i % 3}.LOG` });
        return [...a.add(recs), ...a.end()][0]!;
      });
    const all = [...corpus(), ...unknown];
    const whole = reportOf(all);
    expect(whole.coverage.servers.map((s) => s.server)).toEqual(['EX01', null]);
    const nulls = whole.groups.filter((g) => g.server === null);
    expect(nulls.map((g) => g.sessions)).toEqual([12]);
    expect(whole.coverage.servers[1]).toEqual({ server: null, from: nulls[0]!.firstSeen, to: nulls[0]!.lastSeen });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: all.length, maxLength: all.length }), (parts) => {
        const builders = [0, 1, 2].map(() => new ReportBuilder({ samples: 2, categories: categoryInfo(defaultRules), version: 'test' }));
        all.forEach((s, i) => builders[parts[i]!]!.addSession(s, classifySession(s)));
        const reports = builders.map((b) => b.build());
        const [main, ...others] = builders;
        for (const b of others) main!.absorb(structuredClone(b.partial()));
        expect(main!.build()).toEqual(whole);
        expect({ ...mergeReports(reports, { samples: 2, version: 'test' }), inputs: [] }).toEqual({ ...whole, inputs: [] });
      }),
      { numRuns: 20 },
    );
  });

  it('keeps the smallest 5 certificates and 20 names of a group, whatever order the sessions come in', () => {
    const base = corpus().find((x) => x.direction === 'receive' && x.certificates.length > 0)!;
    const cert = base.certificates[0]!;
    // 30 sessions of one remote host, each with its own certificate and name; some repeat.
    const sessions = Array.from({ length: 30 }, (_, i) => {
      const n = String((i * 7) % 23).padStart(2, '0');
      return { ...base, key: `k${i}`, remoteNames: [`host${n}.example`], certificates: [{ ...cert, thumbprint: `THUMB${n}`, alternateNames: [] }] };
    });
    const distinct = [...new Set(sessions.map((x) => x.certificates[0]!.thumbprint))].sort();
    expect(distinct.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(fc.shuffledSubarray(sessions, { minLength: sessions.length }), (order) => {
        const g = reportOf(order).groups.find((x) => x.remoteHost === base.remote!.ip)!;
        expect((g.certificates ?? []).map((c) => c.thumbprint)).toEqual(distinct.slice(0, 5));
        expect(g.remoteNames).toEqual(distinct.slice(0, 20).map((t) => `host${t.slice(5)}.example`));
      }),
      { numRuns: 30, seed: 20261128 },
    );
  });

  it('keeps the first 50 details of a category by their text, the rest under (other), in any order and any split', () => {
    // 70 sessions of one host, each failing with its own SChannel-like error name; some names repeat.
    const sessions = Array.from({ length: 70 }, (_, i) => {
      const n = String((i * 11) % 61).padStart(2, '0');
      return build('send', session(`08DE00000000A${String(i).padStart(3, '0')}`, SEND_FAIL('198.51.100.7').replace('error SocketError', `error Err${n}`), { connector: 'Outbound to Office 365', remote: '104.47.55.110:25' }));
    });
    const counts = new Map<string, number>();
    for (const x of sessions) for (const f of classifySession(x)) if (f.category === 'tls-negotiation-failed') counts.set(f.detail!, (counts.get(f.detail!) ?? 0) + 1);
    const names = [...counts.keys()].sort();
    expect(names.length).toBeGreaterThan(50);
    const expected: Record<string, number> = Object.fromEntries(names.slice(0, 50).map((d) => [d, counts.get(d)!]));
    expected['(other)'] = names.slice(50).reduce((sum, d) => sum + counts.get(d)!, 0);
    const detailsOf = (r: ReturnType<typeof reportOf>) => r.groups[0]!.details!['tls-negotiation-failed'];
    fc.assert(
      fc.property(fc.shuffledSubarray(sessions, { minLength: sessions.length }), fc.integer({ min: 1, max: 69 }), (order, cut) => {
        expect(detailsOf(reportOf(order))).toEqual(expected);
        // Merged in either order, two reports keep the same details with the same counts as one run.
        const [a, b] = [reportOf(order.slice(0, cut)), reportOf(order.slice(cut))];
        expect(detailsOf(mergeReports([a, b], { samples: 2 }))).toEqual(expected);
        expect(detailsOf(mergeReports([b, a], { samples: 2 }))).toEqual(expected);
      }),
      { numRuns: 30, seed: 20261129 },
    );
  });

  it('tells certificates apart by thumbprint, subject and role, as their joined key does (NULs included)', () => {
    const g = newGroupState('receive', 'EX01', 'EX01\\Default', '192.0.2.1');
    const cert = (thumbprint: string | null, subject: string | null, role = 'Remote certificate') => ({ role, subject, issuer: null, thumbprint, notAfter: null });
    addCertificate(g, cert('AB', 'CN=a'));
    addCertificate(g, cert('AB', 'CN=a'));
    addCertificate(g, cert('AB', 'CN=a', 'Sending certificate'));
    addCertificate(g, cert('AC', 'CN=a'));
    expect(g.certificates).toHaveLength(3);
    // A missing thumbprint is the empty one; a NUL that moves the field boundary gives the same joined key.
    addCertificate(g, cert('X\u0000', 'Y'));
    addCertificate(g, cert('X', '\u0000Y'));
    expect(g.certificates).toHaveLength(4);
    addCertificate(g, cert(null, 'CN=b'));
    addCertificate(g, cert('', 'CN=b'));
    expect(g.certificates.map((c) => c.thumbprint)).toEqual([null, 'AB', 'AB', 'AC', 'X\u0000']);
  });

  it('keeps each group\'s lists to itself, and a report already built does not change when more sessions come', () => {
    const healthy = RECV_LEGACY.replace('SP_PROT_TLS1_0_SERVER', 'SP_PROT_TLS1_2_SERVER');
    const at = (id: string, ehlo: string, ip: string, text = healthy) =>
      build('receive', session(id, text.replace('EHLO printer01', `EHLO ${ehlo}`), { connector: 'EX01\\Default', remote: `${ip}:25`, start: '2025-11-10T08:00:00.000Z', source: 'RECV.LOG' }));
    const b = new ReportBuilder({ samples: 2, categories: categoryInfo(defaultRules), version: 'test' });
    const add = (s: Session) => b.addSession(s, classifySession(s));
    add(at('08DE00000000A001', 'first.contoso.com', '10.2.0.1'));
    const before = b.build();
    const frozen = structuredClone(before);
    const g0 = before.groups[0]!;
    // A healthy group: empty counts and lists in the report, never missing ones.
    expect(g0).toMatchObject({ byCategory: {}, details: {}, samples: [], remoteNames: ['first.contoso.com'], mainCategory: null });
    for (let i = 0; i < 25; i++) add(at(`08DE00000000B0${String(i).padStart(2, '0')}`, `host${String(24 - i).padStart(2, '0')}.contoso.com`, '10.2.0.1'));
    add(at('08DE00000000C001', 'other.fabrikam.com', '10.2.0.2', RECV_LEGACY));
    const after = b.build();
    expect(before).toEqual(frozen);
    const one = after.groups.find((g) => g.remoteHost === '10.2.0.1')!;
    const two = after.groups.find((g) => g.remoteHost === '10.2.0.2')!;
    // The 20 lexically smallest of 26 names, sorted; the other group's name stays in the other group.
    expect(one.remoteNames).toHaveLength(20);
    expect(one.remoteNames[0]).toBe('first.contoso.com');
    expect(one.remoteNames.slice(1)).toEqual(Array.from({ length: 19 }, (_, i) => `host${String(i).padStart(2, '0')}.contoso.com`));
    expect(two.remoteNames).toEqual(['other.fabrikam.com']);
    expect(one.byCategory).toEqual({});
    expect(two.byCategory).toEqual({ 'legacy-tls': 1 });
    expect(two.samples.map((s) => s.sessionId)).toEqual(['08DE00000000C001']);
    expect(one.samples).toEqual([]);
  });

  it('words a merge as the newest build of its reports does, in any order, and unites server names that differ in case', () => {
    const all = corpus();
    const older = JSON.parse(JSON.stringify(reportOf(all.slice(0, 10)))) as Report;
    const newer = JSON.parse(JSON.stringify(reportOf(all.slice(10)))) as Report;
    // An older build: its own version, another wording of a hint, and its server as the folder was typed.
    older.generator.version = '0.9.0';
    newer.generator.version = '0.10.0';
    older.categories.find((c) => c.id === 'legacy-tls')!.hint = 'an older hint';
    for (const g of older.groups) g.server = g.server?.toLowerCase() ?? null;
    for (const c of older.coverage.servers) c.server = c.server?.toLowerCase() ?? null;
    const ab = mergeReports([older, newer], { samples: 2 });
    const ba = mergeReports([newer, older], { samples: 2 });
    // Written by this build; worded as 0.10.0 words it (versions compare by number, not as text).
    expect(ab.generator.version).toBe(VERSION);
    expect(ab.categories.find((c) => c.id === 'legacy-tls')!.hint).toBe(defaultRules.find((r) => r.id === 'legacy-tls')!.hint);
    expect(ab.categories).toEqual(ba.categories);
    expect(ab.groups).toEqual(ba.groups);
    expect(ab.coverage.servers.map((c) => c.server)).toEqual(['EX01']);
    // One server: the merge equals one run over all the sessions.
    expect(ab.groups).toEqual(reportOf(all).groups);
  });

  it('keeps the words of a report made with the caller\'s own copy of a built-in rule', () => {
    const rules = defaultRules.map((r) => (r.id === 'legacy-tls' ? { ...r, hint: 'OUR RUNBOOK', severity: 'failure' as const } : r));
    const b = new ReportBuilder({ samples: 2, categories: categoryInfo(rules), version: VERSION });
    for (const s of corpus()) b.addSession(s, classifySession(s, rules));
    const report = JSON.parse(JSON.stringify(b.build())) as Report;
    const merged = mergeReports([report], { samples: 2 });
    expect(merged.categories.find((c) => c.id === 'legacy-tls')).toMatchObject({ hint: 'OUR RUNBOOK', severity: 'failure' });
    expect(merged).toEqual(report);
  });

  it('refuses to merge something that is not a report', () => {
    expect(() => mergeReports([{ schema: 'other' } as never])).toThrow(/schema/);
  });

  it('refuses to merge two reports that read the same input; inputs with no rows do not count', async () => {
    const report = await scan(['samples/EX01/Hub']);
    expect(repeatedInputs([report])).toEqual([]);
    const twice = repeatedInputs([report, report]);
    expect(twice.map((r) => r.source)).toEqual(report.inputs.map((i) => i.source));
    expect(twice[0]!.reports).toEqual([0, 1]);
    expect(() => mergeReports([report, report])).toThrow(/reports 1 and 2 both read samples\/EX01\/Hub\/.*: its sessions would be counted twice/);
    expect(() => mergeReports([report, report])).toThrow(RepeatedInputError);
    // The same name with another size is another file (or a grown one): not caught, by design.
    const other = { inputs: report.inputs.map((i) => ({ ...i, bytes: i.bytes + 1 })) };
    expect(repeatedInputs([report, other])).toEqual([]);
    const empty = { inputs: report.inputs.map((i) => ({ ...i, records: 0 })) };
    expect(repeatedInputs([empty, empty])).toEqual([]);
    // The same log in another folder (two weekly copy jobs that overlap), or compressed, is the same log.
    const copied = { inputs: report.inputs.map((i) => ({ ...i, source: `week2\\EX01\\${i.source.split('/').pop()}.gz` })) };
    expect(repeatedInputs([report, copied]).map((r) => r.reports)).toEqual(report.inputs.map(() => [0, 1]));
    // Two servers' queue exports of one name and length have no times to tell them apart: compared by path.
    const queue = { inputs: [{ ...report.inputs[0]!, source: 'EX01/queue.csv', kind: 'queue-csv' as const, from: null, to: null }] };
    const queue2 = { inputs: [{ ...queue.inputs[0]!, source: 'EX02/queue.csv' }] };
    expect(repeatedInputs([queue, queue2])).toEqual([]);
    expect(repeatedInputs([queue, queue])).toHaveLength(1);
    // Another server's log of the same name is another log: its size, lines or times differ.
    const otherServer = { inputs: report.inputs.map((i) => ({ ...i, source: `EX02/${i.source}`, to: '2025-11-10T23:59:59.000Z' })) };
    expect(repeatedInputs([report, otherServer])).toEqual([]);
  });
});

describe('GroupTable', () => {
  it('keeps groups apart that differ only in direction, server or connector, asked for in any order', async () => {
    const { GroupTable, newGroupState } = await import('../src/report/finalize.js');
    const table = new GroupTable();
    // The same connector name and host under every direction and two servers (and no server): eight groups.
    const keys: [('receive' | 'send' | 'queue'), string | null, string][] = [];
    for (const direction of ['receive', 'send', 'queue'] as const) {
      for (const server of ['EX01', 'EX02', null]) keys.push([direction, server, 'Outbound to Office 365']);
    }
    keys.push(['send', 'EX01', 'Other connector']);
    for (const [d, s, c] of keys) {
      expect(table.find(d, s, c, '203.0.113.9')).toBeUndefined();
      table.add(newGroupState(d, s, c, '203.0.113.9'));
    }
    // Lookups in which consecutive keys differ in one part only (direction, then server), and the other way.
    const byServer = [...keys].sort((a, b) => String(a[1]).localeCompare(String(b[1])) || a[0].localeCompare(b[0]));
    for (const [d, s, c] of [...keys, ...byServer, ...[...keys].reverse()]) {
      const g = table.find(d, s, c, '203.0.113.9');
      expect([g?.direction, g?.server, g?.connector]).toEqual([d, s, c]);
      expect(table.find(d, s, c, '198.51.100.1')).toBeUndefined();
    }
    expect([...table.values()]).toHaveLength(keys.length);
  });
});

describe('BoundedCache', () => {
  it('makes each value once, and starts over instead of growing past its bound', async () => {
    const { BoundedCache } = await import('../src/bounded-cache.js');
    const cache = new BoundedCache<{ key: string }>(3);
    let made = 0;
    const make = (key: string) => ({ key, n: ++made });
    const a = cache.get('a', make);
    expect(cache.get('a', make)).toBe(a);
    cache.get('b', make);
    cache.get('c', make);
    expect(made).toBe(3);
    cache.get('d', make); // full: forgets a, b, c
    expect(made).toBe(4);
    expect(cache.get('a', make)).not.toBe(a);
    expect(cache.get('a', make)).toEqual({ key: 'a', n: 5 });
  });
});

describe('hints by direction', () => {
  it('UnknownCredentials points a receive group to the Receive connector and a send group to the Send connector', () => {
    const fail = (peer: string) => `${peer}\n*,,TLS negotiation failed with error UnknownCredentials\n-,,Local`;
    const recv = build('receive', session('08DE000000003001', fail(`+,,\n>,220 EX01 ESMTP,\n<,EHLO scanner.example,\n>,250  EX01 Hello STARTTLS,\n<,STARTTLS,\n>,220 2.0.0 SMTP server ready,`), { connector: 'EX01\\Default Frontend EX01', remote: '198.51.100.92:50127' }));
    const send = build('send', session('08DE000000003002', fail(SEND_FAIL('198.51.100.7').split('\n').slice(0, -2).join('\n')), { connector: 'Outbound to Office 365', remote: '104.47.55.110:25' }));
    const r = reportOf([recv, send]);
    const hint = (direction: string) => r.groups.find((g) => g.direction === direction)!.hint!;
    expect(hint('receive')).toMatch(/Receive connector's certificate/);
    expect(hint('receive')).toMatch(/KB2989382/);
    expect(hint('receive')).not.toMatch(/Send connector/);
    expect(hint('send')).toMatch(/TlsCertificateName on the Send connector/);
    // Each finding carries the hint of its own direction too.
    expect(classifySession(recv)[0]!.hint).toBe(hint('receive'));
    expect(classifySession(send)[0]!.hint).toBe(hint('send'));
    // The JSON lists both keys, the plain one first: the ranking of details on equal counts is unchanged.
    const keys = Object.keys(r.categories.find((c) => c.id === 'tls-negotiation-failed')!.detailHints!);
    expect(keys.slice(keys.indexOf('UnknownCredentials'), keys.indexOf('UnknownCredentials') + 2)).toEqual(['UnknownCredentials', 'receive:UnknownCredentials']);
  });
});

/** A send session that negotiated `protocol` (`TLS1_0`, `TLS1_1`, `SSL3`) as client and delivered. */
const SEND_LEGACY = (protocol: string) => `*,,attempting to connect
+,,
<,220 mx.fabrikam.com ESMTP,
>,EHLO mail.contoso.com,
<,250  mx.fabrikam.com Hello STARTTLS,
>,STARTTLS,
<,220 2.0.0 Ready to start TLS,
*,,"TLS protocol SP_PROT_${protocol}_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"
>,EHLO mail.contoso.com,
<,250 mx.fabrikam.com Hello,
>,MAIL FROM:<a@contoso.com>,
<,250 2.1.0 Sender OK,
>,QUIT,
<,221 2.0.0 Bye,
-,,Local`;

describe('legacy-tls and TLS 1.2 hints', () => {
  const legacy = defaultRules.find((r) => r.id === 'legacy-tls')!;

  it('a send legacy-tls group and its findings get the client-side hint; a receive group keeps the device hint', () => {
    const sends = (['TLS1_0', 'TLS1_1', 'SSL3'] as const).map((p, i) =>
      build('send', session(`08DE00000000400${i}`, SEND_LEGACY(p), { connector: 'Internet', remote: `198.51.100.${20 + i}:25` })),
    );
    const recv = build('receive', session('08DE000000004010', RECV_LEGACY, { connector: 'EX01\\Relay Printers', remote: '10.1.1.50:40000' }));
    const r = reportOf([...sends, recv]);
    const send = r.groups.filter((g) => g.direction === 'send');
    expect(send.map((g) => Object.keys(g.details!['legacy-tls']!)[0]).sort()).toEqual(['SSL3', 'TLS1.0', 'TLS1.1']);
    for (const g of send) {
      expect(g.mainCategory).toBe('legacy-tls');
      expect(g.hint).toMatch(/Exchange was the TLS client/);
      expect(g.hint).toMatch(/TLS 1\.2\\Client Enabled=1, DisabledByDefault=0/);
      expect(g.hint).toMatch(/SchUseStrongCrypto=1, SystemDefaultTlsVersions=1/);
      expect(g.hint).not.toMatch(/printers|smtp-legacy|EHLO name/);
    }
    for (const s of sends) expect(classifySession(s)[0]!.hint).toBe(send[0]!.hint);
    const receive = r.groups.find((g) => g.direction === 'receive')!;
    expect(receive.details).toEqual({ 'legacy-tls': { 'TLS1.0': 1 } });
    expect(receive.hint).toBe(legacy.hint);
    expect(receive.hint).toMatch(/EHLO name and AUTH user/);
    expect(receive.hint).not.toMatch(/TLS client|Client Enabled/);
    expect(classifySession(recv)[0]!.hint).toBe(legacy.hint);
  });

  it("Exchange Online's 421 4.7.66 points to the sending server's client side, in a send log and a queue", () => {
    const body = `*,,attempting to connect\n+,,\n<,220 smtp.office365.com ESMTP,\n>,EHLO mail.contoso.com,\n<,421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls,\n-,,Remote`;
    const s = build('send', session('08DE000000004020', body, { connector: 'Smarthost', remote: '52.96.0.1:587' }));
    const f = classifySession(s);
    expect(f.map((x) => [x.category, x.detail])).toContainEqual(['legacy-tls', '421 4.7.66']);
    const hint = f.find((x) => x.category === 'legacy-tls')!.hint;
    expect(hint).toBe(legacy.detailHints!['421 4.7.66']);
    expect(hint).toMatch(/TLS 1\.2\\Client Enabled=1/);
    expect(detailHint(legacy.detailHints, '421 4.7.66', 'queue')).toBe(hint);
  });

  it('the TLS negotiation SocketError hint names no side and no peer: right for an internal Exchange sender too', () => {
    const recv = build('receive', session('08DE000000004030', `+,,\n>,220 EX01 ESMTP,\n<,EHLO ex02.contoso.local,\n>,250  EX01 Hello X-ANONYMOUSTLS,\n<,X-ANONYMOUSTLS,\n>,220 2.0.0 SMTP server ready,\n*,,TLS negotiation failed with error SocketError\n-,,Remote(SocketError)`, { connector: 'EX01\\Default EX01', remote: '10.0.1.22:23456' }));
    const g = reportOf([recv]).groups[0]!;
    expect(g.details).toEqual({ 'tls-negotiation-failed': { SocketError: 1 } });
    expect(g.hint).not.toMatch(/Exchange Online refuses/);
    expect(g.hint).toMatch(/one offers only TLS 1\.0\/1\.1, the other has them disabled/);
    expect(g.hint).toMatch(/DisabledByDefault=0/);
  });

  it('the registry steps are only where TLS 1.2 is the likely fix, and no built-in hint is long', () => {
    const steps = /SchUseStrongCrypto=1, SystemDefaultTlsVersions=1; current Windows/;
    const withSteps: string[] = [];
    for (const r of defaultRules) {
      for (const [key, text] of [['', r.hint], ...Object.entries(r.detailHints ?? {})] as const) {
        expect(text.length, `${r.id} ${key}`).toBeLessThanOrEqual(600);
        // Groups of plain logs are plain ASCII (output.formats tests the JSON writer on that).
        expect(/^[\x20-\x7e]*$/.test(text), `${r.id} ${key} is printable ASCII`).toBe(true);
        if (steps.test(text)) withSteps.push(`${r.id} ${key}`.trim());
      }
    }
    expect(withSteps).toEqual([
      'tls-negotiation-failed',
      'tls-negotiation-failed SocketError',
      'tls-negotiation-failed HandshakeAborted',
      'starttls-required send:*',
      'starttls-required queue:*',
      'legacy-tls send:TLS1.0',
      'legacy-tls send:TLS1.1',
      'legacy-tls send:SSL3',
      'legacy-tls 421 4.7.66',
    ]);
    // A drop after TLS 1.2 was negotiated is not the version's: the socket-error hint says so and stays short.
    expect(defaultRules.find((r) => r.id === 'socket-error')!.hint).toMatch(/If the TLS column shows 1\.2 for these sessions, the TLS version is not the cause/);
  });

  it('detailHints keys keep their order (the tie-break contract); new keys come after the existing ones', () => {
    const keys = (id: string) => Object.keys(defaultRules.find((r) => r.id === id)!.detailHints ?? {});
    expect(keys('tls-negotiation-failed')).toEqual([
      'NoCredentials', 'UnknownCredentials', 'receive:UnknownCredentials', 'CertificateValidation', 'CertUnknown',
      'UnableToInitializeSecuritySubsystem', 'AlgorithmMismatch', 'IllegalMessage', 'SocketError', 'HandshakeAborted',
    ]);
    expect(keys('legacy-tls')).toEqual(['send:TLS1.0', 'send:TLS1.1', 'send:SSL3', '421 4.7.66']);
  });
});

describe('RecentItems', () => {
  it('keeps the last few items, replacing the oldest once full', async () => {
    const { RecentItems } = await import('../src/bounded-cache.js');
    const recent = new RecentItems<string>(3);
    for (const x of ['a', 'b', 'c']) recent.add(x);
    expect(recent.items).toEqual(['a', 'b', 'c']);
    recent.add('d');
    expect(recent.items).toEqual(['d', 'b', 'c']);
    for (const x of ['e', 'f', 'g']) recent.add(x);
    expect(recent.items).toEqual(['g', 'e', 'f']);
  });
});

describe('ties between categories', () => {
  it('go to the failure, not to a warning listed earlier among the rules (connect-failed over legacy-tls)', async () => {
    const { categoryInfo } = await import('../src/classify/classify.js');
    const { defaultRules: rules, QUEUE_ERROR_RULE } = await import('../src/classify/rules.js');
    const { addCategoryCount, emptyAccumulated, finalizeReport, newGroupState } = await import('../src/report/finalize.js');
    const { categoryOrder } = await import('../src/report/severity.js');
    const categories = categoryInfo([...rules, QUEUE_ERROR_RULE]);
    const ids = categories.map((c) => c.id);
    // The rules list connect-failed after the two warnings; the order used for ties puts it before them.
    expect(ids.indexOf('connect-failed')).toBeGreaterThan(ids.indexOf('legacy-tls'));
    const order = categoryOrder(categories);
    expect(order.slice(-2)).toEqual(['legacy-tls', 'plaintext']);
    const acc = emptyAccumulated('test', categories, 3);
    const group = acc.groups.add(newGroupState('send', 'EX01', 'Outbound', '192.0.2.1'));
    group.sessions = 2;
    addCategoryCount(group, 'legacy-tls', 1);
    addCategoryCount(group, 'connect-failed', 1);
    const report = finalizeReport(acc);
    expect(report.groups[0]!.mainCategory).toBe('connect-failed');
    expect(Object.keys(report.groups[0]!.byCategory)).toEqual(['connect-failed', 'legacy-tls']);
  });
});

describe('count maps keyed by category', () => {
  it('list their keys in category order, then alphabetically, in every part of the report (json.md), the timeline included', async () => {
    const { categoryOrder } = await import('../src/report/severity.js');
    const { addTimelineCounts, emptyAccumulated, finalizeReport } = await import('../src/report/finalize.js');
    const categories = categoryInfo(defaultRules);
    const order = categoryOrder(categories);
    const canonical = (keys: string[]) =>
      [...keys].sort((a, b) => {
        const [x, y] = [order.indexOf(a), order.indexOf(b)].map((i) => (i < 0 ? order.length : i)) as [number, number];
        return x - y || (a < b ? -1 : a > b ? 1 : 0);
      });
    // Counts arriving alphabetically, a user's category among them: the report must not keep arrival order.
    const acc = emptyAccumulated('test', categories, 3);
    addTimelineCounts(acc, '2025-11-10T09:00:00.000Z', { 'legacy-tls': 5, plaintext: 2, 'socket-error': 2, 'my-rule': 1, 'tls-negotiation-failed': 6 });
    const built = finalizeReport(acc);
    expect(Object.keys(built.timeline!.points[0]!.byCategory)).toEqual(['tls-negotiation-failed', 'socket-error', 'legacy-tls', 'plaintext', 'my-rule']);

    const report = await scan('samples');
    const maps: Array<[string, Record<string, number>]> = [['totals', report.totals.byCategory]];
    for (const g of report.groups) maps.push([`group ${g.remoteHost}`, g.byCategory], [`details ${g.remoteHost}`, g.details as never]);
    for (const r of [...report.hosts, ...report.connectors]) maps.push([`rollup ${r.key}`, r.byCategory]);
    for (const p of report.timeline!.points) maps.push([`timeline ${p.t}`, p.byCategory]);
    expect(report.timeline!.points.some((p) => Object.keys(p.byCategory).length > 2)).toBe(true);
    for (const [name, counts] of maps) expect(Object.keys(counts), name).toEqual(canonical(Object.keys(counts)));
  });
});

describe('sample texts from strangers', () => {
  it('quotes at most 2,048 characters of a row, says how many were left out, and never splits a surrogate pair', () => {
    expect(sampleText('short')).toBe('short');
    const long = 'TLS negotiation failed with error ' + 'x'.repeat(900_000);
    const cut = sampleText(long);
    expect(cut.startsWith(long.slice(0, MAX_SAMPLE_TEXT))).toBe(true);
    expect(cut.endsWith(` … [${long.length - MAX_SAMPLE_TEXT} more characters]`)).toBe(true);
    const emoji = 'a'.repeat(MAX_SAMPLE_TEXT - 1) + '\u{1F600}' + 'b'.repeat(10);
    const safe = sampleText(emoji);
    expect(safe.slice(0, MAX_SAMPLE_TEXT - 1)).toBe('a'.repeat(MAX_SAMPLE_TEXT - 1));
    expect(safe.charAt(MAX_SAMPLE_TEXT - 1)).toBe(' ');
    expect(safe).toContain('[12 more characters]');
    // Cut once: a merge of a report this build wrote keeps its samples as they are.
    expect(sampleText(cut)).toBe(cut);
  });

  it("cuts the longer samples of a report merged from an older build, and leaves this build's alone", async () => {
    const base = await scan(fileURLToPath(new URL('../samples/EX01', import.meta.url)));
    const old: Report = structuredClone(base);
    const sample = old.groups.find((g) => g.samples.length > 0)!.samples[0]!;
    sample.text = `${sample.text} ${'y'.repeat(6000)}`;
    const merged = mergeReports([old]);
    const texts = merged.groups.flatMap((g) => g.samples.map((s) => s.text));
    expect(texts.every((t) => t.length <= MAX_SAMPLE_TEXT + 40)).toBe(true);
    expect(texts.some((t) => / … \[\d+ more characters\]$/.test(t))).toBe(true);
    expect(JSON.stringify(mergeReports([base]).groups)).toBe(JSON.stringify(base.groups));
  });

  it('keeps a report of 900 KB rows small: each sample is cut, in every group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-longrow-'));
    try {
      const file = join(dir, 'RECV2026112800-1.LOG');
      const head = '#Software: Microsoft Exchange Server\r\n#Version: 15.2.1544.4\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2026-11-28T00:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n';
      const rowsOf = (i: number) => {
        const at = `2026-11-28T00:00:${String(i).padStart(2, '0')}.000Z,EX01\\Default Frontend EX01,08DE1B4BA26E10${String(i).padStart(2, '0')}`;
        const ends = `10.0.1.21:25,203.0.113.${i}:50000`;
        return [`${at},0,${ends},+,,`, `${at},1,${ends},*,,TLS negotiation failed with error UnknownCredentials ${'z'.repeat(300_000)}`, `${at},2,${ends},-,,Local`].join('\r\n');
      };
      writeFileSync(file, head + [1, 2, 3].map(rowsOf).join('\r\n') + '\r\n');
      const report = await scan(file);
      expect(report.groups).toHaveLength(3);
      for (const g of report.groups) {
        expect(g.mainCategory).toBe('tls-negotiation-failed');
        for (const s of g.samples) expect(s.text.length).toBeLessThan(MAX_SAMPLE_TEXT + 40);
      }
      expect(renderJson(report).length).toBeLessThan(60_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
