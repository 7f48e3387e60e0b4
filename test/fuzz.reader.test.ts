/**
 * Fuzzing the reader through scan(): random bytes, random cuts of the real samples and random quoting. Whatever
 * the input, scan() must not throw, and every input must satisfy the accounting invariant.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../src/scan.js';
import { renderJson } from '../src/output/json.js';
import type { Report } from '../src/types.js';
import { expectAccounting } from './fixtures/hostile/logs.js';

let dir: string;
let counter = 0;

function files(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const SAMPLES = [...files(join(process.cwd(), 'test/fixtures/real')), ...files(join(process.cwd(), 'samples'))].map((p) => readFileSync(p));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-fuzz-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes the bytes to a fresh file, scans it, and checks what must hold for any input. */
async function scanBytes(bytes: Uint8Array): Promise<Report> {
  const path = join(dir, `fuzz-${counter++}.LOG`);
  writeFileSync(path, bytes);
  const report = await scan([path]);
  expectAccounting(report, expect);
  expect(report.inputs).toHaveLength(1);
  const input = report.inputs[0]!;
  if (input.error === null) {
    // A read input is read to the end: its bytes are the file's (UTF-16 counts the raw bytes too).
    expect(input.bytes).toBe(statSync(path).size);
  } else {
    expect(input.error.length).toBeGreaterThan(0);
  }
  // Sessions counted come from records: no records, no sessions.
  if (report.inputs.every((i) => i.records === 0)) expect(report.totals.sessions).toBe(0);
  // Whatever the bytes, the JSON report parses back.
  expect(() => JSON.parse(renderJson(report))).not.toThrow();
  return report;
}

const sample = fc.integer({ min: 0, max: SAMPLES.length - 1 }).map((i) => SAMPLES[i]!);

describe('fuzzing the reader through scan()', () => {
  it('random bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), async (bytes) => {
        await scanBytes(bytes);
      }),
      { numRuns: 150, seed: 1 },
    );
  });

  it('random bytes in a protocol-log alphabet (commas, quotes, CR, LF, digits, separators)', async () => {
    const alphabet = Array.from(',"\r\n0123456789-:.TZ<>+*# abcEHLOSTARTLS\\', (c) => c.charCodeAt(0));
    const prefix = Buffer.from('#Log-type: SMTP Receive Protocol Log\r\n#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context\r\n');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...alphabet), { maxLength: 4096 }), fc.boolean(), async (codes, withHeader) => {
        await scanBytes(Buffer.concat([withHeader ? prefix : Buffer.alloc(0), Buffer.from(codes)]));
      }),
      { numRuns: 150, seed: 2 },
    );
  });

  it('random cuts of the real samples, with random damage spliced in', async () => {
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 8 })), { maxLength: 4 }),
        async (bytes, a, b, damage) => {
          const [from, to] = [Math.floor(Math.min(a, b) * bytes.length), Math.ceil(Math.max(a, b) * bytes.length)];
          let cut = Buffer.from(bytes.subarray(from, to));
          for (const [at, junk] of damage) {
            const i = Math.floor(at * cut.length);
            cut = Buffer.concat([cut.subarray(0, i), junk, cut.subarray(i)]);
          }
          await scanBytes(cut);
        },
      ),
      { numRuns: 150, seed: 3 },
    );
  });

  it('the real samples with quotes and commas inserted at random places', async () => {
    await fc.assert(
      fc.asyncProperty(
        sample,
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('"', '""', '","', ',', '"\r\n', '\n"')), { minLength: 1, maxLength: 12 }),
        async (bytes, inserts) => {
          let text = Buffer.from(bytes);
          for (const [at, s] of inserts) {
            const i = Math.floor(at * text.length);
            text = Buffer.concat([text.subarray(0, i), Buffer.from(s), text.subarray(i)]);
          }
          const report = await scanBytes(text);
          // Damage is local: an untouched sample keeps most of its records. A quote costs at most its own line,
          // and each inserted line break splits one line in two, so records drop by at most 2 per insertion.
          const clean = await scanBytes(bytes);
          const lost = clean.inputs[0]!.records - report.inputs[0]!.records;
          if (clean.inputs[0]!.error === null && report.inputs[0]!.error === null) expect(lost).toBeLessThanOrEqual(2 * inserts.length);
        },
      ),
      { numRuns: 120, seed: 4 },
    );
  });
});
