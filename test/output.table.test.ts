import { describe, expect, it } from 'vitest';
import { renderTable, sourceLabels } from '../src/output/table.js';
import type { Report, ReportGroup } from '../src/types.js';
import { CATEGORIES, HOSTILE_EHLO, manyHealthyReport, outputGroups, outputReport, refusedReport, reportOf } from './fixtures/output/report.js';

/** Our own SGR sequences: the only escape sequences the table may ever write. */
const SGR = /\u001b\[[0-9;]*m/g;

/** Terminal columns, counted independently of the renderer: wide CJK/Hangul/full-width take two. */
function columns(line: string): number {
  let n = 0;
  for (const ch of line) {
    const cp = ch.codePointAt(0) ?? 0;
    n += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xff00 && cp <= 0xff60) ? 2 : 1;
  }
  return n;
}

function lines(text: string): string[] {
  return text.replace(SGR, '').split('\n');
}

/** The group table: its header row and the rows after it. */
function tableRows(text: string): string[] {
  const all = lines(text);
  const start = all.findIndex((l) => /^DIR\s+/.test(l));
  expect(start).toBeGreaterThan(0);
  const end = all.findIndex((l, i) => i > start && !/^(recv|send|queue)\s/.test(l));
  return all.slice(start, end < 0 ? undefined : end);
}

const WIDE = { width: 400 };

describe('table output: structure and numbers', () => {
  const report = outputReport();
  const out = renderTable(report, WIDE);

  it('starts with coverage, per server, and the inputs summary', () => {
    const all = lines(out);
    expect(all[0]).toContain(`logscan ${report.generator.version}`);
    expect(out).toMatch(/^Coverage\s+2024-05-13 17:00:05 → 2024-05-14 18:39:58 UTC/m);
    for (const s of report.coverage.servers) {
      expect(out).toContain(`${s.server}  ${s.from?.slice(0, 19).replace('T', ' ')} → ${s.to?.slice(0, 19).replace('T', ' ')}`);
    }
    const lineTotal = report.inputs.reduce((s, i) => s + i.lines, 0);
    const records = report.inputs.reduce((s, i) => s + i.records, 0);
    expect(out).toContain(`${report.inputs.length} files`);
    expect(out).toContain(`${lineTotal.toLocaleString('en-US')} lines, ${records.toLocaleString('en-US')} records`);
    expect(out).toMatch(/^Skipped\s.*80 queue-continuation, 15 header, 13 blank, 2 malformed-row, 1 truncated-last-line/m);
    expect(out).toContain('error MSGTRK20240513-1.LOG: refused: message-tracking log');
    expect(out).toContain('problem RECV2024051317-1.LOG:52310 The last line has no line end');
  });

  it('lists totals per category with titles and counts', () => {
    for (const c of CATEGORIES) {
      const n = report.totals.byCategory[c.id] ?? 0;
      expect(out).toMatch(new RegExp(`^  ${c.id}\\s+${n}  ${c.title.replace(/[()./]/g, '\\$&')}$`, 'm'));
    }
    expect(out).toContain(`${report.totals.sessions} sessions, ${report.totals.incompleteSessions} incomplete, ${report.totals.findings} findings, ${report.totals.queueMessages} queued messages`);
  });

  it('has the group columns and one row per group, worst first', () => {
    const rows = tableRows(out);
    expect(rows[0]?.split(/\s{2,}/)).toEqual(['DIR', 'SERVER', 'CONNECTOR', 'REMOTE HOST', 'SESSIONS', 'FINDINGS', 'TLS', 'LAST SEEN']);
    // 4 failing groups + 2 healthy ones (few enough to list).
    expect(rows).toHaveLength(1 + report.groups.length);
    // Expected order: groups where mail failed, then warning-only groups (legacy TLS, plaintext), then healthy
    // ones. Within a tier: failed sessions (a failing queue group: messages waiting when more), their share, then
    // all findings (queue: messages waiting when more), then size. Warnings no longer add to the first key.
    const warning = (id: string): boolean => id === 'legacy-tls' || id === 'plaintext';
    const sum = (g: ReportGroup, keep: (id: string) => boolean): number =>
      Object.entries(g.byCategory).reduce((s, [id, n]) => (keep(id) ? s + n : s), 0);
    const failed = (g: ReportGroup): number => sum(g, (id) => !warning(id));
    const failedWeight = (g: ReportGroup): number => (g.direction === 'queue' && failed(g) > 0 ? Math.max(failed(g), g.messages) : failed(g));
    const share = (g: ReportGroup): number => Math.min(1, failed(g) / g.sessions);
    const weight = (g: ReportGroup): number => (g.direction === 'queue' ? Math.max(sum(g, () => true), g.messages) : sum(g, () => true));
    const tier = (g: ReportGroup): number => (failed(g) > 0 ? 2 : weight(g) > 0 ? 1 : 0);
    const expected = [...report.groups].sort(
      (a, b) => tier(b) - tier(a) || failedWeight(b) - failedWeight(a) || share(b) - share(a) || weight(b) - weight(a) || b.sessions - a.sessions,
    );
    // The fixture's queue entry (37 messages waiting) now leads the send group (18 failed + 24 legacy-tls).
    expect(expected.slice(0, 3).map((g) => g.remoteHost)).toEqual(['contoso-com.mail.protection.outlook.com', '104.47.22.74', '203.0.113.50']);
    expected.forEach((g, i) => expect(rows[i + 1]).toContain(g.remoteHost));
  });

  it('shows each group’s numbers, findings and TLS versions', () => {
    const rows = tableRows(out);
    const printers = rows.find((r) => r.includes('10.20.4.17'));
    expect(printers).toMatch(/^recv\s+EX02\s+EX02\\Relay Printers\s+10\.20\.4\.17 \(scan-3f\.corp\.fabrikam\.local\)\s+130\s+legacy-tls:130\s+1\.0:130\s+2024-05-14 16:48:37$/);
    const send = rows.find((r) => r.startsWith('send'));
    expect(send).toMatch(/\s42\s+legacy-tls:24 tls-negotiation-failed:18\s+1\.0:24 none:18\s/);
    const queue = rows.find((r) => r.startsWith('queue'));
    expect(queue).toMatch(/\s37 msgs\s+tls-negotiation-failed:1\s+-\s+2024-05-14 18:20:00$/);
    const healthy = rows.find((r) => r.includes('198.51.100.7'));
    expect(healthy).toMatch(/\s300\s+-\s+1\.3:4 1\.2:296\s/);
  });

  it('shows dates as yyyy-MM-dd HH:mm:ss, never raw ISO', () => {
    for (const row of tableRows(out).slice(1)) expect(row).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(tableRows(out).join('\n')).not.toMatch(/\dT\d{2}:\d{2}:\d{2}/);
  });

  it('writes a block per failing group with hint and evidence, and none for healthy ones', () => {
    const blocks = out.split('\n').filter((l) => /^\[\d+\] /.test(l));
    expect(blocks).toHaveLength(4);
    // 37 messages waiting on a failing queue outweigh 18 failed sessions (the send group's 24 legacy-tls
    // warnings no longer count before failures).
    expect(blocks[0]).toBe('[1] queue  EX01  Outbound to Office 365 → contoso-com.mail.protection.outlook.com');
    expect(blocks[1]).toBe('[2] send  EX01  Outbound to Office 365 → 104.47.22.74');
    expect(out).toContain('Hint: Identify the device (EHLO name, IP), then upgrade it or enable TLS 1.2');
    expect(out).toContain('TLS negotiation failed: 9 (UnknownCredentials 9)');
    expect(out).toContain('1 queue entry, 37 messages waiting');
    // The full path when there is room, the file name when not (the server is in the block heading).
    expect(out).toMatch(/^ {6}EX01\/TransportRoles\/Logs\/Hub\/ProtocolLog\/SmtpSend\/SEND2024051408-2\.LOG:1184 {2}08DC7328A1B2C3D4$/m);
    expect(renderTable(report, { width: 100 })).toMatch(/^ {6}SEND2024051408-2\.LOG:1184 {2}08DC7328A1B2C3D4$/m);
    expect(out).toContain('TLS negotiation failed with error NoCredentials');
    expect(out).not.toContain('→ 198.51.100.7');
  });

  it('shows at most `samples` evidence rows per group and category (default 3)', () => {
    const evidence = (text: string): number => text.split('\n').filter((l) => /^ {6}\S+\.(LOG|txt):\d+( |$)/.test(l)).length;
    // Samples per failing group: 2 tls-negotiation-failed + 2 socket-error, 1, 1, 1.
    expect(evidence(out)).toBe(2 + 2 + 1 + 1 + 1);
    // One per category: the 203.0.113.50 group has two.
    expect(evidence(renderTable(report, { ...WIDE, samples: 1 }))).toBe(2 + 1 + 1 + 1);
    const none = renderTable(report, { ...WIDE, samples: 0 });
    expect(evidence(none)).toBe(0);
    expect(none).not.toContain('Evidence:');
  });
});

describe('table output: hostile text', () => {
  const report = outputReport();

  it('never writes a raw ESC, BEL, CR, bidi override or lone surrogate without colour', () => {
    for (const width of [60, 80, 100, 120, 400]) {
      const out = renderTable(report, { width });
      expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(out).not.toMatch(/[\ud800-\udfff]/u);
    }
  });

  it('shows the hostile EHLO name and certificate subject as visible escapes', () => {
    const out = renderTable(report, WIDE);
    expect(out).toContain("EHLO: evil\\x1B[31m.example|=cmd|' /C calc'!A0<script>alert(1)</script>");
    expect(out).toContain('CN=mail\\x1B]0;pwned\\x07.example\\u{202E}gpj.exe');
    expect(out).toContain('OU=\ufffd');
  });

  it('with colour, the only escape sequences are its own SGR codes', () => {
    const out = renderTable(report, { width: 120, color: true });
    expect(out).toMatch(SGR);
    expect(out.replace(SGR, '')).not.toContain('\u001b');
    // Colour adds codes and nothing else.
    expect(out.replace(SGR, '')).toBe(renderTable(report, { width: 120 }));
  });

  it('writes no colour unless asked', () => {
    expect(renderTable(report)).not.toContain('\u001b');
    expect(renderTable(report, { color: false, width: 120 })).not.toContain('\u001b');
  });

  it('errors are red when colour is on', () => {
    const out = renderTable(report, { width: 120, color: true });
    expect(out).toContain('\u001b[31mMSGTRK20240513-1.LOG: refused: message-tracking log (not an SMTP protocol log)\u001b[0m');
  });

  it('keeps a hostile EHLO from changing the table’s columns', () => {
    const rows = tableRows(renderTable(report, WIDE));
    const hostile = rows.find((r) => r.includes('203.0.113.50'));
    expect(hostile).toContain(`203.0.113.50 (${HOSTILE_EHLO.replace('\u001b', '\\x1B')})`);
    const header = rows[0] ?? '';
    // Every row has its FINDINGS and LAST SEEN values where the header puts them.
    for (const row of rows.slice(1)) {
      expect(row.slice(header.indexOf('LAST SEEN'))).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(row.slice(header.indexOf('FINDINGS'))).toMatch(/^(-|[a-z-]+:\d+)/);
    }
  });
});

describe('table output: fitting the width', () => {
  const report = outputReport();

  it.each([40, 60, 80, 100, 120])('no line is longer than %i columns', (width) => {
    for (const colour of [false, true]) {
      for (const line of lines(renderTable(report, { width, color: colour }))) expect(columns(line)).toBeLessThanOrEqual(width);
    }
  });

  it('fills the width it is given when the content is wider (no wasted columns)', () => {
    for (const width of [80, 120]) {
      const rows = tableRows(renderTable(report, { width }));
      expect(Math.max(...rows.map(columns))).toBe(width);
    }
  });

  it('cuts text columns with … and keeps numbers whole', () => {
    const rows = tableRows(renderTable(report, { width: 80 }));
    expect(rows.join('\n')).toContain('…');
    for (const g of report.groups) {
      const value = g.direction === 'queue' ? `${g.messages} msgs` : String(g.sessions);
      expect(rows.some((r) => new RegExp(`\\s${value}\\s`).test(r))).toBe(true);
    }
  });

  it('shows the full time at 100 columns and the date at least at 80', () => {
    expect(tableRows(renderTable(report, { width: 100 }))[1]).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(tableRows(renderTable(report, { width: 80 }))[1]).toMatch(/\d{4}-\d{2}-\d{2}$/);
  });

  it('counts wide characters as two columns', () => {
    const groups = outputGroups();
    const first = groups[0];
    if (first === undefined) throw new Error('fixture has no groups');
    groups[0] = { ...first, connector: 'EX01\\受信コネクタ既定フロントエンド受信コネクタ', remoteNames: ['メールサーバー.例え.jp'] };
    const out = renderTable(reportOf(groups), { width: 80 });
    expect(out).toContain('受信');
    for (const line of lines(out)) expect(columns(line)).toBeLessThanOrEqual(80);
  });

  it('counts emoji as two columns and combining marks, joiners and variation selectors as none, so columns line up', () => {
    // The terminal's view: accents drawn on the letter before, emoji double width.
    const screen = (line: string): number => {
      let n = 0;
      for (const ch of line) {
        const cp = ch.codePointAt(0) ?? 0;
        n += cp === 0x0301 || cp === 0x200d || cp === 0xfe0f ? 0 : cp >= 0x1f300 ? 2 : 1;
      }
      return n;
    };
    const groups = outputGroups();
    const first = groups[0]!;
    groups[0] = { ...first, connector: 'EX01\\Cafe\u0301-e\u0301e\u0301\u0301 relay', remoteNames: ['\u{1F680}mail\u{1FAE0}.example', 'x\u200dy\ufe0f'] };
    for (const width of [80, 120, 160]) {
      const rows = tableRows(renderTable(reportOf(groups), { width }));
      if (width > 80) expect(rows.some((r) => r.includes('\u{1F680}'))).toBe(true);
      // No row is wider on screen than the width, and every LAST SEEN starts in the same screen column.
      for (const row of rows.slice(1)) expect(screen(row.replace(/ +$/, '')), row).toBeLessThanOrEqual(width);
      const lastSeenAt = (row: string) => screen(row.slice(0, row.search(/\d{4}-\d{2}-\d{2}|-\s*$/)));
      const starts = rows.slice(1).filter((r) => /\d{4}-\d{2}-\d{2}/.test(r)).map(lastSeenAt);
      expect(starts.length).toBeGreaterThan(2);
      expect(new Set(starts).size, `width ${width}`).toBe(1);
    }
  });

  it('falls back to 100 columns when the width is not a usable number', () => {
    for (const width of [Number.NaN, Number.POSITIVE_INFINITY, 0, -5]) {
      expect(renderTable(report, { width })).toBe(renderTable(report, { width: 100 }));
    }
  });
});

describe('table output: top, healthy groups and empty reports', () => {
  it('limits the failing groups to `top` and says how many are hidden', () => {
    const out = renderTable(outputReport(), { ...WIDE, top: 2 });
    expect(out.split('\n').filter((l) => /^\[\d+\] /.test(l))).toHaveLength(2);
    expect(out).toContain('… 2 more groups with findings not shown (top 2)');
    expect(tableRows(out)).toHaveLength(1 + 2);
  });

  it('summarises many healthy groups in one line', () => {
    const report = manyHealthyReport(6);
    const healthy = report.groups.filter((g) => Object.keys(g.byCategory).length === 0);
    const sessions = healthy.reduce((s, g) => s + g.sessions, 0);
    const out = renderTable(report, WIDE);
    expect(out).toContain(`${healthy.length} healthy groups, ${sessions} sessions (no findings)`);
    for (const g of healthy) expect(tableRows(out).join('\n')).not.toContain(g.remoteHost);
  });

  it('says plainly that nothing was found, and why', () => {
    const out = renderTable(refusedReport(), WIDE);
    expect(out).toContain('No SMTP sessions or queue entries were found.');
    expect(out).toContain('The only input was refused or could not be read');
    // And where the logs it reads are, Edge and Exchange 2010 included, as when a folder held only other kinds.
    expect(out.replace(/\s+/g, ' ')).toContain('Protocol logs are in …\\TransportRoles\\Logs\\FrontEnd\\ProtocolLog, …\\Hub\\ProtocolLog and (Edge) …\\Edge\\ProtocolLog');
    expect(out.replace(/\s+/g, ' ')).toContain('Exchange 2010: …\\V14\\TransportRoles\\Logs\\ProtocolLog');
    expect(out).toContain('error MSGTRK20240513-1.LOG');
    expect(out).not.toMatch(/^DIR\s/m);
  });

  it('explains an empty run with no inputs at all', () => {
    const empty: Report = { ...refusedReport(), inputs: [] };
    expect(renderTable(empty, WIDE)).toContain('No input was read');
  });

  it('says so when no group has findings', () => {
    const healthy = outputGroups().filter((g) => Object.keys(g.byCategory).length === 0);
    const out = renderTable(reportOf(healthy), WIDE);
    const sessions = healthy.reduce((s, g) => s + g.sessions, 0);
    expect(out).toContain(`No TLS problems found in ${sessions} sessions.`);
    expect(out).toContain('No group has findings.');
    expect(out).not.toMatch(/^\[1\]/m);
  });
});

describe('table output: very long hostile text', () => {
  it('stays fast and within width for a megabyte-long EHLO name and sample', () => {
    const groups = outputGroups();
    const first = groups[0];
    if (first === undefined) throw new Error('fixture has no groups');
    const huge = 'A'.repeat(1_000_000);
    groups[0] = {
      ...first,
      remoteNames: [huge, `${huge}\u001b`],
      samples: [{ ...(first.samples[0] ?? { source: 'x', line: 1, sessionId: 's', category: 'c', detail: null, time: '' }), text: `${huge} ${huge}` }],
    };
    const started = Date.now();
    const out = renderTable(reportOf(groups), { width: 100 });
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const line of lines(out)) expect(columns(line)).toBeLessThanOrEqual(100);
    expect(out.length).toBeLessThan(50_000);
    expect(out).not.toContain('\u001b');
  });
});

describe('queue groups (Get-Queue export of samples/)', () => {
  it('label their names as next hops, name the Send connector lookup for a GUID, and show no empty time span', async () => {
    const { scan } = await import('../src/scan.js');
    const { formatReport } = await import('../src/output/index.js');
    const report = await scan(new URL('../samples/queue/EX01-get-queue.csv', import.meta.url).pathname);
    const queue = report.groups.filter((g) => g.direction === 'queue' && g.mainCategory !== null);
    expect(queue.length).toBeGreaterThan(0);
    // Get-Queue has local, zone-less retry times only: no UTC span is known.
    expect(queue.every((g) => g.firstSeen === null && g.lastSeen === null)).toBe(true);
    const table = renderTable(report, { width: 200 });
    const guid = queue[0]!.connector;
    expect(table).toContain(`Connector: Get-SendConnector | Where-Object Guid -eq '${guid}' names the queue's next-hop connector`);
    expect(table).toMatch(/^ {4}Next hop: contoso/m);
    expect(table).not.toMatch(/^ {4}EHLO: /m);
    expect(table).toMatch(/^ {4}1 queue entry, \d+ messages waiting$/m);
    const markdown = formatReport(report, 'markdown');
    expect(markdown).toContain(`- Connector: \`Get-SendConnector | Where-Object Guid -eq '${guid}'\` names the queue's next-hop connector`);
    expect(markdown).toMatch(/^- 1 queue entry, \d+ messages waiting$/m);
    expect(markdown).not.toContain('- → -');
    expect(formatReport(report, 'html')).toContain(`<dt>Send connector</dt><dd class="break mono">Get-SendConnector | Where-Object Guid -eq &#39;${guid}&#39;`);
  });
});

describe('short names of inputs (problem lines, evidence that does not fit)', () => {
  it('uses the file name where it is unique, and the folder that tells two servers apart where it is not', () => {
    const labels = sourceLabels([
      'collected/EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG',
      'collected/EX02/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG',
      'collected/EDGE01/Edge/ProtocolLog/SmtpSend/SEND2025111010-1.LOG',
      'C:\\Logs\\a\\RECV1.LOG',
      'C:\\Logs\\b\\RECV1.LOG',
      'RECV1.LOG',
    ]);
    expect(labels.get('collected/EX01/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG')).toBe('EX01/…/SEND2025111009-1.LOG');
    expect(labels.get('collected/EX02/Hub/ProtocolLog/SmtpSend/SEND2025111009-1.LOG')).toBe('EX02/…/SEND2025111009-1.LOG');
    expect(labels.get('collected/EDGE01/Edge/ProtocolLog/SmtpSend/SEND2025111010-1.LOG')).toBe('SEND2025111010-1.LOG');
    expect(labels.get('C:\\Logs\\a\\RECV1.LOG')).toBe('a/RECV1.LOG');
    expect(labels.get('C:\\Logs\\b\\RECV1.LOG')).toBe('b/RECV1.LOG');
    expect(labels.get('RECV1.LOG')).toBe('RECV1.LOG');
  });

  it('keeps every folder where the paths differ, so two transport services of two servers stay apart', () => {
    const paths = ['EX01', 'EX02'].flatMap((server) =>
      ['Hub', 'FrontEnd'].map((service) => `C:\\collected\\${server}\\${service}\\ProtocolLog\\SmtpSend\\SEND1.LOG`),
    );
    const labels = sourceLabels(paths);
    expect(paths.map((p) => labels.get(p))).toEqual([
      'EX01/Hub/…/SEND1.LOG',
      'EX01/FrontEnd/…/SEND1.LOG',
      'EX02/Hub/…/SEND1.LOG',
      'EX02/FrontEnd/…/SEND1.LOG',
    ]);
    expect(new Set(labels.values()).size).toBe(paths.length);
  });

  it('stays linear on many files of one name', () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `logs/server${i}/SmtpSend/SEND1.LOG`);
    const started = performance.now();
    const labels = sourceLabels(many);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(labels.get('logs/server7/SmtpSend/SEND1.LOG')).toBe('server7/…/SEND1.LOG');
    expect(new Set(labels.values()).size).toBe(20_000);
  });

  it('names which server’s file a problem is in', () => {
    const report = reportOf([]);
    const input = (source: string) => ({ ...report.inputs[0]!, source, error: null, problems: [{ line: 44, reason: 'short-row', message: 'line 44 has 8 fields where 9 are expected' }] });
    const text = renderTable({ ...report, inputs: [input('c/EX01/Hub/ProtocolLog/SmtpSend/SEND1.LOG'), input('c/EX02/Hub/ProtocolLog/SmtpSend/SEND1.LOG')] }, { width: 160 });
    expect(text).toContain('problem EX01/…/SEND1.LOG:44 line 44 has 8 fields');
    expect(text).toContain('problem EX02/…/SEND1.LOG:44 line 44 has 8 fields');
  });
});

describe('counts in words', () => {
  it('says 1 session and 1 queue entry, and sessions for any other count', async () => {
    const { scan } = await import('../src/scan.js');
    const text = renderTable(await scan(['samples']), { width: 160, top: 100 });
    expect(text).toMatch(/ 1 session, /);
    expect(text).not.toMatch(/\b1 sessions\b/);
    expect(text).toMatch(/ [2-9]\d* sessions, /);
    expect(text).not.toMatch(/\b1 messages\b/);
    // A block of one category quotes its rows without naming it; one of several names it on every row.
    const block = (head: RegExp) => text.slice(text.search(head)).split('\n\n')[0]!;
    expect(block(/\[\d+\] recv {2}EX01 {2}EX01\\Relay Printers → 10\.0\.30\.51/)).toMatch(/:\d+ {2}[0-9A-F]{16}\n/);
    expect(block(/\[\d+\] send {2}EX01 {2}Outbound to Office 365 → 104\.47\.18\.42/)).toMatch(/:\d+ {2}[0-9A-F]{16} {2}starttls-required\n/);
  });
});
