/**
 * Text from the input used as an object key: a remote server's error word (a detail), an EHLO or banner name, a
 * connector, a server folder, a queue's next-hop domain. Names of Object.prototype members must count like any
 * other word, in every format and through `merge`: on a plain `{}` they read as functions (exit 70, or
 * `"function Object() { [native code] }1"` in the JSON) and `__proto__` swallowed its count.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categoryInfo, classifySession } from '../src/classify/classify.js';
import { defaultRules } from '../src/classify/rules.js';
import { ReportBuilder } from '../src/report/builder.js';
import { mergeReports } from '../src/report/merge.js';
import { isServerName } from '../src/read/inputs.js';
import { SessionAssembler } from '../src/sessions/builder.js';
import { renderCsv, renderHtml, renderMarkdown, renderTable } from '../src/output/index.js';
import type { Report, Session } from '../src/types.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';
import { session } from './helpers/rows.js';

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const FORMATS = ['table', 'csv', 'markdown', 'html'] as const;
/** What a prototype member looks like once it leaks into text. */
const LEAK = /\[native code\]/;

const HEADER = (kind: 'Send' | 'Receive') => [
  '#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  `#Log-type: SMTP ${kind} Protocol Log`,
  '#Date: 2025-11-10T09:00:00.000Z',
  '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
];

function rows(rowsOf: Array<[string, string, string]>, connector: string, id: string, local: string, remote: string, n: number): string[] {
  return rowsOf.map(([event, data, context], seq) => {
    const time = new Date(Date.UTC(2025, 10, 10, 9, n, 0, seq)).toISOString();
    return [time, connector, id, String(seq), local, remote, event, data, context].join(',');
  });
}

/**
 * A send session to `203.0.113.<n>` through connector `key`: the remote names itself `key` and the TLS
 * negotiation fails with error `key`.
 */
function sendLog(key: string, n: number): string {
  const body: Array<[string, string, string]> = [
    ['*', '', 'attempting to connect'],
    ['+', '', ''],
    ['<', `220 ${key} ESMTP`, ''],
    ['>', 'EHLO mail.contoso.com', ''],
    ['<', `250 ${key} STARTTLS`, ''],
    ['>', 'STARTTLS', ''],
    ['<', '220 2.0.0 SMTP server ready', ''],
    ['*', '', `TLS negotiation failed with error ${key}`],
    ['-', '', 'Remote'],
  ];
  return [...HEADER('Send'), ...rows(body, key, `08DE00000000010${n}`, '10.0.1.21:1234', `203.0.113.${n}:25`, n)].join('\r\n') + '\r\n';
}

/** A receive session on connector `<key>\<key>` from a client that says `EHLO <key>` and fails TLS with `key`. */
function receiveLog(key: string, n: number): string {
  const body: Array<[string, string, string]> = [
    ['+', '', ''],
    ['>', '220 EX01 ready', ''],
    ['<', `EHLO ${key}`, ''],
    ['>', '250  EX01 Hello STARTTLS', ''],
    ['<', 'STARTTLS', ''],
    ['>', '220 2.0.0 SMTP server ready', ''],
    ['*', '', `TLS negotiation failed with error ${key}`],
    ['-', '', 'Local'],
  ];
  return [...HEADER('Receive'), ...rows(body, `${key}\\${key}`, `08DE00000000020${n}`, '10.0.1.21:25', `198.51.100.${n}:4000`, n)].join('\r\n') + '\r\n';
}

/**
 * A Get-Queue export: next hop `key`, connector `key`, server `key`, and a LastError that ends in `key`; the
 * second queue's LastError is `key` alone, which is no known reply: a `queue-error` with `key` as its detail.
 */
function queueCsv(key: string): string {
  const q = (v: string) => `"${v.replaceAll('"', '""')}"`;
  const header = ['RunspaceId', 'DeliveryType', 'NextHopDomain', 'TlsDomain', 'NextHopConnector', 'Status', 'MessageCount', 'LastError', 'RetryCount', 'LastRetryTime', 'NextRetryTime', 'FirstRetryTime', 'DeferredMessageCount', 'LockedMessageCount', 'NextHopCategory', 'QueueIdentity', 'Identity'];
  const lastError = `451 4.4.0 Primary target IP address responded with: "421 4.4.2 TLS negotiation failed with error ${key}" Attempted failover to alternate host, but that did not succeed.`;
  const row = (lastError: string, n: number) => ['5f0c', 'SmtpRelayToRemoteAdSite', key, '', key, 'Retry', '3', lastError, '9', '11/10/2025 9:44:12 AM', '11/10/2025 9:54:12 AM', '11/10/2025 8:02:51 AM', '0', '0', 'External', `${key}\\${n}`, `${key}\\${n}`];
  return ['#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo', header.map(q).join(','), row(lastError, 1).map(q).join(','), row(key, 2).map(q).join(',')].join('\r\n') + '\r\n';
}

/** Every count of the report is a number: a prototype member read as a count would be a function or a string. */
function expectCountsAreNumbers(report: Report): void {
  const counts = [report.totals.byCategory, report.totals.tlsVersions, ...(report.timeline?.points.map((p) => p.byCategory) ?? [])];
  for (const g of [...report.groups, ...report.hosts, ...report.connectors]) counts.push(g.byCategory, g.tlsVersions);
  for (const g of report.groups) counts.push(...Object.values(g.details));
  for (const c of counts) for (const [k, v] of Object.entries(c)) expect({ k, v: typeof v }).toEqual({ k, v: 'number' });
}

/** What the report must hold for each key, whichever way it was made. */
function expectEveryKey(report: Report): void {
  expectCountsAreNumbers(report);
  for (const key of KEYS) {
    const send = report.groups.find((g) => g.direction === 'send' && g.connector === key);
    // A server folder must look like a computer name: `__proto__` (underscores) names no server for its send logs,
    // which name none in their rows; its receive connector (`__proto__\__proto__`) and queues still do.
    // Server names are upper case (Windows names ignore case), which no prototype member's name is.
    const sendServer = isServerName(key) ? key.toUpperCase() : null;
    expect(send, `send group ${key}`).toMatchObject({ server: sendServer, remoteNames: [key], mainCategory: 'tls-negotiation-failed' });
    expect(Object.keys(send!.details['tls-negotiation-failed']!)).toEqual([key]);
    expect(Object.values(send!.details['tls-negotiation-failed']!)).toEqual([1]);
    const receive = report.groups.find((g) => g.direction === 'receive' && g.connector === `${key}\\${key}`);
    expect(receive, `receive group ${key}`).toMatchObject({ server: key.toUpperCase(), remoteNames: [key] });
    expect(Object.entries(receive!.details['tls-negotiation-failed']!)).toEqual([[key, 1]]);
    const queue = report.groups.find((g) => g.direction === 'queue' && g.remoteHost === key);
    expect(queue, `queue group ${key}`).toMatchObject({ server: key.toUpperCase(), connector: key, messages: 6 });
    expect(Object.entries(queue!.details['queue-error']!)).toContainEqual([key, 1]);
    expect(typeof queue!.hint).toBe('string');
  }
  expect(report.totals.byCategory['queue-error']).toBe(KEYS.length + 1);
  // The reply parser takes error names that start with a letter, so `__proto__` is no detail in a LastError.
  expect(report.totals.byCategory['tls-negotiation-failed']).toBe(KEYS.length * 3 - 1);
}

let dir: string;
let logs: string[];
let queues: string[];

beforeAll(() => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-proto-keys-'));
  logs = [];
  queues = [];
  KEYS.forEach((key, i) => {
    // The server is named by its folder, as in a copied Exchange tree: `<server>\TransportRoles\Logs\...`.
    const send = join(dir, 'logs', key, 'TransportRoles', 'Logs', 'Hub', 'ProtocolLog', 'SmtpSend');
    const receive = join(dir, 'logs', key, 'TransportRoles', 'Logs', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
    mkdirSync(send, { recursive: true });
    mkdirSync(receive, { recursive: true });
    writeFileSync(join(send, `SEND2025111009-${i + 1}.LOG`), sendLog(key, i + 1));
    writeFileSync(join(receive, `RECV2025111009-${i + 1}.LOG`), receiveLog(key, i + 1));
    const queue = join(dir, 'queues', `queue-${i + 1}.csv`);
    mkdirSync(join(dir, 'queues'), { recursive: true });
    writeFileSync(queue, queueCsv(key));
    queues.push(queue);
  });
  logs = [join(dir, 'logs')];
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('prototype member names as text from the input', () => {
  it('json: each counts as an ordinary key, `__proto__` included, written as a normal key', async () => {
    const r = await runCli(['-f', 'json', ...logs, ...queues], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(LEAK);
    // JSON.parse keeps `"__proto__"` as an own key, so the text itself is the proof that it was written.
    expect(r.stdout).toContain('"__proto__": 1');
    expectEveryKey(JSON.parse(r.stdout) as Report);
  });

  it.each(FORMATS)('%s: written without a crash, each key shown as text', async (format) => {
    const r = await runCli(['-f', format, '--top', 'all', ...logs, ...queues], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(LEAK);
    for (const key of KEYS) expect(r.stdout).toContain(format === 'markdown' ? key.replaceAll('_', '\\_') : key);
  });

  it('--fail-on any fails on the findings instead of crashing', async () => {
    const r = await runCli(['--fail-on', 'any', '-q', ...logs, ...queues], dir);
    expect(r.code).toBe(1);
  });

  it('merge: reports of the logs and of the queues give what one run over both gives, in every format', async () => {
    const whole = await runCli(['-f', 'json', ...logs, ...queues], dir);
    const parts = [['logs.json', logs], ['queues.json', queues]] as const;
    for (const [name, inputs] of parts) {
      const r = await runCli(['-f', 'json', '-o', join(dir, name), ...inputs], dir);
      expect(r.code).toBe(0);
    }
    const merged = await runCli(['merge', '-f', 'json', join(dir, 'logs.json'), join(dir, 'queues.json')], dir);
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe(whole.stdout);
    // And a merge of the merged report with nothing new: the keys are read back from JSON once more.
    writeFileSync(join(dir, 'merged.json'), merged.stdout);
    for (const format of FORMATS) {
      const r = await runCli(['merge', '-f', format, '--top', 'all', join(dir, 'merged.json')], dir);
      expect({ format, code: r.code, stderr: r.stderr }).toEqual({ format, code: 0, stderr: '' });
      expect(r.stdout).not.toMatch(LEAK);
    }
  });
});

describe('prototype member names where counts of two parts meet', () => {
  const build = (key: string, source: string): Session => {
    const body = `*,,attempting to connect
+,,
<,220 ${key} ESMTP,
>,EHLO mail.contoso.com,
<,250 ${key} STARTTLS,
>,STARTTLS,
<,220 2.0.0 SMTP server ready,
*,,TLS negotiation failed with error ${key}
-,,Remote`;
    const a = new SessionAssembler({ origin: 'send', direction: 'send', serverHint: 'EX01' });
    return [...a.add(session('08DE000000000001', body, { connector: 'Outbound', remote: '203.0.113.9:25', source })), ...a.end()][0]!;
  };
  const builder = () => new ReportBuilder({ samples: 3, categories: categoryInfo(defaultRules), version: 'test' });

  // The group's first part brings another detail, so the key is new to a group that already has counts.
  const parts = (key: string): Array<[string, string]> => [['SocketError', 'a.LOG'], [key, 'b.LOG']];

  it.each(KEYS)('%s: a group taken over from a worker, then more of it added, counts the key', (key) => {
    const builders = parts(key).map(([detail, source]) => {
      const b = builder();
      const s = build(detail, source);
      b.addSession(s, classifySession(s));
      return b;
    });
    const main = builder();
    // As a worker posts it: a structured clone gives the counts Object.prototype back.
    for (const b of builders) main.absorb(structuredClone(b.partial()));
    const report = main.build();
    expectCountsAreNumbers(report);
    expect(JSON.stringify(report.groups[0]!.details)).toBe(`{"tls-negotiation-failed":{"SocketError":1,"${key}":1}}`);
  });

  it.each(KEYS)('%s: a finding with that detail gets the rule\'s own hint, not a member of Object.prototype', (key) => {
    const findings = classifySession(build(key, 'a.LOG'));
    const failed = findings.find((f) => f.category === 'tls-negotiation-failed')!;
    expect(failed.detail).toBe(key);
    expect(failed.hint).toBe(defaultRules.find((r) => r.id === 'tls-negotiation-failed')!.hint);
  });

  it.each(KEYS)('%s: mergeReports of reports read back from JSON counts the key', (key) => {
    const reports = parts(key).map(([detail, source]) => {
      const b = builder();
      const s = build(detail, source);
      b.addSession(s, classifySession(s));
      b.addInput({ source, kind: 'smtp-send', bytes: 1, lines: 8, records: 8, skipped: {}, problems: [], error: null, ignored: null, headerDate: null, from: null, to: null });
      return JSON.parse(JSON.stringify(b.build())) as Report;
    });
    const merged = mergeReports(reports);
    expectCountsAreNumbers(merged);
    expect(JSON.stringify(merged.groups[0]!.details)).toBe(`{"tls-negotiation-failed":{"SocketError":1,"${key}":1}}`);
    for (const render of [renderTable, renderCsv, renderMarkdown, renderHtml]) expect(render(merged)).not.toMatch(LEAK);
  });

  it('mergeReports keeps TLS version keys of a report file that are prototype member names as counts', () => {
    const b = builder();
    const s = build('SocketError', 'a.LOG');
    b.addSession(s, classifySession(s));
    const report = JSON.parse(JSON.stringify(b.build())) as Report;
    report.groups[0]!.tlsVersions = JSON.parse('{"__proto__":1,"constructor":2}') as Report['groups'][number]['tlsVersions'];
    const merged = mergeReports([report]);
    expectCountsAreNumbers(merged);
    expect(JSON.stringify(merged.groups[0]!.tlsVersions)).toBe('{"__proto__":1,"constructor":2}');
  });

  it('renderers given a report parsed from JSON (not made by logscan) read only its own keys', () => {
    const b = builder();
    const s = build('SocketError', 'a.LOG');
    b.addSession(s, classifySession(s));
    // A category with a prototype member's name, as a hand-made or hostile report file may hold.
    const report = JSON.parse(JSON.stringify(b.build())) as Report;
    report.categories.push({ ...report.categories[0]!, id: 'constructor', title: 'constructor' });
    for (const render of [renderTable, renderCsv, renderMarkdown, renderHtml]) expect(render(report)).not.toMatch(LEAK);
  });
});
