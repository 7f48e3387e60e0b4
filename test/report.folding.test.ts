import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionAssembler } from '../src/sessions/builder.js';
import { categoryInfo, classifySession } from '../src/classify/classify.js';
import { defaultRules } from '../src/classify/rules.js';
import { DEFAULT_MAX_GROUPS, ReportBuilder, type PartialReport } from '../src/report/builder.js';
import { newGroupState, OTHER_CONNECTORS, OTHER_HOSTS } from '../src/report/finalize.js';
import { mergeReports, reportShapeProblem } from '../src/report/merge.js';
import { InTurn } from '../src/workers.js';
import { scan } from '../src/scan.js';
import type { Report, Session } from '../src/types.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderJson } from '../src/output/json.js';
import { renderCsv } from '../src/output/csv.js';
import { renderHtml } from '../src/output/html.js';
import { renderTable } from '../src/output/table.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';
import { session } from './helpers/rows.js';

// Memory follows the number of report groups, and an internet-facing connector meets a new remote IP for nearly
// every botnet session: past maxGroups, hosts are folded into one `(other hosts)` group per connector.

const HEALTHY = `+,,
>,220 EX01 Microsoft ESMTP MAIL Service ready,
<,EHLO mail.example.net,
>,250  EX01 Hello SIZE STARTTLS,
<,STARTTLS,
>,220 2.0.0 SMTP server ready,
*,,"TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA384 with strength 384 bits and key exchange algorithm CALG_ECDH_EPHEM with strength 384 bits"
<,QUIT,
>,221 Bye,
-,,Local`;

const LEGACY = HEALTHY.replace('SP_PROT_TLS1_2_SERVER', 'SP_PROT_TLS1_0_SERVER');

let n = 0;
function sessionFrom(ip: string, body: string, minute = n, connector = 'EX01\\Default Frontend EX01'): Session {
  const id = `08DE00000000${String(n++).padStart(4, '0')}`;
  const start = new Date(Date.parse('2025-11-10T09:00:00.000Z') + minute * 60_000).toISOString();
  const a = new SessionAssembler({ origin: 'recv', direction: 'receive', serverHint: 'EX01' });
  return [...a.add(session(id, body, { connector, remote: `${ip}:40000`, start })), ...a.end()][0]!;
}

function builder(maxGroups?: number): ReportBuilder {
  return new ReportBuilder({ samples: 2, categories: categoryInfo(defaultRules), version: 'test', maxGroups });
}

function add(b: ReportBuilder, ...sessions: Session[]): void {
  for (const s of sessions) b.addSession(s, classifySession(s));
}

const hostsOf = (r: Report) => r.groups.filter((g) => g.folded !== true).map((g) => g.remoteHost).sort();
const foldedOf = (r: Report) => r.groups.filter((g) => g.folded === true);

describe('folding remote hosts past maxGroups', () => {
  it('counts the sessions of hosts past the limit in the connector\'s (other hosts) group, and says so', () => {
    const b = builder(3);
    add(b, ...['203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '203.0.113.5'].map((ip) => sessionFrom(ip, HEALTHY)));
    const r = b.build();
    expect(hostsOf(r)).toEqual(['203.0.113.1', '203.0.113.2', '203.0.113.3']);
    const [other] = foldedOf(r);
    expect(other).toMatchObject({ remoteHost: OTHER_HOSTS, folded: true, connector: 'EX01\\Default Frontend EX01', sessions: 2, tlsVersions: { 'TLS1.2': 2 } });
    expect(r.folded).toEqual({ maxGroups: 3, sessions: 2 });
    // Nothing lost: every session is in some group, and the totals are those of all five.
    expect(r.totals.sessions).toBe(5);
    expect(r.groups.reduce((s, g) => s + g.sessions, 0)).toBe(5);
    // The hosts roll-up shows the folded hosts as one line that says what it is.
    expect(r.hosts.find((h) => h.key === OTHER_HOSTS)?.sessions).toBe(2);
  });

  it('gives a host with a finding the place of the healthy group seen least recently', () => {
    const b = builder(3);
    add(b, sessionFrom('203.0.113.1', HEALTHY), sessionFrom('203.0.113.2', HEALTHY), sessionFrom('203.0.113.3', HEALTHY));
    // .1 sends again: .2 is now the one seen least recently.
    add(b, sessionFrom('203.0.113.1', HEALTHY));
    add(b, sessionFrom('10.1.1.50', LEGACY));
    const r = b.build();
    expect(hostsOf(r)).toEqual(['10.1.1.50', '203.0.113.1', '203.0.113.3']);
    expect(r.groups.find((g) => g.remoteHost === '10.1.1.50')?.byCategory).toEqual({ 'legacy-tls': 1 });
    expect(r.groups.find((g) => g.remoteHost === '203.0.113.1')?.sessions).toBe(2);
    expect(foldedOf(r)).toHaveLength(1);
    expect(foldedOf(r)[0]!.sessions).toBe(1);
    expect(r.folded).toEqual({ maxGroups: 3, sessions: 1 });
  });

  it('when every group has a finding, gives a new failing host the place of the one seen least recently, keeping counts, details and evidence', () => {
    const b = builder(2);
    add(b, sessionFrom('10.1.1.1', LEGACY), sessionFrom('10.1.1.2', LEGACY), sessionFrom('10.1.1.3', LEGACY), sessionFrom('10.1.1.4', HEALTHY));
    const r = b.build();
    // .3 takes the place of .1 (one session each, .1 seen first); the healthy .4 is folded with it.
    expect(hostsOf(r)).toEqual(['10.1.1.2', '10.1.1.3']);
    const [other] = foldedOf(r);
    expect(other!.sessions).toBe(2);
    expect(other!.byCategory).toEqual({ 'legacy-tls': 1 });
    expect(other!.mainCategory).toBe('legacy-tls');
    expect(other!.samples.map((s) => s.category)).toEqual(['legacy-tls']);
    // The folded group stands for several hosts: its evidence names the host of each row; other groups' does not.
    expect(other!.samples.map((s) => s.remoteHost)).toEqual(['10.1.1.1']);
    expect(r.groups.filter((g) => g.folded !== true).flatMap((g) => g.samples.map((s) => s.remoteHost))).toEqual([undefined, undefined]);
    expect(r.totals.byCategory['legacy-tls']).toBe(3);
    // Shown beside the row's session id in every format that quotes evidence.
    expect(renderTable(r, { color: false, width: 200 })).toMatch(/test\.LOG:\d+ {2}08DE\d+ {2}10\.1\.1\.1\n/);
    expect(renderMarkdown(r, {})).toMatch(/session 08DE\d+ from 10\.1\.1\.1:/);
    expect(renderHtml(r)).toMatch(/<td class="small mono">08DE\d+<div>10\.1\.1\.1<\/div><\/td>/);
  });

  it('keeps a failing host that keeps coming back while one-off failing addresses take each other\'s places', () => {
    const b = builder(5);
    add(b, sessionFrom('192.0.2.77', LEGACY), sessionFrom('192.0.2.77', LEGACY));
    for (let i = 0; i < 200; i++) {
      add(b, sessionFrom(`198.18.${i >> 8}.${i & 255}`, LEGACY));
      // The partner sends again now and then, far less often than the bots arrive.
      if (i % 50 === 49) add(b, sessionFrom('192.0.2.77', LEGACY));
    }
    const r = b.build();
    expect(r.groups.find((g) => g.remoteHost === '192.0.2.77' && g.folded !== true)?.sessions).toBe(6);
    expect(r.groups.filter((g) => g.folded !== true)).toHaveLength(5);
    expect(r.totals.sessions).toBe(206);
  });

  it('gives the hosts of a smaller connector rows at the cost of the largest one: an outbound partner is not lost among botnet addresses', () => {
    const b = builder(10);
    for (let i = 0; i < 50; i++) add(b, sessionFrom(`198.18.0.${i}`, LEGACY));
    const a = new SessionAssembler({ origin: 'send', direction: 'send', serverHint: 'EDGE01' });
    const failing = [...a.add(session('08DE00000000F001', `*,,attempting to connect
+,,
<,"220 mail.wingtiptoys.com ESMTP",
>,EHLO edge01.contoso.com,
<,250  mail.wingtiptoys.com Hello SIZE STARTTLS,
>,STARTTLS,
<,220 2.0.0 Ready to start TLS,
*,,TLS negotiation failed with error SocketError
-,,Remote(SocketError)`, { connector: 'EdgeSync - Inbound to Internet', remote: '203.0.113.55:25', start: '2025-11-10T10:00:00.000Z' })), ...a.end()];
    add(b, ...failing);
    // A healthy relay device on a third connector gets its row too.
    const relay = sessionFrom('10.9.9.9', HEALTHY);
    add(b, { ...relay, connector: 'EX01\\Relay Printers' });
    const r = b.build();
    const own = r.groups.filter((g) => g.folded !== true);
    expect(own).toHaveLength(10);
    expect(own.find((g) => g.remoteHost === '203.0.113.55')).toMatchObject({ direction: 'send', byCategory: { 'tls-negotiation-failed': 1 } });
    expect(own.find((g) => g.remoteHost === '10.9.9.9')?.connector).toBe('EX01\\Relay Printers');
    expect(own.filter((g) => g.connector === 'EX01\\Default Frontend EX01')).toHaveLength(8);
    expect(r.totals.sessions).toBe(52);
  });

  it('orders the groups held when the limit comes near by when they were last seen, so a partner that keeps sending is not folded first', () => {
    const b = builder(10);
    // Ten minutes apart: the partner sends between one-off addresses, and stays the one seen most recently.
    let minute = 0;
    for (let i = 1; i <= 8; i++) {
      add(b, sessionFrom('192.0.2.10', HEALTHY, minute++));
      add(b, sessionFrom(`198.18.0.${i}`, HEALTHY, minute++));
    }
    add(b, sessionFrom('198.18.0.9', HEALTHY, minute++), sessionFrom('198.18.0.10', HEALTHY, minute++));
    add(b, sessionFrom('10.1.1.1', LEGACY, minute++), sessionFrom('10.1.1.2', LEGACY, minute++));
    const r = b.build();
    expect(r.groups.find((g) => g.remoteHost === '192.0.2.10' && g.folded !== true)?.sessions).toBe(8);
    expect(foldedOf(r)[0]!.sessions).toBe(3); // one-off .1, .2 (given up for the failing hosts) and .10 (past the limit, healthy)
  });

  it('takes rows from whichever connector is the largest now, so connectors end up with even shares', () => {
    const b = builder(10);
    const on = (connector: string, n: number) => {
      for (let i = 0; i < n; i++) add(b, { ...sessionFrom(`198.18.${connector.length}.${i}`, HEALTHY), connector });
    };
    // A fills the limit; B, C and then four one-host connectors arrive later.
    on('A', 10);
    on('BB', 5);
    on('CCC', 4);
    for (const c of ['DDDD', 'EEEEE', 'FFFFFF', 'GGGGGGG']) on(c, 1);
    const rows = new Map<string, number>();
    for (const g of b.build().groups) if (g.folded !== true) rows.set(g.connector, (rows.get(g.connector) ?? 0) + 1);
    expect([...rows.values()].reduce((x, y) => x + y, 0)).toBe(10);
    expect([...rows.keys()].sort()).toEqual(['A', 'BB', 'CCC', 'DDDD', 'EEEEE', 'FFFFFF', 'GGGGGGG']);
    expect(Math.max(...rows.values())).toBe(2);
  });

  it('stays fast and bounded with a new connector id on every session (hostile or damaged logs)', () => {
    const b = builder(20);
    const one = sessionFrom('203.0.113.7', HEALTHY);
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) add(b, { ...one, connector: `EX01\\Conn${i}`, remote: { ip: `203.0.${i >> 8 & 255}.${i & 255}`, port: 25, raw: '' } });
    const r = b.build();
    expect(r.totals.sessions).toBe(20_000);
    expect(r.groups.filter((g) => g.folded !== true)).toHaveLength(20);
    // Folded groups have the same limit, then one (other connectors) group takes the rest.
    expect(foldedOf(r).length).toBeLessThanOrEqual(21);
    expect(r.groups.reduce((n, g) => n + g.sessions, 0)).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('folds nothing under the limit, and nothing with Infinity: the report is as before', () => {
    const sessions = Array.from({ length: 6 }, (_, i) => sessionFrom(`198.51.100.${i}`, i % 2 === 0 ? LEGACY : HEALTHY));
    const unlimited = builder(Infinity);
    const roomy = builder(6);
    add(unlimited, ...sessions);
    add(roomy, ...sessions);
    const [a, b] = [unlimited.build(), roomy.build()];
    expect(a.folded).toBeUndefined();
    expect(foldedOf(a)).toEqual([]);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(DEFAULT_MAX_GROUPS).toBe(35_000);
  });

  it('holds the limit when partials of other threads are absorbed, and adds their folded groups up', () => {
    const parts = [0, 1].map((t) => {
      const b = builder(2);
      add(b, ...[1, 2, 3].map((i) => sessionFrom(`192.0.2.${t * 10 + i}`, HEALTHY)));
      return structuredClone(b.partial()) as PartialReport;
    });
    const main = builder(3);
    for (const p of parts) main.absorb(p);
    const r = main.build();
    expect(r.groups.filter((g) => g.folded !== true)).toHaveLength(3);
    expect(foldedOf(r)).toHaveLength(1);
    expect(r.totals.sessions).toBe(6);
    expect(r.groups.reduce((s, g) => s + g.sessions, 0)).toBe(6);
    expect(r.folded).toEqual({ maxGroups: 3, sessions: 3 });
  });

  it('takes a host that another log set\'s partial gave a finding out of the healthy groups folded first', () => {
    const main = builder(2);
    add(main, sessionFrom('10.0.0.1', HEALTHY), sessionFrom('10.0.0.2', HEALTHY));
    const other = builder(2);
    add(other, sessionFrom('10.0.0.1', LEGACY));
    main.absorb(structuredClone(other.partial()) as PartialReport);
    // A new failing host needs room: the healthy 10.0.0.2 goes, not 10.0.0.1 with its TLS 1.0 session.
    add(main, sessionFrom('10.0.0.9', LEGACY));
    const r = main.build();
    expect(hostsOf(r)).toEqual(['10.0.0.1', '10.0.0.9']);
    expect(r.groups.find((g) => g.remoteHost === '10.0.0.1')!.byCategory).toEqual({ 'legacy-tls': 1 });
  });

  it('keeps folded groups bounded too: past the limit, new connectors fold into (other connectors)', () => {
    const b = builder(5);
    for (let i = 0; i < 50; i++) {
      const s = sessionFrom(`192.0.2.${i}`, HEALTHY);
      add(b, { ...s, connector: `EX01\\Connector ${i}` });
    }
    const r = b.build();
    expect(r.groups.filter((g) => g.folded !== true)).toHaveLength(5);
    const folded = foldedOf(r);
    expect(folded.length).toBeLessThanOrEqual(6);
    expect(folded.find((g) => g.connector === '(other connectors)')).toMatchObject({ server: null, sessions: 40 });
    expect(r.totals.sessions).toBe(50);
    expect(r.groups.reduce((n, g) => n + g.sessions, 0)).toBe(50);
  });

  it('takes a remote host that is literally "(other hosts)" for a host, not for the folded group', () => {
    const b = builder(1);
    add(b, sessionFrom('(other hosts)', HEALTHY), sessionFrom('203.0.113.9', HEALTHY));
    const r = b.build();
    const named = r.groups.filter((g) => g.remoteHost === OTHER_HOSTS);
    expect(named.map((g) => g.folded === true).sort()).toEqual([false, true]);
  });

  it('merges folded groups of two reports into one per connector, with the larger limit', () => {
    const reportWith = (limit: number, base: number) => {
      const b = builder(limit);
      add(b, ...[1, 2, 3, 4].map((i) => sessionFrom(`198.18.${base}.${i}`, HEALTHY)));
      return JSON.parse(JSON.stringify(b.build())) as Report;
    };
    const parts = [reportWith(2, 1), reportWith(3, 2)];
    const merged = mergeReports(parts, { samples: 2 });
    expect(foldedOf(merged)).toHaveLength(1);
    expect(foldedOf(merged)[0]!.sessions).toBe(3);
    expect(merged.folded).toEqual({ maxGroups: 3, sessions: 3 });
    expect(merged.groups.filter((g) => g.folded !== true)).toHaveLength(5);
    expect(merged.totals.sessions).toBe(8);
    // Past its own limit, the merge folds too, and says its limit; Infinity folds only what the reports folded.
    const tighter = mergeReports(parts, { samples: 2, maxGroups: 4 });
    expect(tighter.groups.filter((g) => g.folded !== true)).toHaveLength(4);
    expect(tighter.folded).toEqual({ maxGroups: 4, sessions: 4 });
    expect(tighter.totals.sessions).toBe(8);
    expect(mergeReports(parts, { samples: 2, maxGroups: Infinity })).toEqual(merged);
    expect(() => mergeReports([], { maxGroups: 0 })).toThrow(/maxGroups/);
  });

  it('in a merge, a host the next report has again is seen again: the one seen least recently gives up its row', () => {
    const reportOf = (...sessions: Session[]) => {
      const b = builder(Infinity);
      add(b, ...sessions);
      return JSON.parse(JSON.stringify(b.build())) as Report;
    };
    const A = 'EX01\\Default Frontend EX01';
    const day1 = reportOf(sessionFrom('192.0.2.1', HEALTHY, 0, A), sessionFrom('198.51.100.1', HEALTHY, 1, A), sessionFrom('198.51.100.2', HEALTHY, 2, A));
    // Day 2: the partner again (its group comes first: two sessions), then a host of a relay connector, which takes
    // a row of the largest connector's: the one seen least recently is .1 now, not the partner.
    const day2 = reportOf(sessionFrom('192.0.2.1', HEALTHY, 1440, A), sessionFrom('192.0.2.1', HEALTHY, 1441, A), sessionFrom('10.1.1.50', HEALTHY, 1442, 'EX01\\Relay'));
    const merged = mergeReports([day1, day2], { samples: 2, maxGroups: 3 });
    expect(hostsOf(merged)).toEqual(['10.1.1.50', '192.0.2.1', '198.51.100.2']);
    expect(merged.groups.find((g) => g.remoteHost === '192.0.2.1')?.sessions).toBe(3);
  });

  it('says its own limit was reached when folded groups it is given go past it into (other connectors)', () => {
    const b = builder(2);
    for (const c of ['EX01\\A', 'EX01\\B', 'EX01\\C']) b.absorbGroup({ ...newGroupState('receive', 'EX01', c, OTHER_HOSTS), folded: true, sessions: 1 });
    expect(b.limitReached).toBe(true);
    expect(foldedOf(b.build()).map((g) => g.connector).sort()).toEqual([OTHER_CONNECTORS, 'EX01\\A', 'EX01\\B']);
    const under = builder(3);
    for (const c of ['EX01\\A', 'EX01\\B', 'EX01\\C']) under.absorbGroup({ ...newGroupState('receive', 'EX01', c, OTHER_HOSTS), folded: true, sessions: 1 });
    expect(under.limitReached).toBe(false);
  });

  it('says so in the table and in Markdown, and the connector line does not count the folded group as one host', () => {
    const b = builder(2);
    add(b, ...['203.0.113.1', '203.0.113.2', '203.0.113.3'].map((ip) => sessionFrom(ip, LEGACY)));
    const r = b.build();
    const table = renderTable(r, { color: false, width: 200 });
    expect(table).toMatch(/^Folded +more than 2 groups .*1 session .*'\(other hosts\)' rows/m);
    expect(table).toContain('3 sessions, 2 hosts + other hosts');
    // The folded group's own block says that its names and evidence are several hosts'.
    expect(table).toMatch(/\] recv {2}EX01 {2}EX01\\Default Frontend EX01 → \(other hosts\)\n {4}Folded: many remote hosts past --max-groups/);
    expect(renderMarkdown(r, {})).toMatch(/^Folded: more than 2 groups/m);
    // HTML: the note above the inputs, and the folded row itself says what it is, in its cell and its details.
    const html = renderHtml(r);
    expect(html).toContain('Folded: more than 2 groups');
    expect(html).toMatch(/<div class="h">\(other hosts\)<\/div><div class="names">folded: remote hosts past --max-groups, together<\/div>/);
    expect(html).toContain('<dt>Folded</dt><dd>Folded: many remote hosts past --max-groups');
    expect(html.match(/folded: remote hosts past/g)).toHaveLength(1);
    // The summary tiles count the two hosts with rows as groups, and the folded sessions on a tile of their own.
    expect(r.groups).toHaveLength(3);
    expect(html).toContain('<div class="n">2</div><div class="l">groups (connector + remote host)</div>');
    expect(html).toContain('<div class="n">1</div><div class="l">sessions in (other hosts) rows</div>');
    // CSV marks the folded row in its last column, so a log's own "(other hosts)" text is told apart.
    const csv = renderCsv(r).trim().split('\r\n');
    expect(csv[0]!.endsWith(',folded')).toBe(true);
    const folded = csv.filter((l) => l.endsWith(',true'));
    expect(folded).toHaveLength(1);
    expect(folded[0]).toContain('(other hosts)');
    expect(csv.filter((l) => l.endsWith(','))).toHaveLength(2);
  });

  it('writes JSON that the schema takes, and the schema says what folded fields hold', () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../docs/report.schema.json', import.meta.url)), 'utf8')) as object;
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
    const b = builder(1);
    add(b, sessionFrom('203.0.113.1', HEALTHY), sessionFrom('203.0.113.2', LEGACY));
    const json = JSON.parse(renderJson(b.build())) as Report;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.folded).toEqual({ maxGroups: 1, sessions: 1 });
    // The flag is `true` or absent, and the summary has both numbers.
    expect(validate({ ...json, groups: json.groups.map((g) => ({ ...g, folded: false })) })).toBe(false);
    expect(validate({ ...json, folded: { maxGroups: 1 } })).toBe(false);
  });

  it('refuses to merge folded groups without the top-level folded, or a folded that is not two whole numbers', () => {
    const b = builder(1);
    add(b, sessionFrom('203.0.113.1', HEALTHY), sessionFrom('203.0.113.2', HEALTHY));
    const json = JSON.parse(JSON.stringify(b.build())) as Report;
    expect(reportShapeProblem(json)).toBeNull();
    const { folded: _, ...without } = json;
    expect(reportShapeProblem(without)).toMatch(/folded is missing/);
    expect(reportShapeProblem({ ...json, folded: { maxGroups: -7, sessions: 1.5 } })).toMatch(/folded/);
    expect(() => mergeReports([without as Report])).toThrow(/folded/);
  });

  it('adds log sets to the report in their order, whichever finishes first, and holds back new ones while early ones pile up', async () => {
    const absorbed: number[] = [];
    const sink = { absorb: (p: PartialReport) => absorbed.push(p.sessions) } as unknown as ReportBuilder;
    const part = (id: number, groups: number) => ({ sessions: id, groups: new Array(groups) }) as unknown as PartialReport;
    const turns = new InTurn(sink, 10);
    const queue = ['a', 'b', 'c'];
    expect(await turns.next(queue)).toBe('a');
    turns.deliver(2, part(2, 6));
    turns.deliver(1, part(1, 6));
    expect(absorbed).toEqual([]);
    // 12 groups held, over the limit of 10: the next log set is handed out only once log set 0 is in.
    let handed: string | undefined;
    const waiting = turns.next(queue).then((j) => (handed = j));
    await new Promise((r) => setTimeout(r, 10));
    expect(handed).toBeUndefined();
    turns.deliver(0, part(0, 1));
    await waiting;
    expect(handed).toBe('b');
    expect(absorbed).toEqual([0, 1, 2]);
  });

  it('rejects a limit that is not a whole number >= 1 or Infinity', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => builder(bad as number)).toThrow(/maxGroups/);
      await expect(scan([], { maxGroups: bad as number })).rejects.toThrow(/maxGroups/);
    }
  });
});

describe('folding in a scan and on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logscan-fold-'));
  const log = join(dir, 'RECV2025111009-1.LOG');
  const HOSTS = 400;
  beforeAll(() => {
    requireBuiltCli();
    const head = '#Software: Microsoft Exchange Server\n#Version: 15.0.0.0\n#Log-type: SMTP Receive Protocol Log\n#Date: 2025-11-10T09:00:00.000Z\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\n';
    const lines: string[] = [];
    for (let i = 0; i < HOSTS; i++) {
      const t = (k: number) => new Date(Date.parse('2025-11-10T09:00:00.000Z') + i * 1000 + k).toISOString();
      const pre = (k: number) => `${t(k)},EX01\\Default Frontend EX01,08DE1B4B3344${String(i).padStart(4, '0')},${k},10.0.1.21:25,198.51.${i >> 8}.${i & 255}:41000,`;
      lines.push(`${pre(0)}+,,`, `${pre(1)}>,220 EX01 ready,`, `${pre(2)}<,EHLO bot${i}.example,`, `${pre(3)}>,250  EX01 Hello SIZE STARTTLS,`, `${pre(4)}<,MAIL FROM:<a@example.net>,`, `${pre(5)}>,250 2.1.0 Sender OK,`, `${pre(6)}-,,Remote`);
    }
    writeFileSync(log, head + lines.join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the groups to the limit on a log with a remote IP per session, and every session counted', async () => {
    const r = await scan(log, { maxGroups: 50 });
    expect(r.groups.length).toBe(51);
    expect(r.totals.sessions).toBe(HOSTS);
    expect(r.folded).toEqual({ maxGroups: 50, sessions: HOSTS - 50 });
    expect((await scan(log)).folded).toBeUndefined();
  });

  it('gives the same folded report for any --jobs, and from run to run', async () => {
    // Three log sets (three servers' folders) of other sizes, so threads finish them in different orders; the
    // largest is the last by name, so the order log sets are taken in is not the order they are listed in.
    const root = join(dir, 'servers');
    const text = readFileSync(log, 'utf8');
    const lines = text.split('\n');
    const head = lines.slice(0, 5);
    const body = lines.slice(5).filter((l) => l !== '');
    [['EX01', 0, 700], ['EX02', 700, 1400], ['EX03', 1400, 2800]].forEach(([server, from, to]) => {
      const folder = join(root, server as string, 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
      mkdirSync(folder, { recursive: true });
      const rows = body.slice(from as number, to as number).map((l) => l.replace('EX01\\Default', `${server}\\Default`));
      writeFileSync(join(folder, 'RECV2025111009-1.LOG'), [...head, ...rows].join('\n') + '\n');
    });
    const runs = [];
    for (const jobs of ['1', '2', '2', '3']) {
      const r = await runCli(['--max-groups', '60', '-j', jobs, '-f', 'json', root], dir);
      expect(r.code).toBe(0);
      runs.push(r.stdout);
    }
    expect(JSON.parse(runs[0]!).folded).toBeDefined();
    for (const out of runs.slice(1)) expect(out).toBe(runs[0]);
  });

  it('--max-groups folds and says so on standard error; all does not fold; 0 is refused', async () => {
    const json = await runCli(['--max-groups', '50', '-f', 'json', log], dir);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).folded).toEqual({ maxGroups: 50, sessions: HOSTS - 50 });
    expect(json.stderr).toMatch(/more than 50 groups .*350 sessions of remote hosts .*--host or --connector, or --max-groups all/);
    expect(json.stderr).not.toContain('queue');
    const quiet = await runCli(['--max-groups', '50', '-q', '-f', 'json', log], dir);
    expect(quiet.stderr).toBe('');
    const all = await runCli(['--max-groups', 'ALL', '-f', 'json', log], dir);
    expect(JSON.parse(all.stdout).groups).toHaveLength(HOSTS);
    expect(all.stderr).not.toContain('groups');
    const zero = await runCli(['--max-groups', '0', log], dir);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-groups');
  });

  it('merge folds at its own --max-groups (default 35,000), whatever order it is given the reports in', async () => {
    // Two reports of halves of the hosts, made without a limit: 200 groups each.
    const half = (n: number) => {
      const lines = readFileSync(log, 'utf8').split('\n');
      return lines.filter((l) => l.startsWith('#') || l === '' || Number(/,08DE1B4B3344(\d{4}),/.exec(l)?.[1] ?? 0) % 2 === n).join('\n');
    };
    const reports: string[] = [];
    for (const n of [0, 1]) {
      const file = join(dir, `half${n}.LOG`);
      writeFileSync(file, half(n));
      const out = join(dir, `half${n}.json`);
      expect((await runCli(['--max-groups', 'all', '-q', '-f', 'json', '-o', out, file], dir)).code).toBe(0);
      reports.push(out);
    }
    const whole = JSON.parse((await runCli(['merge', '-q', '-f', 'json', ...reports], dir)).stdout) as Report;
    expect(whole.folded).toBeUndefined();
    expect(whole.groups).toHaveLength(HOSTS);
    const merged = await runCli(['merge', '--max-groups', '50', '-f', 'json', ...reports], dir);
    expect(merged.code).toBe(0);
    const folded = JSON.parse(merged.stdout) as Report;
    expect(folded.folded).toEqual({ maxGroups: 50, sessions: HOSTS - 50 });
    expect(folded.groups.filter((g) => g.folded !== true)).toHaveLength(50);
    expect(folded.totals.sessions).toBe(HOSTS);
    expect(merged.stderr).toMatch(/more than 50 groups/);
    // The same report for the other order of the files.
    expect((await runCli(['merge', '--max-groups', '50', '-f', 'json', ...[...reports].reverse()], dir)).stdout).toBe(merged.stdout);
    expect((await runCli(['merge', '--max-groups', '0', ...reports], dir)).code).toBe(2);
  });
});
