import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { InputStats, QueueEntry, Report } from '../src/types.js';
import { buildEntry } from '../src/read/queue/entry.js';
import { scan } from '../src/scan.js';
import { queueFindings } from '../src/classify/queue.js';
import { parseLastError } from '../src/classify/lasterror.js';
import { readQueueExport } from '../src/read/queue/index.js';
import { emptyStats } from '../src/read/stats.js';
import { renderJson } from '../src/output/json.js';
import { mergeReports } from '../src/report/merge.js';

const hints: Record<string, string> = {
  'tls-negotiation-failed': 'hint-tls',
  'socket-error': 'hint-socket',
  'starttls-required': 'hint-starttls',
  'legacy-tls': 'hint-legacy',
  'connect-failed': 'hint-connect',
  'queue-error': 'hint-queue',
};

function entry(over: Partial<QueueEntry>): QueueEntry {
  return {
    source: 'q.csv',
    line: 7,
    kind: 'queue',
    identity: 'EX01\\12',
    server: 'EX01',
    queue: 'EX01\\12',
    deliveryType: 'DnsConnectorDelivery',
    nextHopDomain: 'partner.example',
    nextHopConnector: null,
    status: 'Retry',
    messageCount: 14,
    lastError: null,
    time: null,
    firstTime: null,
    fields: {},
    ...over,
  };
}

describe('queueFindings', () => {
  it('gives no finding without a LastError', () => {
    expect(queueFindings(entry({}), hints)).toEqual([]);
    expect(queueFindings(entry({ lastError: parseLastError('  ') }), hints)).toEqual([]);
  });

  it('maps a classified LastError onto a finding', () => {
    const raw = '[{LRT=11/10/2025 9:41:07 AM};{LED=451 4.4.0 TLS negotiation failed with error SocketError};{FQDN=contoso.mail.protection.outlook.com};{IP=104.47.55.110}]';
    const lastError = parseLastError(raw);
    const time = { raw: '11/10/2025 9:41:07 AM', iso: null };
    const [f, ...rest] = queueFindings(entry({ lastError, time, nextHopConnector: '8c2f7d10' }), hints);
    expect(rest).toEqual([]);
    expect(f).toEqual({
      category: 'tls-negotiation-failed',
      detail: 'SocketError',
      direction: 'queue',
      sessionKey: 'q.csv:7',
      sessionId: 'EX01\\12',
      server: 'EX01',
      connector: '8c2f7d10',
      remoteHost: '104.47.55.110',
      remoteNames: ['contoso.mail.protection.outlook.com'],
      time: '11/10/2025 9:41:07 AM',
      evidence: [{ source: 'q.csv', line: 7, sessionId: 'EX01\\12', time: '11/10/2025 9:41:07 AM', text: raw }],
      hint: 'hint-tls',
      messages: 14,
    });
  });

  it('falls back to next hop domain, delivery type and ISO time', () => {
    const lastError = parseLastError('451 4.4.397 Error communicating with target host. -> 421 4.4.2 Connection dropped due to SocketError');
    const [f] = queueFindings(entry({ lastError, time: { raw: '2019/11/4 13:31:03', iso: '2019-11-04T13:31:03' } }), hints);
    expect(f?.category).toBe('socket-error');
    expect(f?.remoteHost).toBe('partner.example');
    expect(f?.connector).toBe('DnsConnectorDelivery');
    expect(f?.time).toBe('2019-11-04T13:31:03');
    expect(f?.hint).toBe('hint-socket');
  });

  it("uses 'unknown' when nothing names the host, connector or identity", () => {
    const lastError = parseLastError('421 4.2.1 Unable to connect');
    const [f] = queueFindings(
      entry({ lastError, identity: null, server: null, queue: null, nextHopDomain: null, deliveryType: null, kind: 'message', messageCount: 1 }),
      hints,
    );
    expect(f).toMatchObject({ category: 'connect-failed', remoteHost: 'unknown', connector: 'unknown', sessionId: '', time: '', messages: 1 });
    expect(f?.evidence[0]?.sessionId).toBe('');
  });

  it('files the SChannel status of a failed handshake (msqa-234456) as tls-negotiation-failed', () => {
    const lastError = parseLastError(`[{LED=450 4.7.0 Proxy session setup failed on Frontend with '451 4.4.0 Primary target IP address responded with: "451 4.4.0 Security status InvalidToken." Attempted failover to alternate host, but that did not succeed.'};{FQDN=MAILSERVER.DOMAIN.LOCAL};{IP=192.168.12.4}]`);
    const [f] = queueFindings(entry({ lastError }), hints);
    expect(f).toMatchObject({ category: 'tls-negotiation-failed', detail: 'InvalidToken', hint: 'hint-tls', remoteHost: '192.168.12.4' });
  });

  it("reports other LastErrors as 'queue-error' with the innermost text, cut to 200 characters", () => {
    const inner = '451 4.7.3 The admin has temporarily disallowed this secure domain.';
    const [f] = queueFindings(entry({ lastError: parseLastError(`451 4.4.0 Primary target IP address responded with: "${inner}" Attempted failover to alternate host, but that did not succeed.`) }), hints);
    expect(f).toMatchObject({ category: 'queue-error', detail: inner, hint: 'hint-queue' });
    const long = 'A matching connector cannot be found. '.repeat(20);
    const [g] = queueFindings(entry({ lastError: parseLastError(long) }), hints);
    expect(g?.detail).toHaveLength(200);
    expect(long.trim().startsWith(g?.detail ?? '?')).toBe(true);
  });

  it('gives an empty hint for a category the caller has no hint for', () => {
    const [f] = queueFindings(entry({ lastError: parseLastError('421 4.4.2 Connection dropped') }), {});
    expect(f?.hint).toBe('');
  });

  it('finds the two broken queues of the EX01 sample and nothing else', async () => {
    const stats: InputStats = {
      source: 'EX01-get-queue.csv', kind: 'unknown', bytes: 0, lines: 0, records: 0, skipped: {}, problems: [],
      error: null, ignored: null, headerDate: null, from: null, to: null,
    };
    const buf = readFileSync(new URL('../samples/queue/EX01-get-queue.csv', import.meta.url));
    async function* one(): AsyncGenerator<Buffer> {
      yield buf;
    }
    const findings = [];
    for await (const batch of readQueueExport(one(), stats, 'queue-csv')) for (const e of batch) findings.push(...queueFindings(e, hints));
    expect(findings.map((f) => [f.category, f.detail, f.remoteHost, f.messages, f.sessionKey])).toEqual([
      ['socket-error', 'SocketError', 'contoso-partner.com', 14, 'EX01-get-queue.csv:5'],
      ['tls-negotiation-failed', 'SocketError', '104.47.17.106', 27, 'EX01-get-queue.csv:6'],
    ]);
  });
});

describe('Get-Message exports are grouped by queue', () => {
  const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/queue/${name}`, import.meta.url));
  const groupsOf = (report: Report): Array<[string | null, string, string, number, Record<string, number>]> =>
    report.groups.map((g) => [g.server, g.connector, g.remoteHost, g.sessions, g.byCategory]);

  it('groups the messages of an Export-Csv by their Queue column, and by the host their LastError names', async () => {
    const report = await scan(fixture('gm-de.csv'));
    expect(groupsOf(report)).toEqual([
      ['EX01', 'EX01\\13', 'unknown', 3, { 'socket-error': 3 }],
      ['EX01', 'EX01\\14', '104.47.17.106', 2, { 'starttls-required': 2 }],
    ]);
  });

  it('groups a Get-Message | Format-List paste by its Queue too, messages without a LastError included', async () => {
    const report = await scan(fixture('get-message-fl-paste.txt'));
    expect(groupsOf(report)).toEqual([['EX04', 'EX04\\19', 'unknown', 2, { 'legacy-tls': 1 }]]);
  });

  it('takes the queue from the message identity when no Queue column was exported', () => {
    const e = buildEntry({ Identity: 'EX01\\13\\21474836480', LastError: '421 4.4.2 Connection dropped due to SocketError' }, 'message', { source: 'm.csv', line: 2 }, emptyStats('m.csv'));
    expect([e.queue, e.server]).toEqual(['EX01\\13', 'EX01']);
    expect(queueFindings(e, hints)[0]).toMatchObject({ connector: 'EX01\\13', remoteHost: 'unknown', server: 'EX01' });
    const named = buildEntry({ 'Queue ID': 'EX02\\7', 'Last Error': '[{LED=421 4.4.2 Connection dropped};{FQDN=mx.fabrikam.com};{IP=}]' }, 'message', { source: 'v.csv', line: 2 }, emptyStats('v.csv'));
    expect(queueFindings(named, hints)[0]).toMatchObject({ connector: 'EX02\\7', remoteHost: 'mx.fabrikam.com', server: 'EX02' });
    // The server in upper case, as protocol logs' sessions give it: one server, whatever case an export wrote.
    const lower = buildEntry({ Identity: 'ex01\\13\\21474836480', LastError: '421 4.4.2 Connection dropped due to SocketError' }, 'message', { source: 'm.csv', line: 2 }, emptyStats('m.csv'));
    expect([lower.queue, lower.server]).toEqual(['ex01\\13', 'EX01']);
  });
});

describe('since when a queue has been failing', () => {
  const header = '"Identity","DeliveryType","NextHopDomain","NextHopConnector","Status","MessageCount","LastError","RetryCount","LastRetryTime","NextRetryTime","FirstRetryTime"';
  const row = (id: string, count: number, first: string, last: string) =>
    `"EX01\\${id}","SmtpRelayToRemoteAdSite","contoso.mail.protection.outlook.com","8c2f7d10-5b3a-4f9e-a6d1-2e7b40c9f385","Retry","${count}","451 4.4.0 Primary target IP address responded with: ""421 4.4.2 Connection dropped due to SocketError."" Attempted failover to alternate host, but that did not succeed.","12","${last}","11/28/2026 1:04:13 PM","${first}"`;

  it("starts a queue group's span at FirstRetryTime, not at the export's last retry", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-firstretry-'));
    try {
      const file = join(dir, 'get-queue.csv');
      writeFileSync(file, ['#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo', header, row('7', 143, '11/28/2026 8:00:12 AM', '11/28/2026 12:54:13 PM'), ''].join('\r\n'));
      const report = await scan(file);
      const [g] = report.groups;
      expect(g).toMatchObject({ direction: 'queue', messages: 143, firstSeen: '2026-11-28T08:00:12', lastSeen: '2026-11-28T12:54:13' });
      // The entry says so too, for library users.
      const e = buildEntry({ Identity: 'EX01\\7', FirstRetryTime: '11/28/2026 8:00:12 AM', LastRetryTime: '11/28/2026 12:54:13 PM' }, 'queue', { source: 'q.csv', line: 2 }, emptyStats('q.csv'));
      expect(e.firstTime).toEqual({ raw: '11/28/2026 8:00:12 AM', iso: '2026-11-28T08:00:12' });
      // A first retry that cannot be read (an ambiguous culture date) does not move the span.
      writeFileSync(file, ['#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo', header, row('7', 143, '11/10/2026 8:00:12 AM', '11/28/2026 12:54:13 PM'), ''].join('\r\n'));
      expect((await scan(file)).groups[0]).toMatchObject({ firstSeen: '2026-11-28T12:54:13', lastSeen: '2026-11-28T12:54:13' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('hints for this server as the sender', () => {
  const header = '"Identity","DeliveryType","NextHopDomain","NextHopConnector","Status","MessageCount","LastError","LastRetryTime"';
  const row = (id: string, host: string, lastError: string) =>
    `"EX01\\${id}","SmtpDeliveryToMailbox","${host}","8c2f7d10-5b3a-4f9e-a6d1-2e7b40c9f385","Retry","5","${lastError.replace(/"/g, '""')}","11/28/2026 12:54:13 PM"`;

  it("gives a queue's 451 5.7.3 from Exchange Online the sender's fix, and a receive connector's the receiver's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-sender-hints-'));
    try {
      const file = join(dir, 'get-queue.csv');
      writeFileSync(file, [
        '#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo',
        header,
        row('11', 'contoso.mail.onmicrosoft.com', '451 4.4.0 Primary target IP address responded with: "451 5.7.3 Must issue a STARTTLS command first." Attempted failover to alternate host, but that did not succeed.'),
        row('12', 'partner.example', '451 4.4.0 Primary target IP address responded with: "421 4.4.1 Connection timed out." Attempted failover to alternate host, but that did not succeed.'),
        '',
      ].join('\r\n'));
      const report = await scan(file);
      const required = report.groups.find((g) => g.mainCategory === 'starttls-required')!;
      expect(required.hint).toMatch(/^The peer requires TLS and this server sent without it/);
      expect(required.hint).toContain('SchUseStrongCrypto');
      expect(required.hint).not.toContain('Receive connector TlsCertificateName');
      const timedOut = report.groups.find((g) => g.mainCategory === 'connect-failed')!;
      expect(timedOut.hint).toContain('KB4495258');
      // On a receive connector the peer sent without TLS: the category's own hint (the receiver's side) stays.
      const category = report.categories.find((c) => c.id === 'starttls-required')!;
      const receive = await scan(fileURLToPath(new URL('../samples/EX01', import.meta.url)));
      const relay = receive.groups.find((g) => g.direction === 'receive' && g.mainCategory === 'starttls-required');
      expect(relay?.hint).toBe(category.hint);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Get-Queue and Get-Message of the same queue', () => {
  const queueHeader = '"Identity","DeliveryType","NextHopDomain","NextHopConnector","Status","MessageCount","LastError","LastRetryTime"';
  const queueRow = (id: string, count: number) =>
    `"EX01\\${id}","SmtpRelayToRemoteAdSite","contoso.mail.protection.outlook.com","8c2f7d10-5b3a-4f9e-a6d1-2e7b40c9f385","Retry","${count}","451 4.4.0 Primary target IP address responded with: ""421 4.4.2 Connection dropped due to SocketError."" Attempted failover to alternate host, but that did not succeed.","11/28/2026 12:54:13 PM"`;
  const messageHeader = '"Subject","Identity","FromAddress","Status","DateReceived","LastError","Queue"';
  const messageRow = (queue: string, n: number) =>
    `"Report ${n}","EX01\\${queue}\\2147483648${n}","app@contoso.com","Retry","11/28/2026 8:10:00 AM","451 4.4.0 Primary target IP address responded with: ""421 4.4.2 Connection dropped due to SocketError."" Attempted failover to alternate host, but that did not succeed.","EX01\\${queue}"`;

  it('counts the listed messages of an exported queue once, in one run, with threads and in a merge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-queue-twice-'));
    try {
      const queues = join(dir, 'EX01-get-queue.csv');
      const messages = join(dir, 'EX01-get-message.csv');
      writeFileSync(queues, ['#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo', queueHeader, queueRow('7', 143), ''].join('\r\n'));
      // Three messages of EX01\7 (exported above) and two of EX01\9 (not exported): only these two add to the total.
      writeFileSync(messages, ['#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleMessageInfo', messageHeader, messageRow('7', 1), messageRow('7', 2), messageRow('7', 3), messageRow('9', 4), messageRow('9', 5), ''].join('\r\n'));
      const check = (report: Report) => {
        expect(report.totals.queueMessages).toBe(145);
        const listed = report.groups.find((g) => g.connector === 'EX01\\7')!;
        expect(listed).toMatchObject({ messages: 3, countedInQueue: true });
        const other = report.groups.find((g) => g.connector === 'EX01\\9')!;
        expect(other.messages).toBe(2);
        expect(other.countedInQueue).toBeUndefined();
        // The roll-ups count them once too: every group here names the same remote host.
        expect(report.hosts.reduce((n, h) => n + h.messages, 0)).toBe(145);
        expect(report.connectors.reduce((n, c) => n + c.messages, 0)).toBe(145);
      };
      const single = await scan(dir);
      check(single);
      check(await scan(dir, { jobs: 2 }));
      // Either export alone counts all it lists.
      expect((await scan(messages)).totals.queueMessages).toBe(5);
      expect((await scan(queues)).totals.queueMessages).toBe(143);
      // A merge keeps the mark; merging the report with an empty one gives the same totals.
      const json = JSON.parse(renderJson(single)) as Report;
      expect(json.groups.find((g) => g.connector === 'EX01\\7')!.countedInQueue).toBe(true);
      check(mergeReports([json]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
