/**
 * The connectors section of the table and Markdown: a connector to Exchange Online meets a new EXO address on
 * nearly every session, so its failures spread over one group per address and none of them reaches the top
 * groups, while the connector as a whole fails most (an incident tester's case).
 */
import { describe, expect, it } from 'vitest';
import { categoryInfo, classifySession } from '../src/classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE } from '../src/classify/rules.js';
import { renderMarkdown } from '../src/output/markdown.js';
import { connectorsWithFindings, renderTable } from '../src/output/table.js';
import { ReportBuilder } from '../src/report/builder.js';
import { SessionAssembler } from '../src/sessions/builder.js';
import type { Report } from '../src/types.js';
import { session } from './helpers/rows.js';

const SEND_FAILED = `*,,attempting to connect
+,,
<,220 mail.protection.outlook.com Microsoft ESMTP MAIL Service ready,
>,EHLO mail.contoso.com,
<,250 mail.protection.outlook.com STARTTLS,
>,STARTTLS,
<,220 2.0.0 SMTP server ready,
*,,TLS negotiation failed with error SocketError
-,,Remote`;

const RECEIVE_FAILED = `+,,
>,220 EX01 Microsoft ESMTP MAIL Service ready,
<,EHLO client.example,
>,250 EX01 Hello STARTTLS,
<,STARTTLS,
>,220 2.0.0 SMTP server ready,
*,,TLS negotiation failed with error UnknownCredentials
-,,Local`;

function incident(): Report {
  const builder = new ReportBuilder({ samples: 1, categories: categoryInfo([...defaultRules, QUEUE_ERROR_RULE]), version: 'test' });
  const add = (direction: 'send' | 'receive', records: ReturnType<typeof session>) => {
    const a = new SessionAssembler({ origin: direction, direction, serverHint: 'EX01' });
    for (const s of [...a.add(records), ...a.end()]) builder.addSession(s, classifySession(s));
  };
  // 30 sessions to Exchange Online, each to another address: 30 groups of one failure.
  for (let i = 0; i < 30; i++) {
    add('send', session(`08DE0000000000${String(i).padStart(2, '0')}`, SEND_FAILED, { connector: 'Outbound to Office 365', remote: `104.47.0.${i + 1}:25` }));
  }
  // 12 receive clients failing twice each: 12 groups of two failures, 24 in all.
  for (let i = 0; i < 12; i++) {
    for (const n of [0, 1]) {
      add('receive', session(`08DF00000000${String(i).padStart(2, '0')}0${n}`, RECEIVE_FAILED, { remote: `198.51.100.${i + 1}:5000${n}` }));
    }
  }
  return builder.build();
}

describe('connectors with findings', () => {
  const report = incident();

  it('lists a connector whose failures are spread over many hosts first, with its host count', () => {
    const { rows, more } = connectorsWithFindings(report, 10);
    expect(more).toBe(0);
    expect(rows).toEqual([
      { direction: 'send', connector: 'Outbound to Office 365', size: '30 sessions, 30 hosts', findings: 'tls-negotiation-failed:30' },
      { direction: 'recv', connector: 'EX01\\Default Frontend EX01', size: '24 sessions, 12 hosts', findings: 'tls-negotiation-failed:24' },
    ]);
    expect(connectorsWithFindings(report, 1).more).toBe(1);
  });

  it('the table shows it although none of its groups is among the top groups', () => {
    const out = renderTable(report, { width: 120, top: 10 });
    const groups = out.slice(out.indexOf('GROUPS'));
    expect(groups.split('\n').filter((l) => /^send\s/.test(l))).toHaveLength(0);
    const section = out.slice(out.indexOf('CONNECTORS WITH FINDINGS'), out.indexOf('GROUPS'));
    expect(section.split('\n')[1]).toMatch(/^ {2}send +Outbound to Office 365 +30 sessions, 30 hosts {2}tls-negotiation-failed:30$/);
  });

  it('Markdown lists it in a table of its own', () => {
    const md = renderMarkdown(report, { top: 10 });
    const section = md.slice(md.indexOf('## Connectors with findings'), md.indexOf('## Groups'));
    expect(section).toContain('| send | Outbound to Office 365 | 30 sessions, 30 hosts | tls-negotiation-failed:30 |');
  });

  it('a report without findings has no such section', () => {
    const healthy = { ...report, connectors: report.connectors.map((c) => ({ ...c, byCategory: {} })) };
    expect(renderTable(healthy, { width: 120 })).not.toContain('CONNECTORS WITH FINDINGS');
    expect(renderMarkdown(healthy)).not.toContain('## Connectors with findings');
  });
});

describe('queue connectors among them', () => {
  it('count a failing queue connector by its messages waiting when they are more than its failed entries, as the groups do', () => {
    const base = incident();
    const queue = (key: string, messages: number, failed: number): Report['connectors'][number] => ({
      key, direction: 'queue', sessions: failed, messages, byCategory: { 'socket-error': failed }, tlsVersions: {}, firstSeen: null, lastSeen: null,
    });
    // One Get-Queue entry with 155 messages stuck, and a Get-Message export's 3 rows of another queue.
    const report: Report = { ...base, connectors: [...base.connectors, queue('EX01\\9', 0, 3), queue('8c2f7d10-5b3a-4f9e-a6d1-2e7b40c9f385', 155, 1)] };
    const { rows } = connectorsWithFindings(report, 10);
    expect(rows.map((r) => r.connector)).toEqual(['8c2f7d10-5b3a-4f9e-a6d1-2e7b40c9f385', 'Outbound to Office 365', 'EX01\\Default Frontend EX01', 'EX01\\9']);
    expect(rows[0]).toMatchObject({ direction: 'queue', size: '155 msgs', findings: 'socket-error:1' });
    // Without queues the JSON's order stands.
    expect(connectorsWithFindings(base, 10).rows.map((r) => r.connector)).toEqual(['Outbound to Office 365', 'EX01\\Default Frontend EX01']);
  });
});
