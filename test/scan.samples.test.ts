import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import type { Finding, Session } from '../src/types.js';
import { loadExpectedSessions } from './helpers/samples-expected.js';


const expected = loadExpectedSessions();

async function sessionsOf(inputs: string | string[]) {
  const seen: Array<{ session: Session; findings: readonly Finding[] }> = [];
  const report = await scan(inputs, { onSession: (session, findings) => seen.push({ session, findings }) });
  return { report, seen };
}

describe('samples/ (the README example)', () => {
  it('finds exactly the expected findings in every session, and none in healthy ones', async () => {
    const { report, seen } = await sessionsOf('samples');
    expect(seen).toHaveLength(expected.length);
    for (const e of expected) {
      const match = seen.filter((s) => s.session.sessionId === e.sessionId && s.session.remote?.ip === e.remoteIp);
      expect(match, `${e.file} ${e.sessionId}`).toHaveLength(1);
      const { session, findings } = match[0]!;
      expect(session.direction, e.sessionId).toBe(e.direction);
      expect(session.tls?.version ?? 'none', e.sessionId).toBe(e.tls);
      expect(findings.map((f) => ({ category: f.category, detail: f.detail })), `${e.file} ${e.sessionId}`).toEqual(e.categories);
    }
    // Every category the product promises shows up in the samples.
    for (const id of ['tls-negotiation-failed', 'socket-error', 'starttls-required', 'legacy-tls', 'plaintext']) {
      expect(report.totals.byCategory[id], id).toBeGreaterThan(0);
    }
    for (const input of report.inputs) {
      const skipped = Object.values(input.skipped).reduce((a, b) => a + (b ?? 0), 0);
      expect(input.lines, input.source).toBe(input.records + skipped);
      expect(input.error, input.source).toBeNull();
    }
  });

  it('puts the stuck queue and the failing sessions to the same host side by side (mixed folder)', async () => {
    const { report } = await sessionsOf('samples');
    const kinds = new Set(report.inputs.map((i) => i.kind));
    expect(kinds).toEqual(new Set(['smtp-receive', 'smtp-send', 'queue-csv']));
    const o365 = report.groups.filter((g) => g.remoteHost === '104.47.17.106');
    expect(o365.map((g) => g.direction).sort()).toEqual(['queue', 'send']);
    expect(o365.find((g) => g.direction === 'queue')).toMatchObject({ messages: 27, byCategory: { 'tls-negotiation-failed': 1 } });
    const host = report.hosts.find((h) => h.key === '104.47.17.106')!;
    expect(host.messages).toBe(27);
    expect(host.byCategory['tls-negotiation-failed']).toBe(3);
  });

  it('keeps a session whole across the hourly rotation of one server', async () => {
    const { seen } = await sessionsOf('samples/EX01/FrontEnd');
    const spanning = seen.filter((s) => new Set(s.session.records.map((r) => r.source)).size > 1);
    expect(spanning.length).toBeGreaterThan(0);
    for (const s of spanning) expect(s.session.complete).toBe(true);
  });

  it('lists AUTH users and certificates per group', async () => {
    const { report } = await sessionsOf('samples');
    const scanner = report.groups.find((g) => (g.authUsers ?? []).includes('scanner@contoso.com'));
    expect(scanner?.connector).toBe('EX01\\Relay Printers');
    const withThumbprint = report.groups.filter((g) => (g.certificates ?? []).some((c) => c.role === 'Received certificate' && /^[0-9A-F]{40}$/.test(c.thumbprint ?? '')));
    expect(withThumbprint.length).toBeGreaterThan(0);
  });

  it('names the server from the connector or the folder', async () => {
    const { seen } = await sessionsOf('samples');
    const servers = new Set(seen.map((s) => s.session.server));
    expect(servers).toEqual(new Set(['EX01', 'EDGE01', 'EX2010']));
  });
});

describe('rotated files of one log set', () => {
  it('are read in instance-number order when their #Date is the same: -9 before -10', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logscan-rotation-'));
    try {
      const folder = join(dir, 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
      mkdirSync(folder, { recursive: true });
      const header = '#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: SMTP Receive Protocol Log\r\n#Date: 2025-11-10T09:00:00.000Z\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n';
      const row = (s: string, seq: number, event: string, data: string, context = '') =>
        `2025-11-10T09:${s}Z,EX01\\Default Frontend EX01,08DE1B4B33445566,${seq},10.0.1.21:25,203.0.113.9:40000,${event},${data},${context}\r\n`;
      // One session cut by rotation: it starts in -9 and ends in -10.
      writeFileSync(join(folder, 'RECV2025111009-9.LOG'), header + row('00:01.000', 0, '+', '') + row('00:01.001', 1, '>', '220 EX01 ready') + row('00:01.002', 2, '<', 'EHLO printer'));
      writeFileSync(join(folder, 'RECV2025111009-10.LOG'), header + row('00:01.003', 3, '<', 'QUIT') + row('00:01.004', 4, '>', '221 Bye') + row('00:01.005', 5, '-', '', 'Local'));
      const sessions: Array<{ complete: boolean; rows: number }> = [];
      const report = await scan(folder, { onSession: (s) => sessions.push({ complete: s.complete, rows: s.rows }) });
      expect(report.inputs.map((i) => i.error)).toEqual([null, null]);
      expect(sessions).toEqual([{ complete: true, rows: 6 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('real excerpts from the web (test/fixtures/real)', () => {
  const real = (name: string) => `test/fixtures/real/${name}`;

  it('Exchange 2016 receive, TLS 1.2: one healthy session', async () => {
    const { seen, report } = await sessionsOf(real('qazeer-artefacts-help-exch2016-recv-tls12.LOG'));
    expect(seen).toHaveLength(1);
    const s = seen[0]!.session;
    expect(s).toMatchObject({ direction: 'receive', sessionId: '123453EC62278461', server: 'SERVER-HOSTNAME', starttlsAdvertised: true, starttlsAccepted: true, authUser: 'username@domain.com' });
    expect(s.tls).toMatchObject({ version: 'TLS1.2', protocol: 'SP_PROT_TLS1_2_SERVER' });
    expect(s.remote?.ip).toBe('95.10.20.33');
    expect(s.remoteNames).toEqual(['[95.10.20.33]']);
    expect(s.certificates[0]).toMatchObject({ role: 'Sending certificate', subject: 'CN=SERVER-HOSTNAME', notAfter: '2025-01-17T15:15:33.000Z' });
    expect(s.complete).toBe(false);
    expect(seen[0]!.findings).toEqual([]);
    expect(report.inputs[0]!.kind).toBe('smtp-receive');
  });

  it('KB4495258 send excerpt: TLS negotiation failed with NoCredentials', async () => {
    const { seen } = await sessionsOf(real('mskb4495258-send-tls-nocredentials-excerpt.LOG'));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.session.direction).toBe('send');
    expect(seen[0]!.session.tls).toBeNull();
    expect(seen[0]!.findings.map((f) => [f.category, f.detail])).toEqual([['tls-negotiation-failed', 'NoCredentials']]);
    expect(seen[0]!.findings[0]!.hint).toMatch(/private key/);
  });

  it('KB4051498 send excerpt (Markdown-damaged \\* events): UnknownCredentials to 216.32.181.234', async () => {
    const { seen } = await sessionsOf(real('mskb4051498-send-o365-tls-unknowncredentials-excerpt.LOG'));
    expect(seen).toHaveLength(1);
    const { session, findings } = seen[0]!;
    expect(session.direction).toBe('send');
    expect(session.sessionId).toBe('08D50D3D9730A8D2');
    expect(session.remote?.ip).toBe('216.32.181.234');
    expect(findings.map((f) => [f.category, f.detail])).toEqual([['tls-negotiation-failed', 'UnknownCredentials']]);
  });

  it('Exchange 2016 send to Postfix (header without #, blank lines): no STARTTLS offered, no finding', async () => {
    const { seen, report } = await sessionsOf(real('msqa-1054876-exch2016-send-postfix-nullsender.LOG'));
    expect(seen).toHaveLength(1);
    const { session, findings } = seen[0]!;
    expect(session).toMatchObject({ direction: 'send', starttlsAdvertised: false, mailAccepted: true, quit: true, disconnect: 'Remote' });
    expect(session.remoteNames).toEqual(['0dsblqs2.hispanicliving.shop']);
    expect(findings).toEqual([]);
    expect(report.groups[0]!.tlsVersions).toEqual({ none: 1 });
  });

  it('Exchange 2010 receive header sample: one incomplete session, no finding', async () => {
    const { seen } = await sessionsOf(real('rmilne-exch2010-recv-header-sample.LOG'));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.session).toMatchObject({ direction: 'receive', server: 'TAIL-EXCH-1', connector: 'TAIL-EXCH-1\\Internet Mail', complete: false });
    expect(seen[0]!.findings).toEqual([]);
  });

  it('refuses the message-tracking log and says what it is', async () => {
    const { seen, report } = await sessionsOf(real('elastic-beats-bom8-exch2010-messagetracking.LOG'));
    expect(seen).toEqual([]);
    expect(report.inputs[0]!.kind).toBe('message-tracking');
    expect(report.inputs[0]!.error).toMatch(/message.tracking/i);
  });

  it('reads the real Get-Queue | Format-List paste as a queue entry whose error is an SChannel status (InvalidToken)', async () => {
    const report = await scan(real('msqa-234456-exch2013-get-queue-fl-lasterror-proxy.txt'));
    expect(report.inputs[0]!.kind).toBe('queue-list');
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]).toMatchObject({
      direction: 'queue', server: 'DAGSERVER5', remoteHost: '192.168.12.4',
      byCategory: { 'tls-negotiation-failed': 1 }, details: { 'tls-negotiation-failed': { InvalidToken: 1 } },
    });
  });
});

describe('hints of groups with more than one detail', () => {
  it('on equal counts, take the certificate error’s hint over SocketError’s', async () => {
    const { scan } = await import('../src/scan.js');
    const { defaultRules } = await import('../src/classify/rules.js');
    const report = await scan(['samples']);
    const tied = report.groups.find((g) => g.details['tls-negotiation-failed']?.SocketError === 1 && g.details['tls-negotiation-failed']?.UnknownCredentials === 1);
    expect(tied, 'samples have a group with one SocketError and one UnknownCredentials failure').toBeDefined();
    const rule = defaultRules.find((r) => r.id === 'tls-negotiation-failed')!;
    expect(tied!.hint).toBe(rule.detailHints!.UnknownCredentials);
    // A group with SocketError alone keeps SocketError's.
    const alone = report.groups.find((g) => JSON.stringify(g.details['tls-negotiation-failed']) === '{"SocketError":2}');
    expect(alone!.hint).toBe(rule.detailHints!.SocketError);
  });
});
