/**
 * Linear-time matching: 100 KB lines made of near-matches of every pattern family the reader, the session
 * builder and the classifiers look for must each be handled in well under 100 ms. A backtracking regex (nested
 * or end-anchored quantifiers) turns such a line into seconds, which is what these tests would catch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProtocolText } from '../src/read/protocol.js';
import { detectInput } from '../src/read/detect.js';
import { SessionAssembler } from '../src/sessions/builder.js';
import { classifySession, classifyText } from '../src/classify/classify.js';
import { parseLastError } from '../src/classify/lasterror.js';
import { classifyReply } from '../src/classify/replies.js';
import { applyCertificateRow } from '../src/sessions/tls.js';
import type { Session } from '../src/types.js';
import { field, header, skippedSum } from './fixtures/hostile/logs.js';

const SIZE = 100 * 1024;
/** Per 100 KB line, generous for a slow CI machine; a quadratic pattern takes seconds. */
const BUDGET_MS = 100;

const FAMILIES = [
  'TLS protocol ',
  'TLS protocol SP_PROT_TLS1_',
  'TLS negotiation failed with error ',
  'TLS negotiation failed with error Socket',
  'STARTTLS ',
  '250-',
  '250-STARTTLS',
  'Remote(',
  'Remote(SocketError',
  '421 4.4.2 Connection dropped due to',
  '421 4.4.2 Connection dropped due to SocketError ',
  '451 4.4.397 Error communicating with target host. -> ',
  '"',
  '""',
  '",',
  ',',
  "'",
  '[{LED=',
  '{LRT=',
  '};{FQDN=',
  '[LastAttemptedServerName=',
  ' -> ',
  '->',
  'Winsock error code: ',
  'The last endpoint attempted was ',
  '(421 4.4.2 ',
  'Certificate subject',
  'CN=',
  '*',
  ':',
  ' ',
  '=0A',
  '=\r\n',
  'Proxy session setup failed on Frontend with: ',
  'IP address responded with: "',
];

const FILLERS = ['', 'x', '1', ' ', '"', "'", ':', '*', '.', ';', ')', ']', '}', '\\', '=', '-'];

function repeatTo(unit: string): string {
  return unit.repeat(Math.ceil(SIZE / unit.length)).slice(0, SIZE);
}

/** One session whose rows carry the hostile text in each place a rule looks: reply, EHLO, info rows, disconnect. */
function hostileLog(text: string): string {
  const rows = [...header()];
  const row = (seq: number, event: string, data: string, context: string) =>
    `2025-11-10T09:00:00.${String(seq).padStart(3, '0')}Z,EX01\\Default Frontend EX01,08DE00000000001,${seq},10.0.1.21:25,203.0.113.9:40000,${event},${field(data)},${field(context)}`;
  rows.push(row(0, '+', '', ''));
  rows.push(row(1, '>', `220 ${text}`, ''));
  rows.push(row(2, '<', `EHLO ${text}`, ''));
  rows.push(row(3, '>', text, ''));
  rows.push(row(4, '*', '', text));
  rows.push(row(5, '*', text, 'Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names'));
  rows.push(row(6, '*', text, 'Certificate subject'));
  rows.push(row(7, '*', '', text));
  rows.push(row(8, '-', '', text));
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * Runs `fn` and returns the CPU time it took, in ms. CPU time, not wall time: on a loaded machine (CI beside other
 * jobs, a test run beside a benchmark) wall time grows several-fold and failed the budgets, while a super-linear
 * regex on 100 KB costs seconds of CPU whatever else runs.
 */
function timed(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const used = process.cpuUsage(t);
  return (used.user + used.system) / 1000;
}

function throughPipeline(text: string): { ms: number; sessions: Session[]; lines: number } {
  const sessions: Session[] = [];
  let lines = 0;
  const ms = timed(() => {
    const { records, stats } = parseProtocolText(hostileLog(text));
    expect(stats.lines).toBe(stats.records + skippedSum(stats));
    lines = stats.lines;
    const assembler = new SessionAssembler({ origin: 'hostile', direction: 'receive', serverHint: null });
    sessions.push(...assembler.add(records), ...assembler.end());
    for (const s of sessions) classifySession(s);
  });
  return { ms, sessions, lines };
}

function throughTextClassifiers(text: string): number {
  return timed(() => {
    parseLastError(text);
    classifyReply(text);
    classifyText(text);
    applyCertificateRow({ role: 'x', subject: null, issuer: null, serial: null, thumbprint: null, notBefore: null, notAfter: null, alternateNames: [] }, text, text);
  });
}

describe('linear-time matching on 100 KB adversarial lines', () => {
  // Warm the JIT so the first measured case is not charged for compilation.
  throughPipeline(repeatTo('x'));
  throughTextClassifiers(repeatTo('x'));

  it.each(FAMILIES.map((f) => [f]))('repeated %j: reader + sessions + rules and the text classifiers stay fast', (family) => {
    for (const unit of [family, `${family}x`, `${family}"`, `${family}*`, `${family} `]) {
      const text = repeatTo(unit);
      const run = throughPipeline(text);
      // 9 rows of ~100 KB each, plus the header: one budget per row.
      expect(run.ms).toBeLessThan(BUDGET_MS * 9);
      // Line breaks inside the text make more physical lines; each is still accounted for (checked inside).
      if (!text.includes('\n')) expect(run.lines).toBe(14);
      else expect(run.lines).toBeGreaterThan(14);
      expect(run.sessions.length).toBeGreaterThanOrEqual(1);
      // The text classifiers cut or bound their input; each call gets the budget of one line.
      expect(throughTextClassifiers(text)).toBeLessThan(BUDGET_MS * 4);
    }
  });

  it('random mixes of near-matches and fillers (property)', () => {
    const unit = fc
      .array(fc.oneof(fc.constantFrom(...FAMILIES), fc.constantFrom(...FILLERS)), { minLength: 1, maxLength: 6 })
      .map((parts) => parts.join(''))
      .filter((u) => u.length > 0);
    fc.assert(
      fc.property(unit, (u) => {
        const text = repeatTo(u);
        const run = throughPipeline(text);
        expect(run.ms).toBeLessThan(BUDGET_MS * 9);
        expect(run.lines).toBeGreaterThanOrEqual(14);
        expect(throughTextClassifiers(text)).toBeLessThan(BUDGET_MS * 4);
      }),
      { numRuns: 40, seed: 20251110 },
    );
  });

  it('400,000 comma-free lines before the next comma are each searched once, not to the far comma every time', () => {
    // The plain split searches for commas past the end of its line: without its cursor, every one of these lines
    // searched the rest of the 6 MB buffer (16 s here); with it, the run is linear (0.3 s).
    const row = '2025-11-10T09:00:00.000Z,EX01\\Default Frontend EX01,08DE1,0,10.0.1.21:25,203.0.113.9:40000,+,,';
    const text = `${header().join('\r\n')}\r\n${row}\r\n${'no commas here\r\n'.repeat(400_000)}${row}\r\n`;
    let stats: ReturnType<typeof parseProtocolText>['stats'] | undefined;
    const ms = timed(() => {
      stats = parseProtocolText(text).stats;
    });
    expect(stats!.records).toBe(2);
    expect(stats!.skipped['not-a-protocol-row']).toBe(400_000);
    expect(stats!.lines).toBe(stats!.records + skippedSum(stats!));
    expect(ms).toBeLessThan(4000);
  });

  it('one session with 100,000 different EHLO names stays linear and keeps a bounded list of names', () => {
    const rows = [...header()];
    for (let i = 0; i < 100_000; i++) {
      rows.push(`2025-11-10T09:00:00.000Z,EX01\\Default Frontend EX01,08DE1,${i},10.0.1.21:25,203.0.113.9:40000,<,EHLO h${i}.example,`);
    }
    const text = `${rows.join('\r\n')}\r\n`;
    let sessions: Session[] = [];
    const ms = timed(() => {
      const { records } = parseProtocolText(text);
      const assembler = new SessionAssembler({ origin: 'hostile', direction: 'receive', serverHint: null });
      sessions = [...assembler.add(records), ...assembler.end()];
      for (const s of sessions) classifySession(s);
    });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.rows).toBe(100_000);
    // Only the rows rules quote are handed on: the first row, four EHLOs and the last two SMTP rows.
    expect(sessions[0]!.records.map((r) => r.sequence)).toEqual([0, 1, 2, 3, 99_998, 99_999]);
    expect(sessions[0]!.remoteNames).toHaveLength(64);
    expect(sessions[0]!.remoteNames[0]).toBe('h0.example');
    // Quadratic name bookkeeping took over 10 s here; linear work is well under a second.
    expect(ms).toBeLessThan(4000);
  });
});

describe('detection of a 64 KiB head', () => {
  it('names PowerShell table output and refuses near-misses in linear time (a line of dashes followed by text)', () => {
    const dashes = Buffer.from(`Identity DeliveryType\n${'-'.repeat(65_000)}x`);
    const blanks = Buffer.from(' \n'.repeat(32_000));
    const spacedRule = Buffer.from(`Identity   FromAddress\n${'- '.repeat(32_000)}x\n`);
    detectInput(Buffer.from('warm up\n'));
    for (const head of [dashes, blanks, spacedRule]) {
      let reason = '';
      const ms = timed(() => (reason = detectInput(head).reason));
      expect(ms).toBeLessThan(BUDGET_MS * 4);
      expect(reason).toMatch(/^not recognised/);
    }
    // The real shape is still named.
    expect(detectInput(Buffer.from(`Identity DeliveryType Status\n-------- ------------ ------\nEX01\\7 SmtpRelay Retry\n`)).reason).toMatch(/^PowerShell table output/);
  });
});
