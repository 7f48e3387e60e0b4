/**
 * Sessions are built from two kinds of row: records (library users, `SessionAssembler.add`) and the reader's
 * byte view (scan), which answers facts' questions from bytes and keeps rows as pins or lazily as bytes. Random
 * logs of interleaved sessions with hostile twists (quotes, commas, UTF-8, rows one field short, `\*` events)
 * must give the same sessions, rows and findings all three ways. `FUZZ_RUNS=5000 npx vitest run` looks harder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifySession } from '../src/classify/classify.js';
import { parseProtocolText, readProtocolRows } from '../src/read/protocol.js';
import { emptyStats } from '../src/read/stats.js';
import { SessionAssembler } from '../src/sessions/builder.js';
import { recordsOf } from '../src/sessions/facts.js';
import type { Session } from '../src/types.js';

type Direction = 'receive' | 'send';

const header = (direction: Direction) => [
  '#Software: Microsoft Exchange Server',
  '#Version: 15.0.0.0',
  `#Log-type: SMTP ${direction === 'receive' ? 'Receive' : 'Send'} Protocol Log`,
  '#Date: 2025-11-10T10:00:00.000Z',
  '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context',
];

const TLS_OK = 'TLS protocol SP_PROT_TLS1_2_SERVER negotiation succeeded using bulk encryption algorithm CALG_AES_256 with strength 256 bits, MAC hash algorithm CALG_SHA_384 with strength 0 bits and key exchange algorithm CALG_ECDHE with magnitude 384 bits';

/** event, data, context: each already in its CSV form (quoted where it must be). */
const ROWS: ReadonlyArray<readonly [string, string, string]> = [
  ['+', '', ''],
  ['>', '220 EX01 Microsoft ESMTP MAIL Service ready', ''],
  ['<', 'EHLO client.example', ''],
  ['<', 'EHLO h\u00e9llo-\u65e5\u672c.example', ''],
  ['<', 'ehlo lower.example', ''],
  ['>', '250-EX01 Hello [203.0.113.5]', ''],
  ['>', '250 EX01 Hello [203.0.113.5] SIZE STARTTLS AUTH', ''],
  ['>', '250  EX01 Hello SIZE X-ANONYMOUSTLS', ''],
  ['<', 'STARTTLS', ''],
  ['<', 'X-ANONYMOUSTLS', ''],
  ['<', 'AUTH LOGIN', ''],
  ['>', '250 EX01 Hello [203.0.113.5] SIZE X-ANONYMOUSTLS AUTH', ''],
  ['<', 'x-anonymousTLS', ''],
  ['>', '220 2.0.0 SMTP server ready', ''],
  ['*', '', 'Sending certificate'],
  ['*', 'CN=mail.contoso.com', 'Certificate subject'],
  ['*', '"CN=mail.contoso.com, O=Contoso, C=US"', 'Certificate subject'],
  ['*', '"CN=Issuing CA, DC=contoso, DC=com"', 'Certificate issuer name'],
  ['*', '"CN=mail.contoso.com, OU=IT"', '"Sending certificate Subject Issuer name Serial number Thumbprint Not before Not after Subject alternate names"'],
  ['*', '', TLS_OK],
  ['*', '', 'TLS protocol SP_PROT_TLS1_0_SERVER negotiation succeeded using bulk encryption algorithm CALG_RC4 with strength 128 bits'],
  ['*', '', 'TLS negotiation failed with error SocketError'],
  ['*', '', 'TLS negotiation failed with error UnknownCredentials'],
  ['*', 'SMTPSubmit SMTPAcceptAnySender', 'Set Session Permissions'],
  ['*', 'user@contoso.com', 'User Name: CONTOSO\\scanner'],
  ['<', 'MAIL FROM:<a@contoso.com>', ''],
  ['>', '250 2.1.0 Sender OK', ''],
  ['<', 'DATA', ''],
  ['>', '354 Start mail input; end with <CRLF>.<CRLF>', ''],
  ['>', '250 2.6.0 <id@host> [InternalId=1] Queued mail for delivery', ''],
  ['>', '451 5.7.3 Must issue a STARTTLS command first', ''],
  ['>', '"530 5.7.1 ""Client was not authenticated"", go away"', ''],
  ['>', '421 4.4.2 Connection dropped due to SocketError', ''],
  ['>', '535 5.7.3 Authentication unsuccessful', ''],
  ['<', 'QUIT', ''],
  ['>', '221 2.0.0 Service closing transmission channel', ''],
  ['<', 'NOOP', 'a context that only this row has'],
  ['\\*', 'repaired star', 'context of a repaired row'],
  ['-', '', 'Remote(SocketError)'],
  ['-', '', 'Remote(ConnectionReset)'],
  ['-', '', 'Local'],
];

interface Step {
  session: number;
  row: number;
  /** Drop the last comma (the last field then reads as empty), as web copies do. */
  short: boolean;
  /** Minutes of silence before the row: past 15, open sessions are handed on as idle. */
  pause: number;
}

const step = fc.record({
  session: fc.integer({ min: 0, max: 3 }),
  row: fc.integer({ min: 0, max: ROWS.length - 1 }),
  short: fc.boolean(),
  pause: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
});

function logOf(steps: readonly Step[], direction: Direction): string {
  const seq = [0, 0, 0, 0];
  let ms = Date.UTC(2025, 10, 10, 10, 0, 0);
  const lines = steps.map((s) => {
    const [event, data, context] = ROWS[s.row]!;
    const id = `08DE00000000000${s.session}`;
    ms += 250 + s.pause * 60_000;
    const time = new Date(ms).toISOString();
    const line = `${time},EX01\\Default Frontend EX01,${id},${seq[s.session]!++},10.0.0.1:25,203.0.113.${s.session + 5}:4000${s.session},${event},${data},${context}`;
    // Only a row whose last field is empty can lose its comma and read the same.
    return s.short && context === '' ? line.slice(0, -1) : line;
  });
  return [...header(direction), ...lines, ''].join('\r\n');
}

const info = (direction: Direction) => ({ origin: 'o', direction, serverHint: null });

function fromRecords(text: string, direction: Direction): Session[] {
  const assembler = new SessionAssembler(info(direction));
  return [...assembler.add(parseProtocolText(text, 'x').records), ...assembler.end()];
}

async function fromBytes(text: string, direction: Direction, lazyRecords: boolean, chunk: number): Promise<Session[]> {
  const bytes = Buffer.from(text);
  const assembler = new SessionAssembler(info(direction), {}, { lazyRecords });
  const done: Session[] = [];
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield Buffer.from(bytes.subarray(i, i + chunk));
  }
  await readProtocolRows(chunks(), emptyStats('x'), (row) => assembler.addRow(row, done));
  return [...done, ...assembler.end()];
}

/** A session as compared: its facts, its rows (made now if lazy) and its findings. */
function view(s: Session) {
  const findings = classifySession(s);
  return { ...s, records: recordsOf(s), findings };
}

describe('sessions from records and from bytes agree', () => {
  it.each(['receive', 'send'] as const)('%s: random interleaved sessions with quotes, UTF-8, short rows, repaired events and idle gaps', async (direction) => {
    let sessions = 0;
    let findings = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 60 }), fc.integer({ min: 7, max: 400 }), async (steps, chunk) => {
        const text = logOf(steps, direction);
        const expected = fromRecords(text, direction).map(view);
        expect((await fromBytes(text, direction, false, chunk)).map(view)).toEqual(expected);
        expect((await fromBytes(text, direction, true, chunk)).map(view)).toEqual(expected);
        sessions += expected.length;
        findings += expected.reduce((n, s) => n + s.findings.length, 0);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
    // The runs must have built sessions and found things, or the comparison says little.
    expect(sessions).toBeGreaterThan(300);
    expect(findings).toBeGreaterThan(100);
  });
});
