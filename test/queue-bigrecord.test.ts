/**
 * A queue CSV record over 1 MiB (csv-parse's max_record_size here): only that record is lost, counted and named,
 * and reading goes on with the next one, without holding the record in memory.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import type { InputStats, QueueEntry } from '../src/types.js';
import { readQueueExport } from '../src/read/queue/index.js';
import { RecordEnd } from '../src/read/queue/csv.js';
import { emptyStats } from '../src/read/stats.js';

const MiB = 1024 * 1024;
const TYPE = '#TYPE Deserialized.Microsoft.Exchange.Data.QueueViewer.ExtensibleQueueInfo';
const HEADER = '"Identity","DeliveryType","NextHopDomain","Status","MessageCount","LastError"';
const row = (i: number, lastError = '421 4.4.2 Connection dropped due to SocketError'): string =>
  `"EX01\\${i}","DnsConnectorDelivery","d${i}.example","Retry","3","${lastError.replace(/"/g, '""')}"`;

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function read(chunks: AsyncIterable<Buffer>): Promise<{ entries: QueueEntry[]; stats: InputStats }> {
  const stats = emptyStats('in');
  const entries: QueueEntry[] = [];
  for await (const batch of readQueueExport(chunks, stats, 'queue-csv')) entries.push(...batch);
  return { entries, stats };
}

function balanced(stats: InputStats): boolean {
  return stats.lines === stats.records + Object.values(stats.skipped).reduce((a, b) => a + (b ?? 0), 0);
}

describe('a queue CSV record over 1 MiB', () => {
  // The tester's bigrec2.csv: a 1.1 MB LastError in record 2, then 100 good rows. Here the value also holds line
  // breaks, doubled quotes, commas and semicolons, so the record spans lines 4-6 and its end must be found by the
  // CSV rules, not at the first line break.
  const huge = `451 4.4.0 TLS negotiation failed\r\n"quoted", x;y ${'x'.repeat(1.1 * MiB)}\r\nend "" of it`;
  const lines = [TYPE, HEADER, row(1), row(2, huge), ...Array.from({ length: 100 }, (_, i) => row(i + 3))];
  const text = `${lines.join('\r\n')}\r\n`;

  it.each([4096, 65_536, 4 * MiB])('skips only that record and reads the 100 after it (chunks of %i bytes)', async (size) => {
    const { entries, stats } = await read(chunked(Buffer.from(text), size));
    expect(stats.lines).toBe(106);
    expect(stats.records).toBe(101);
    expect(stats.skipped).toEqual({ header: 2, 'line-too-long': 3 });
    expect(balanced(stats)).toBe(true);
    expect(stats.problems).toEqual([{ line: 4, reason: 'line-too-long', message: 'lines 4-6 skipped: the record is longer than 1 MiB, the most one queue CSV record may hold' }]);
    expect(stats.error).toBeNull();
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1', ...Array.from({ length: 100 }, (_, i) => `EX01\\${i + 3}`)]);
    // Line numbers after the skipped record still point at the right lines.
    expect(entries[1]?.line).toBe(7);
    expect(entries.at(-1)?.line).toBe(106);
  });

  it('skips an unquoted oversized value, and two oversized records one after the other', async () => {
    const plain = `"EX01\\2",DnsConnectorDelivery,d2.example,Retry,3,${'y'.repeat(1.5 * MiB)}`;
    const t = [HEADER, row(1), plain, row(3, 'z'.repeat(2 * MiB)), row(4), row(5, 'last ' + 'w'.repeat(MiB + 10))].join('\n');
    const { entries, stats } = await read(chunked(Buffer.from(t), 65_536));
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1', 'EX01\\4']);
    expect(stats.skipped).toEqual({ header: 1, 'line-too-long': 3 });
    expect(stats.problems.map((p) => [p.line, p.reason])).toEqual([[3, 'line-too-long'], [4, 'line-too-long'], [6, 'line-too-long']]);
    expect(stats.lines).toBe(6);
    expect(balanced(stats)).toBe(true);
  });

  it('counts an oversized quoted value that is never closed as unclosed-quote up to the end', async () => {
    const t = `${HEADER}\n${row(1)}\n"EX01\\2","x","y","Retry","3","never closed ${'q'.repeat(1.2 * MiB)}\nmore\nEX01\\3,x,y,Ready,0,\n`;
    const { entries, stats } = await read(chunked(Buffer.from(t), 65_536));
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1']);
    expect(stats.skipped).toEqual({ header: 1, 'unclosed-quote': 3 });
    expect(stats.problems).toEqual([expect.objectContaining({ line: 3, reason: 'unclosed-quote', message: expect.stringMatching(/^lines 3-5 skipped: a quoted value/) })]);
    expect(balanced(stats)).toBe(true);
  });

  it('walks past a 64 MiB record without holding it', async () => {
    const piece = Buffer.from('x'.repeat(MiB));
    // What is still held, not what waits for collection: a full collection before each look. Decoded text of
    // this size lives outside the V8 heap, as external strings, so both count.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const used = (): number => {
      gc();
      const u = process.memoryUsage();
      return u.heapUsed + u.external;
    };
    const seen: number[] = [];
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from(`${HEADER}\r\n${row(1)}\r\n"EX01\\2","a","b","Retry","1","`);
      for (let i = 0; i < 64; i++) {
        if (i % 8 === 0) seen.push(used());
        yield piece;
      }
      yield Buffer.from(`"\r\n${row(3)}\r\n`);
    }
    const { entries, stats } = await read(source());
    expect(entries.map((e) => e.identity)).toEqual(['EX01\\1', 'EX01\\3']);
    expect(stats.skipped['line-too-long']).toBe(1);
    // Holding the record would grow by 64 MiB while it is read; walking it does not grow. (Garbage of earlier
    // tests may still shrink the first looks, hence growth from the lowest look to the last.)
    expect((seen.at(-1) ?? 0) - Math.min(...seen)).toBeLessThan(8 * MiB);
  });
});

describe('RecordEnd finds the record ends csv-parse finds', () => {
  const options = { raw: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: false, record_delimiter: ['\r\n', '\n'] };

  // With `raw: true` csv-parse returns `{ record, raw }` pairs; its typings only know `string[]`.
  const recordsOf = (text: string, delimiter: string): string[][] =>
    (parse(text, { ...options, delimiter }) as unknown as Array<{ record: string[] }>).map((r) => r.record);

  /** Split `text` into records with RecordEnd, fed in pieces of `size`; the last one may be unfinished. */
  function split(text: string, delimiter: string, size: number): { records: string[]; quoted: boolean } {
    const records: string[] = [];
    let end = new RecordEnd(delimiter);
    let current = '';
    for (let i = 0; i < text.length; i += size) {
      let piece = text.slice(i, i + size);
      for (let at = end.scan(piece); at !== -1; at = end.scan(piece)) {
        records.push(current + piece.slice(0, at));
        current = '';
        piece = piece.slice(at);
        end = new RecordEnd(delimiter);
      }
      current += piece;
    }
    if (current !== '') records.push(current);
    return { records, quoted: end.quoted };
  }

  it('on arbitrary text of quotes, delimiters and line breaks, in any pieces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('"', '""', ',', ';', '\n', '\r\n', '\r', 'a', ' '), { maxLength: 40 }),
        fc.constantFrom(',', ';'),
        fc.integer({ min: 1, max: 7 }),
        (parts, delimiter, size) => {
          const text = parts.join('');
          const { records, quoted } = split(text, delimiter, size);
          let whole: string[][];
          try {
            whole = recordsOf(text, delimiter);
          } catch (e) {
            // csv-parse fails only on a quote left open at the end; RecordEnd must end there inside quotes too.
            expect((e as { code?: string }).code).toBe('CSV_QUOTE_NOT_CLOSED');
            expect(quoted).toBe(true);
            return;
          }
          expect(quoted).toBe(false);
          // Each piece RecordEnd cut is exactly one of csv-parse's records.
          const each = records.map((r) => recordsOf(r, delimiter));
          expect(each.every((r) => r.length === 1)).toBe(true);
          expect(each.map((r) => r[0])).toEqual(whole);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
