/**
 * Differential test: the hand-written fast path against csv-parse (the reference), on every real excerpt and on
 * generated lines. csv-parse gets each physical line on its own, which is also how the reader treats lines.
 *
 * Deliberate differences (each one is asserted below, not just excluded):
 * 1. Trailing spaces/tabs at the end of a line are web-copy damage: the reader drops them before splitting.
 *    csv-parse is given the line without them too (the trimming itself is covered in read.test.ts).
 * 2. An empty or `\*` event on a row with data or context text is repaired to `*`.
 * 3. A row whose event cannot be an event (an empty event with no data/context, or any other text) is skipped
 *    as malformed; csv-parse returns it as a 9-field record.
 * 4. Header lines that lost their `#` (`Date: …`, `Software: …`, `Fields: ` + a protocol field list) and a bare
 *    `date-time,…` field-name row are header lines, not records.
 * 5. A row that lost its last comma (8 fields) is a record with an empty last field; csv-parse gives 8 fields.
 * 6. Not generated: csv-parse reads `"abc"#def` as `abc#def` (a `#` right after a closing quote closes the
 *    quote because it is the comment character); the reader keeps the literal `"abc"#def`, like any other text
 *    after a closing quote.
 */
import { readdirSync } from 'node:fs';
import { parse, type Options } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProtocolText } from '../src/read/protocol.js';
import type { LogRecord } from '../src/types.js';
import { REAL_DIR, cutAt, physicalLines, readAll, real } from './fixtures/read/helpers.js';

const CSV_OPTIONS: Options = {
  bom: true,
  comment: '#',
  comment_no_infix: true,
  relax_quotes: true,
  relax_column_count: true,
  record_delimiter: ['\r\n', '\n'],
  skip_empty_lines: true,
};

/** csv-parse's view of one physical line: its records, or null when it rejects the line. */
function reference(line: string): string[][] | null {
  const trimmed = line.replace(/[ \t\r]+$/, '');
  try {
    return parse(trimmed + '\n', CSV_OPTIONS) as string[][];
  } catch {
    return null;
  }
}

function fieldsOf(r: LogRecord): string[] {
  return [r.time, r.connector, r.sessionId, String(r.sequence), r.local, r.remote, r.event, r.data, r.context];
}

const HEADERISH = /^(?:\ufeff)?(?:Software|Version|Log-type|Date|Fields):/;

interface Tally {
  compared: number;
  repaired: number;
  rejected: number;
  short: number;
}

/**
 * Compares reader records with csv-parse line by line and returns what was compared. The sequence number is
 * compared as the reader's number against csv-parse's text (digits only, else -1).
 */
function compareText(text: string, tally: Tally): void {
  const { records } = parseProtocolText(text, 'diff');
  const byLine = new Map(records.map((r) => [r.line, r]));
  const lines = physicalLines(text);
  lines.forEach((line, i) => {
    const mine = byLine.get(i + 1);
    const ref = reference(line);
    const fields = ref !== null && ref.length === 1 ? ref[0]! : null;
    if (fields === null || (fields.length !== 9 && fields.length !== 8) || HEADERISH.test(line) || line.startsWith('date-time,')) {
      // Difference 4, and lines csv-parse rejects or splits differently: the reader has no record either.
      expect(mine, `line ${i + 1}: ${JSON.stringify(line)}`).toBeUndefined();
      return;
    }
    const want = fields.length === 8 ? [...fields, ''] : [...fields];
    const seq = /^\d{1,15}$/.test(want[3]!) ? String(Number(want[3])) : '-1';
    want[3] = seq;
    const ev = want[6]!;
    const info = want[7] !== '' || want[8] !== '';
    const valid = ['+', '-', '>', '<', '*'].includes(ev) || ((ev === '' || ev === '\\*') && info);
    if (!valid) {
      // Difference 3.
      expect(mine, `line ${i + 1}: ${JSON.stringify(line)}`).toBeUndefined();
      tally.rejected++;
      return;
    }
    if (ev === '' || ev === '\\*') {
      // Difference 2.
      want[6] = '*';
      tally.repaired++;
    }
    if (fields.length === 8) tally.short++;
    expect(mine, `line ${i + 1}: ${JSON.stringify(line)}`).toBeDefined();
    expect(fieldsOf(mine!), `line ${i + 1}: ${JSON.stringify(line)}`).toEqual(want);
    tally.compared++;
  });
}

describe('fast path vs csv-parse', () => {
  it('agrees on every real excerpt', () => {
    const tally: Tally = { compared: 0, repaired: 0, rejected: 0, short: 0 };
    for (const name of readdirSync(REAL_DIR)) compareText(real(name).toString('utf8'), tally);
    // 16 qazeer + 16 msqa + 7 + 6 KB + 2 rmilne rows; the message-tracking rows have 26 fields.
    expect(tally.compared).toBe(47);
    expect(tally.repaired).toBe(2 + 6);
    expect(tally.short).toBe(1);
  });

  // Field text built from pieces that stress the splitter: quotes, doubled quotes, commas, `#`, non-ASCII,
  // literal `\r\n`, backslashes, blanks.
  const piece = fc.constantFrom('a', 'Z', '0', '7', ' ', ',', '"', '""', '#', 'é', '组织', '😀', '\\r\\n', '\\', '*', ':', '<', '>', '\t', '-', 'EHLO', '250 ');
  const text = fc.array(piece, { maxLength: 8 }).map((p) => p.join(''));

  type Mode = 'exchange' | 'quoted' | 'raw' | 'junk';
  interface GeneratedRow {
    time: string;
    fields: Array<{ value: string; mode: Mode; junk: string }>;
    event: string;
    count: number;
    trailing: string;
    crlf: boolean;
  }
  /** How a field is written: Exchange's rule (quote only when needed), always quoted, raw, or `"x"junk`. */
  function encode(value: string, mode: Mode, junk: string): string {
    const quoted = '"' + value.replaceAll('"', '""') + '"';
    if (mode === 'quoted') return quoted;
    if (mode === 'junk') return quoted + junk;
    if (mode === 'raw') return value;
    return value.includes('"') || value.includes(',') ? quoted : value;
  }
  const field = fc.record({
    value: text,
    mode: fc.constantFrom<Mode>('exchange', 'exchange', 'exchange', 'quoted', 'raw', 'junk'),
    // Junk after a closing quote never starts with `#` (difference 6) and has no comma (that starts a field).
    junk: fc.array(fc.constantFrom('x', '"', 'é', ' ', '1'), { minLength: 1, maxLength: 3 }).map((p) => p.join('')),
  });
  const time = fc.oneof(
    fc.date({ min: new Date('2015-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom('Date/Time.ConnectorId', '', '#comment', '\ufeff2024-01-01T00:00:00.000Z', 'Date: x'),
  );
  const event = fc.constantFrom('+', '-', '>', '<', '*', '', '\\*', 'X', '**');
  const row: fc.Arbitrary<GeneratedRow> = fc.record({
    time,
    fields: fc.array(field, { minLength: 7, maxLength: 7 }),
    event,
    count: fc.constantFrom(9, 9, 9, 9, 9, 9, 8, 10),
    trailing: fc.constantFrom('', '', '', '  ', '\t'),
    crlf: fc.boolean(),
  });

  function buildLine(r: GeneratedRow): string {
    const enc = r.fields.map((f) => encode(f.value, f.mode, f.junk));
    // Column 6 is the event; the other generated values fill the remaining columns in order.
    const cols = [r.time, enc[0]!, enc[1]!, enc[2]!, enc[3]!, enc[4]!, r.event, enc[5]!, enc[6]!];
    const line = r.count === 9 ? cols : r.count === 8 ? cols.slice(0, 8) : [...cols, 'extra'];
    // Raw quotes can turn any `"` into a closing quote, so `"#` is kept out of the whole line (difference 6).
    return line.join(',').replaceAll('"#', '"_') + r.trailing + (r.crlf ? '\r\n' : '\n');
  }

  it('agrees on ≥ 10,000 generated lines, at random chunk boundaries', async () => {
    const tally: Tally = { compared: 0, repaired: 0, rejected: 0, short: 0 };
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 40, maxLength: 80 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (rows, cuts) => {
          const textBody = rows.map(buildLine).join('');
          lines += rows.length;
          compareText(textBody, tally);
          const buf = Buffer.from(textBody, 'utf8');
          const offsets = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
          const whole = parseProtocolText(buf, 'diff');
          const streamed = await readAll(cutAt(buf, offsets), 'diff');
          expect(streamed.records).toEqual(whole.records);
          expect(streamed.stats).toEqual(whole.stats);
        },
      ),
      { numRuns: 200 },
    );
    expect(lines).toBeGreaterThanOrEqual(10_000);
    // The generator must actually reach each case, or the comparison proves little.
    expect(tally.compared).toBeGreaterThan(3_000);
    expect(tally.repaired).toBeGreaterThan(100);
    expect(tally.rejected).toBeGreaterThan(100);
    expect(tally.short).toBeGreaterThan(100);
  });
});
