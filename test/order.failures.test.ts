import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { SessionAssembler } from '../src/sessions/builder.js';
import { categoryInfo, classifySession } from '../src/classify/classify.js';
import { defaultRules } from '../src/classify/rules.js';
import { ReportBuilder } from '../src/report/builder.js';
import { renderCsv } from '../src/output/csv.js';
import { renderJson } from '../src/output/json.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import type { Report, Session } from '../src/types.js';
import { session } from './helpers/rows.js';

/*
 * The incident that changed the order: a relay connector with hundreds of legacy-TLS warnings and a couple of
 * drops ranked above a server-to-server path on which every session failed (EX03 → EX01, #22 of the table and
 * so outside the default --top 20). Failed sessions now count before warnings.
 */

/** A TLS 1.0 session: a legacy-tls warning; `drop` ends it on Remote(SocketError), a socket-error failure too. */
const recvLegacy = (drop: boolean) => `+,,
>,220 EX01 Microsoft ESMTP MAIL Service ready,
<,EHLO printer01,
>,250  EX01 Hello [10.1.1.50] SIZE STARTTLS AUTH,
<,STARTTLS,
>,220 2.0.0 SMTP server ready,
*,,"TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"
${drop ? '-,,Remote(SocketError)' : '<,QUIT,\n>,221 Bye,\n-,,Local'}`;

/** EX03 → EX01 up to the go-ahead for X-ANONYMOUSTLS (Exchange to Exchange STARTTLS). */
const SEND_TO_HANDSHAKE = `*,,attempting to connect
+,,
<,"220 EX01.contoso.local Microsoft ESMTP MAIL Service ready at Mon, 10 Nov 2025 09:00:00 +0000",
>,EHLO EX03.contoso.local,
<,250  EX01.contoso.local Hello [10.0.0.13] SIZE PIPELINING STARTTLS X-ANONYMOUSTLS CHUNKING,
>,X-ANONYMOUSTLS,
<,220 2.0.0 SMTP server ready`;

/** EX03 → EX01 over STARTTLS, failing the handshake: a tls-negotiation-failed failure. */
const SEND_TLS_FAIL = `${SEND_TO_HANDSHAKE}
*,,TLS negotiation failed with error UnknownCredentials
-,,Remote(SocketError)`;

const A_HOST = '10.1.1.50';
const B_HOST = '10.0.0.11';
const C_HOST = '10.1.1.60';
const B_CONNECTOR = 'Intra-Organization SMTP Send Connector';

function build(direction: 'send' | 'receive', server: string, recs: ReturnType<typeof session>): Session {
  const a = new SessionAssembler({ origin: direction, direction, serverHint: server });
  return [...a.add(recs), ...a.end()][0]!;
}

function incidentReport(withC = false): Report {
  const sessions: Session[] = [];
  const t0 = Date.parse('2025-11-10T08:00:00.000Z');
  // A: 400 sessions, all TLS 1.0 (400 legacy-tls warnings), 2 of them dropped (2 socket-error failures).
  for (let i = 0; i < 400; i++) {
    const start = new Date(t0 + i * 60_000).toISOString();
    const id = `08DE0000000A${String(i).padStart(4, '0')}`;
    sessions.push(build('receive', 'EX01', session(id, recvLegacy(i % 200 === 7), { connector: 'EX01\\Relay Printers', remote: `${A_HOST}:${40000 + i}`, start, source: 'RECV.LOG' })));
  }
  // B: 30 sessions, every one failing TLS.
  for (let i = 0; i < 30; i++) {
    const start = new Date(t0 + i * 5 * 60_000).toISOString();
    const id = `08DE0000000B${String(i).padStart(4, '0')}`;
    sessions.push(build('send', 'EX03', session(id, SEND_TLS_FAIL, { connector: B_CONNECTOR, remote: `${B_HOST}:25`, local: '10.0.0.13:50000', start, source: 'SEND.LOG' })));
  }
  // C (on request): as many failed sessions as B, 30 drops, among 400 sessions with 400 warnings.
  for (let i = 0; withC && i < 400; i++) {
    const start = new Date(t0 + i * 60_000).toISOString();
    const id = `08DE0000000C${String(i).padStart(4, '0')}`;
    sessions.push(build('receive', 'EX01', session(id, recvLegacy(i < 30), { connector: 'EX01\\Relay Printers', remote: `${C_HOST}:${40000 + i}`, start, source: 'RECV.LOG' })));
  }
  const b = new ReportBuilder({ samples: 3, categories: categoryInfo(defaultRules), version: 'test' });
  for (const s of sessions) b.addSession(s, classifySession(s));
  return b.build();
}

describe('order: failed sessions before warnings', () => {
  const report = incidentReport();

  it('builds the incident as described (the old volume order would put A first)', () => {
    const a = report.groups.find((g) => g.remoteHost === A_HOST)!;
    const b = report.groups.find((g) => g.remoteHost === B_HOST)!;
    expect(a).toMatchObject({ direction: 'receive', sessions: 400, byCategory: { 'socket-error': 2, 'legacy-tls': 400 } });
    expect(b).toMatchObject({ direction: 'send', server: 'EX03', connector: B_CONNECTOR, sessions: 30, byCategory: { 'tls-negotiation-failed': 30 } });
    expect(report.groups).toHaveLength(2);
  });

  it('ranks B (30 of 30 failed) before A (2 failed, 400 warnings) in the JSON and its rollups', () => {
    const json = JSON.parse(renderJson(report)) as Report;
    expect(json.groups.map((g) => g.remoteHost)).toEqual([B_HOST, A_HOST]);
    expect(json.hosts.map((h) => h.key)).toEqual([B_HOST, A_HOST]);
    expect(json.connectors.map((c) => c.key)).toEqual([B_CONNECTOR, 'EX01\\Relay Printers']);
  });

  it('ranks B first in the table, also when only the top group is shown', () => {
    const out = renderTable(report, { width: 300, color: false }).replace(/\u001b\[[0-9;]*m/g, '');
    const rows = out.split('\n').filter((l) => /^(recv|send)\s/.test(l));
    expect(rows[0]).toContain(B_HOST);
    expect(rows[1]).toContain(A_HOST);
    const top1 = renderTable(report, { width: 300, top: 1, color: false }).replace(/\u001b\[[0-9;]*m/g, '');
    expect(top1).toMatch(/^\[1\] send {2}EX03 {2}Intra-Organization SMTP Send Connector → 10\.0\.0\.11$/m);
    expect(top1).not.toContain(`→ ${A_HOST}`);
  });

  it('ranks B first in Markdown and CSV', () => {
    const sections = renderMarkdown(report).split('\n').filter((l) => l.startsWith('### '));
    expect(sections[0]).toContain(`→ ${B_HOST}`);
    expect(sections[1]).toContain(`→ ${A_HOST}`);
    const rows = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const host = rows[0]!.indexOf('remoteHost');
    expect(rows.slice(1).map((r) => r[host])).toEqual([B_HOST, A_HOST]);
  });
});

describe('order: equal failure counts', () => {
  const report = incidentReport(true);

  it('puts the group with the higher share of failed sessions first (30 of 30 before 30 of 400), in every format', () => {
    const c = report.groups.find((g) => g.remoteHost === C_HOST)!;
    expect(c.byCategory).toEqual({ 'socket-error': 30, 'legacy-tls': 400 });
    const order = [B_HOST, C_HOST, A_HOST];
    expect((JSON.parse(renderJson(report)) as Report).groups.map((g) => g.remoteHost)).toEqual(order);
    const rows = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const host = rows[0]!.indexOf('remoteHost');
    expect(rows.slice(1).map((r) => r[host])).toEqual(order);
    const table = renderTable(report, { width: 300 }).split('\n').filter((l) => /^(recv|send)\s/.test(l));
    order.forEach((h, i) => expect(table[i]).toContain(h));
    const sections = renderMarkdown(report).split('\n').filter((l) => l.startsWith('### '));
    order.forEach((h, i) => expect(sections[i]).toContain(`→ ${h}`));
  });
});

/** EX03 → EX01 over TLS 1.0 that works: a legacy-tls warning on the send side. */
const SEND_LEGACY = `${SEND_TO_HANDSHAKE}
*,,"TLS protocol SP_PROT_TLS1_0_CLIENT negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA1 with strength 160 bits and key exchange algorithm CALG_ECDHE with strength 256 bits"
>,QUIT,
<,221 2.0.0 Service closing transmission channel,
-,,Local`;

/**
 * `legacy` TLS 1.0 sessions, then `failing` handshake failures, a minute apart, all to one host; or the other way
 * round; or in the order `kinds` gives ('L' legacy, 'F' failure).
 */
function cutOffReport(legacy: number, failing: number, failuresFirst = false, order?: string): Report {
  const t0 = Date.parse('2026-11-28T00:00:00.000Z');
  const kinds = order !== undefined ? [...order].map((k) => (k === 'L' ? SEND_LEGACY : SEND_TLS_FAIL)) : [...Array<string>(legacy).fill(SEND_LEGACY), ...Array<string>(failing).fill(SEND_TLS_FAIL)];
  if (failuresFirst) kinds.reverse();
  const b = new ReportBuilder({ samples: 3, categories: categoryInfo(defaultRules), version: 'test' });
  kinds.forEach((text, i) => {
    const id = `08DE0000000D${String(i).padStart(4, '0')}`;
    const start = new Date(t0 + i * 60_000).toISOString();
    const s = build('send', 'EX03', session(id, text, { connector: 'Outbound to Office 365', remote: '52.101.68.5:25', local: '10.0.0.13:50000', start, source: 'SEND.LOG' }));
    b.addSession(s, classifySession(s));
  });
  return b.build();
}

describe('main category: a group failing now leads with its failure', () => {
  it('takes the failure that goes on after more numerous legacy-TLS warnings (TLS 1.0 until the peer refused it)', () => {
    const report = cutOffReport(23, 17);
    const [g] = report.groups;
    expect(g!.byCategory).toEqual({ 'tls-negotiation-failed': 17, 'legacy-tls': 23 });
    expect(g!.mainCategory).toBe('tls-negotiation-failed');
    const failed = report.categories.find((c) => c.id === 'tls-negotiation-failed')!;
    expect(failed.detailHints?.UnknownCredentials).toBeDefined();
    expect(g!.hint).toBe(failed.detailHints!.UnknownCredentials);
    // The table's findings cell and the group block lead with it, so a narrow terminal does not cut it off.
    const table = renderTable(report, { width: 300, color: false });
    expect(table).toMatch(/\s40\s+tls-negotiation-failed:17 legacy-tls:23\s/);
    const block = table.slice(table.indexOf('[1] send'));
    expect(block.indexOf('TLS negotiation failed: 17')).toBeGreaterThan(-1);
    expect(block.indexOf('TLS negotiation failed: 17')).toBeLessThan(block.indexOf('Legacy TLS negotiated'));
    expect(renderMarkdown(report)).toContain('tls-negotiation-failed:17 legacy-tls:23');
    // CSV: the main category's columns and sample are the failure's.
    const rows = parse(renderCsv(report), { record_delimiter: '\r\n' }) as string[][];
    const col = (name: string) => rows[1]![rows[0]!.indexOf(name)];
    expect(col('mainCategory')).toBe('tls-negotiation-failed');
    expect(col('mainFirstSeen')).toMatch(/^2026-11-28T00:23:/);
    expect(col('sample')).toContain('UnknownCredentials');
  });

  it('keeps the most numerous warning when the warnings go on after the failures', () => {
    const report = cutOffReport(23, 17, true);
    expect(report.groups[0]!.mainCategory).toBe('legacy-tls');
    expect(renderTable(report, { width: 300, color: false })).toMatch(/\s40\s+legacy-tls:23 tls-negotiation-failed:17\s/);
    // The incident's printer: 400 TLS 1.0 sessions, two of them dropped along the way.
    const a = incidentReport().groups.find((g) => g.remoteHost === A_HOST)!;
    expect(a.mainCategory).toBe('legacy-tls');
  });

  it("keeps the count's choice for one failure after the warnings, or failures mixed in with them", () => {
    // One failed session after 23 legacy ones is not a pattern yet.
    expect(cutOffReport(23, 1).groups[0]!.mainCategory).toBe('legacy-tls');
    // Failures that began while the warnings went on, even if the last session failed.
    const mixed = cutOffReport(0, 0, false, 'LLLLLLLLLLFLLLLLLLLLLFF');
    expect(mixed.groups[0]!.byCategory).toEqual({ 'tls-negotiation-failed': 3, 'legacy-tls': 20 });
    expect(mixed.groups[0]!.mainCategory).toBe('legacy-tls');
    // Two after the last warning: the warnings stopped and the failure took over.
    expect(cutOffReport(23, 2).groups[0]!.mainCategory).toBe('tls-negotiation-failed');
  });

  it('leaves the count to decide when the failures outnumber the warnings anyway', () => {
    expect(cutOffReport(3, 17, true).groups[0]!.mainCategory).toBe('tls-negotiation-failed');
    expect(cutOffReport(17, 3, true).groups[0]!.mainCategory).toBe('legacy-tls');
  });
});

describe('main category: failures of sessions that are warnings too', () => {
  it('keeps legacy-tls when the last TLS 1.0 sessions drop at their end (parallel connections, as a hub opens them)', () => {
    const t0 = Date.parse('2025-11-10T08:00:00.000Z');
    const b = new ReportBuilder({ samples: 3, categories: categoryInfo(defaultRules), version: 'test' });
    const add = (i: number, drop: boolean, minute: number) => {
      const s = build('receive', 'EX01', session(`08DE0000000E${String(i).padStart(4, '0')}`, recvLegacy(drop), { connector: 'EX01\\Relay Printers', remote: `${A_HOST}:${40000 + i}`, start: new Date(t0 + minute * 60_000).toISOString(), source: 'RECV.LOG' }));
      b.addSession(s, classifySession(s));
    };
    for (let i = 0; i < 100; i++) add(i, false, i);
    // Two connections that start together, negotiate TLS 1.0 and are both dropped: their drops come after every
    // TLS 1.0 row, but the warnings did not stop, the sessions that failed are TLS 1.0 sessions themselves.
    add(100, true, 100);
    add(101, true, 100);
    const [g] = b.build().groups;
    expect(g!.byCategory).toEqual({ 'socket-error': 2, 'legacy-tls': 102 });
    expect(g!.mainCategory).toBe('legacy-tls');
    // Spans date a finding by its session's start.
    expect(g!.findingSpans!['socket-error']).toEqual({ first: '2025-11-10T09:40:00.000Z', last: '2025-11-10T09:40:00.000Z' });
  });
});
