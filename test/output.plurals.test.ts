// "1 findings", "1 queued messages", "1 msgs" (QA): a count of one takes the singular in the table and Markdown,
// as the connectors list's "1 msg" always did.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../src/output/markdown.js';
import { renderTable } from '../src/output/table.js';
import type { ReportGroup } from '../src/types.js';
import { outputGroups, reportOf } from './fixtures/output/report.js';

const SGR = /\u001b\[[0-9;]*m/g;

/** The fixture's queue group with one message and one finding, and a receive group with one session and one finding. */
function ones(): ReportGroup[] {
  const groups = outputGroups();
  const queue = groups.find((g) => g.direction === 'queue')!;
  const recv = groups.find((g) => g.direction === 'receive')!;
  return [
    { ...queue, sessions: 1, messages: 1, byCategory: { 'tls-negotiation-failed': 1 }, details: {}, samples: queue.samples.slice(0, 1) },
    { ...recv, sessions: 1, byCategory: { 'socket-error': 1 }, details: {}, tlsVersions: { none: 1 }, samples: recv.samples.filter((s) => s.category === 'socket-error').slice(0, 1) },
  ];
}

const PLURAL_OF_ONE = /(?<![\d,.])1 (findings|queued messages|msgs|more groups|more connectors|more problems|healthy groups|rows were|lines|records)\b/;

describe('a count of one is singular', () => {
  it('in the table: totals, the groups table, the groups not shown', () => {
    const [queue, recv] = ones();
    const one = renderTable(reportOf([queue!]), { width: 200 }).replace(SGR, '');
    expect(one).toMatch(/^Totals\s+0 sessions, 5 incomplete, 1 finding, 1 queued message$/m);
    expect(one).toMatch(/^queue\s.*\s1 msg\s/m);
    expect(one).not.toMatch(PLURAL_OF_ONE);
    const cut = renderTable(reportOf([queue!, recv!]), { width: 200, top: 1 }).replace(SGR, '');
    expect(cut).toContain('… 1 more group with findings not shown (top 1)');
    expect(cut).not.toMatch(PLURAL_OF_ONE);
  });

  it('in Markdown: totals, the groups table, the groups not shown', () => {
    const [queue, recv] = ones();
    const one = renderMarkdown(reportOf([queue!]));
    expect(one).toContain('0 sessions (5 incomplete), 1 finding, 1 queued message.');
    expect(one).toMatch(/\| 1 msg \|/);
    expect(one).not.toMatch(PLURAL_OF_ONE);
    const cut = renderMarkdown(reportOf([queue!, recv!]), { top: 1 });
    expect(cut).toContain('1 more group not shown (top 1).');
    expect(cut).not.toMatch(PLURAL_OF_ONE);
  });

  it('still plural for other counts', () => {
    const groups = outputGroups();
    const out = renderTable(reportOf(groups), { width: 200 }).replace(SGR, '');
    expect(out).toMatch(/\d findings, \d+ queued messages/);
    expect(out).toMatch(/\s37 msgs\s/);
  });
});
