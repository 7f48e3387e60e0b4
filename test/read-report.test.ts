/**
 * The streaming report reader against JSON.parse: the same members and items, whatever the chunk boundaries, and
 * a clear refusal of what is not one JSON object.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addReport, readReportStream, reportBytes, ReportSyntaxError } from '../src/report/read-report.js';
import { InvalidReportError, ReportMerger } from '../src/report/merge.js';
import { gzipSync } from 'node:zlib';
import { renderJson } from '../src/output/json.js';
import { scan } from '../src/scan.js';

/** The bytes of `text` in pieces cut at `cuts` (byte offsets), as a stream hands them on. */
async function* pieces(bytes: Buffer, cuts: readonly number[]): AsyncGenerator<Buffer> {
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    // A cut repeated makes an empty chunk, which a stream may also hand on.
    if (cut < from || cut >= bytes.length) continue;
    yield bytes.subarray(from, cut);
    from = cut;
  }
  yield bytes.subarray(from);
}

async function read(bytes: Buffer, cuts: readonly number[] = [], items = ['groups'], skip = ['hosts']) {
  const got: Array<[string, unknown, number]> = [];
  const head = await readReportStream(pieces(bytes, cuts), { items: new Set(items), skip: new Set(skip), onItem: (k, v, i) => got.push([k, v, i]) });
  return { head, items: got };
}

let SAMPLE: Buffer;
beforeAll(async () => {
  SAMPLE = Buffer.from(renderJson(await scan('samples', { jobs: 1 })), 'utf8');
});

describe('readReportStream', () => {
  it('gives the members JSON.parse gives, and the items of streamed arrays one by one, in order', async () => {
    const whole = JSON.parse(SAMPLE.toString('utf8')) as Record<string, unknown>;
    const { head, items } = await read(SAMPLE);
    const { groups, hosts, ...rest } = whole;
    expect(hosts).toBeDefined();
    // The streamed array is there, empty: its items went to onItem.
    expect(head).toEqual({ ...rest, groups: [] });
    expect(items.map(([k, , i]) => [k, i])).toEqual((groups as unknown[]).map((_, i) => ['groups', i]));
    expect(items.map(([, v]) => v)).toEqual(groups);
  });

  it('reads the same at any chunk boundaries: inside strings, escapes, multi-byte characters and keys', async () => {
    const tricky = Buffer.from(
      JSON.stringify({
        schema: 'x',
        'we"ird\\key': { a: [1, { b: '}]"' }] },
        groups: [{ t: 'ä\\"😀', n: -1.5e3 }, [], {}, 'a,b]', null, true],
        hosts: [{ deep: [[['}']]] }],
        tail: '\\',
      }, null, 2),
    );
    const expected = JSON.parse(tricky.toString('utf8')) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: tricky.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const { head, items } = await read(tricky, cuts);
        expect(head).toEqual({ schema: 'x', 'we"ird\\key': expected['we"ird\\key'], groups: [], tail: '\\' });
        expect(items.map(([, v]) => v)).toEqual(expected.groups);
      }),
      { numRuns: 200, seed: 20261129 },
    );
    // Every boundary at once: one byte per chunk.
    const { items } = await read(tricky, Array.from({ length: tricky.length }, (_, i) => i));
    expect(items.map(([, v]) => v)).toEqual(expected.groups);
    // And an empty chunk after every byte.
    const doubled = await read(tricky, Array.from({ length: 2 * tricky.length }, (_, i) => i >> 1));
    expect(doubled.head).toEqual({ schema: 'x', 'we"ird\\key': expected['we"ird\\key'], groups: [], tail: '\\' });
    expect(doubled.items.map(([, v]) => v)).toEqual(expected.groups);
  });

  it('takes a backslash that ends a chunk before an empty one, and a byte-order mark split over chunks', async () => {
    async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
      for (const p of parts) yield Buffer.from(p, 'latin1');
    }
    const opts = { items: new Set(['groups']), skip: new Set<string>(), onItem: () => undefined };
    expect(await readReportStream(chunks('{"schema":"s","x":"a\\', '', '"b","groups":[]}'), opts)).toEqual({ schema: 's', x: 'a"b', groups: [] });
    expect(await readReportStream(chunks('\xef', '\xbb', '\xbf{"schema":"s"}'), opts)).toEqual({ schema: 's' });
  });

  it('keeps a member named __proto__ as data, as JSON.parse does, not as the result\'s prototype', async () => {
    const text = Buffer.from('{"__proto__":{"schema":"logscan.report/1"},"groups":[{"a":1}],"x":1}');
    const seen: boolean[] = [];
    const head = await readReportStream(pieces(text, []), { items: new Set(['groups']), skip: new Set(), onItem: (_k, _v, _i, before) => seen.push(Object.hasOwn(before, 'schema')) });
    expect(Object.getPrototypeOf(head)).toBe(Object.prototype);
    expect(head).toEqual({ ...(JSON.parse(text.toString('utf8')) as object), groups: [] });
    expect('schema' in head).toBe(false);
    expect(seen).toEqual([false]);
  });

  it('takes a byte-order mark, and an empty streamed array', async () => {
    const { head, items } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"schema":"s","groups":[ ]}')]));
    expect(head).toEqual({ schema: 's', groups: [] });
    expect(items).toEqual([]);
  });

  it.each([
    ['', /no content/],
    ['[1,2]', /no `\{` first at byte 0/],
    ['{"a":1', /cut short/],
    ['{"a":1}x', /more after the report's `\}` at byte 7/],
    ['{"groups":[{"a":1},{"b":1 2}]}', /item 1 of "groups" from byte 19 is not JSON/],
    ['{"groups":[{"a":1},{"b":]}', /a bracket that closes nothing at byte 25/],
    ['{"a" 1}', /no `:` after a member name at byte 5/],
    ['{"a":1 "b":2}', /the value of "a" from byte 5 is not JSON \(Unexpected/],
    ['{"a":[1]]}', /a bracket that closes nothing at byte 8/],
    // What JSON.parse refuses is refused here too, also around the streamed array.
    ['{"a":1,}', /a `,` before the `\}` at byte 7/],
    ['{"groups":[{},]}', /a `,` before the `\]` at byte 14/],
    ['{"groups":[{},,{}]}', /a `,` where an item belongs at byte 14/],
    ['{"groups":[,{}]}', /a `,` where an item belongs at byte 11/],
    ['{"groups":[{} {}]}', /item 0 of "groups" from byte 11 is not JSON/],
    ['{"sch\\ema":1}', /a member name from byte 1 is not JSON \(Bad escaped character/],
    ['{"groups":[],"groups":[]}', /a second "groups" member at byte 22/],
    ['\xef{"a":1}', /a cut byte-order mark at byte 1/],
  ])('refuses %j with where it went wrong', async (text, message) => {
    // latin1: a test's \xef is that one byte.
    const error = await read(Buffer.from(text, 'latin1')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportSyntaxError);
    expect((error as Error).message).toMatch(message);
  });

  it('reportBytes tells gzip when the first chunks are one byte each (a slow pipe)', async () => {
    async function* bytes(buf: Buffer): AsyncGenerator<Buffer> {
      for (let i = 0; i < buf.length; i += i < 4 ? 1 : 4096) yield buf.subarray(i, i < 4 ? i + 1 : i + 4096);
    }
    const collect = async (it: AsyncIterable<Buffer>) => {
      const out: Buffer[] = [];
      for await (const c of it) out.push(c);
      return Buffer.concat(out);
    };
    expect(await collect(reportBytes('-', bytes(gzipSync(SAMPLE))))).toEqual(SAMPLE);
    expect(await collect(reportBytes('-', bytes(SAMPLE)))).toEqual(SAMPLE);
    expect(await collect(reportBytes('-', bytes(Buffer.from('{'))))).toEqual(Buffer.from('{'));
    expect(await collect(reportBytes('-', bytes(Buffer.alloc(0))))).toEqual(Buffer.alloc(0));
  });

  it('names a JSON file of another kind as such also when its groups come before its schema', async () => {
    const merger = new ReportMerger();
    const error = await addReport(merger, pieces(Buffer.from('{"groups":[{"name":"x"}],"schema":"other/1"}'), [])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidReportError);
    expect((error as InvalidReportError).problem).toMatch(/^its schema is not given before its groups/);
  });
});
