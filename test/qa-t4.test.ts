// The QA tester's receive log (generator s4.py): Exchange-specific session shapes the rules once got wrong.
// Read through scan(), so the reader's byte view decides the facts, as it does on real logs.
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import type { Finding } from '../src/types.js';

const LOG = 'test/fixtures/qa-t4/RECV2025111009-1.LOG';

async function findingsById(): Promise<Map<string, Finding[]>> {
  const byId = new Map<string, Finding[]>();
  await scan(LOG, { onSession: (session, findings) => byId.set(session.sessionId, [...findings]) });
  return byId;
}

const cats = (f: readonly Finding[] | undefined) => (f ?? []).map((x) => [x.category, x.detail]);

describe('QA receive log t4', () => {
  it('five Exchange Online sessions that quit after an EHLO reply without STARTTLS are starttls-not-offered (KB2989382)', async () => {
    const byId = await findingsById();
    for (let i = 0; i < 5; i++) expect(cats(byId.get(`08DE1B4BA26E100${i}`)), String(i)).toEqual([['starttls-not-offered', null]]);
    // The lazy path (no onSession): the report counts them, and their groups are no longer healthy.
    const report = await scan(LOG);
    expect(report.totals.byCategory['starttls-not-offered']).toBe(5);
    const exoGroups = report.groups.filter((g) => g.remoteHost.startsWith('40.107.22.'));
    expect(exoGroups.map((g) => g.mainCategory)).toEqual(Array(5).fill('starttls-not-offered'));
    const exo = report.groups.find((g) => g.remoteHost === '40.107.22.50')!;
    expect(exo.samples[0]!.text).toMatch(/^> 250 {2}mail\.contoso\.com Hello .*ENHANCEDSTATUSCODES X-ANONYMOUSTLS AUTH/);
  });

  it('X-ANONYMOUSTLS, 220, Remote(SocketError) is a failed handshake, not a socket error', async () => {
    const byId = await findingsById();
    const f = byId.get('08DE1B4BA26E1100');
    expect(cats(f)).toEqual([['tls-negotiation-failed', 'HandshakeAborted']]);
    expect(f![0]!.evidence.map((e) => e.text)).toEqual(['- Remote(SocketError)', '< X-ANONYMOUSTLS', '> 220 2.0.0 SMTP server ready']);
  });

  it('receive-side UnknownCredentials gets the Receive connector hint, in the finding and in its group', async () => {
    const byId = await findingsById();
    const f = byId.get('08DE1B4BA26E1106');
    expect(cats(f)).toEqual([['tls-negotiation-failed', 'UnknownCredentials']]);
    expect(f![0]!.hint).toMatch(/Receive connector's certificate.*TlsCertificateName.*KB2989382/);
    expect(f![0]!.hint).not.toMatch(/Send connector/);
    const report = await scan(LOG);
    const group = report.groups.find((g) => g.remoteHost === '198.51.100.92')!;
    expect(group.hint).toBe(f![0]!.hint);
  });
});
