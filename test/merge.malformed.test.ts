/**
 * `logscan merge` reads report files that may be hand-edited, cut down or not logscan's at all. Whatever field
 * is missing, null or of another type, merging either works or is refused in words (exit 2 naming the file),
 * and what it merged can be written in every format: never an internal error (exit 70).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidReportError, mergeReports } from '../src/report/merge.js';
import { renderCsv, renderHtml, renderJson, renderMarkdown, renderTable } from '../src/output/index.js';
import type { Report } from '../src/types.js';
import { VERSION } from '../src/version.js';
import { requireBuiltCli, runCli } from './helpers/cli.js';

let dir: string;
let base: Report;

beforeAll(async () => {
  requireBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'logscan-merge-malformed-'));
  // Receive logs with certificates and AUTH users, and a queue export: every kind of group field is there.
  const r = await runCli(['-f', 'json', join(process.cwd(), 'samples', 'EX01', 'FrontEnd'), join(process.cwd(), 'samples', 'queue')], dir);
  expect(r.code).toBe(0);
  base = JSON.parse(r.stdout) as Report;
  // Only the first item of an array is changed (see paths): make it a group that has every optional part.
  const full = base.groups.findIndex((g) => (g.certificates?.length ?? 0) > 0 && (g.authUsers?.length ?? 0) > 0 && Object.keys(g.details).length > 0);
  expect(full).toBeGreaterThanOrEqual(0);
  base.groups.unshift(...base.groups.splice(full, 1));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every value of the report, keeping only the first item of each array (the others are alike). */
function paths(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(value)) {
    if (value.length > 0) out.push(...paths(value[0]!, [...at, 0]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  }
  return out;
}

const REPLACEMENTS: Json[] = [null, 'x', 7, [], {}, [null], true];
const DELETE = Symbol('delete');

function mutated(report: Report, path: Array<string | number>, value: Json | typeof DELETE): unknown {
  const copy = structuredClone(report) as unknown as Json;
  if (path.length === 0) return value === DELETE ? undefined : value;
  let parent = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy;
}

describe('merge of malformed reports', () => {
  it('every field missing, null or of another type: merged and written in every format, or refused with an Error', () => {
    let refused = 0;
    let merged = 0;
    for (const path of paths(base as unknown as Json)) {
      if (path[0] === 'schema') continue;
      for (const value of [...REPLACEMENTS, DELETE] as Array<Json | typeof DELETE>) {
        const report = mutated(base, path, value) as Report;
        let result: Report;
        try {
          result = mergeReports([report]);
        } catch (e) {
          // Refused in words: an error of its own, never a TypeError from reading a field that is not there.
          expect({ path, value: String(value), error: (e as Error).constructor.name }).toEqual({ path, value: String(value), error: 'InvalidReportError' });
          expect(e).toBeInstanceOf(InvalidReportError);
          expect((e as InvalidReportError).index).toBe(0);
          refused++;
          continue;
        }
        merged++;
        for (const render of [renderJson, renderTable, renderCsv, renderMarkdown, renderHtml]) render(result);
      }
    }
    // Both happen: extra fields may be anything, the ones merging reads may not.
    expect(refused).toBeGreaterThan(100);
    expect(merged).toBeGreaterThan(10);
  });

  it('refuses a report of another schema with an InvalidReportError that gives its index (it was a plain Error)', () => {
    const bad = [base as unknown as Report, { schema: 'x' } as unknown as Report];
    const e = (() => {
      try {
        return mergeReports(bad);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(InvalidReportError);
    expect(e).toMatchObject({ name: 'InvalidReportError', index: 1, problem: 'its schema is x, not logscan.report/1', message: 'cannot merge report 2: its schema is x, not logscan.report/1' });
    expect(() => mergeReports([null as unknown as Report])).toThrow(InvalidReportError);
  });

  it('gives a merge of no report the package version, as a scan gives its report (it was 0.0.0)', () => {
    expect(mergeReports([]).generator.version).toBe(VERSION);
    expect(mergeReports([], { version: '9.9' }).generator.version).toBe('9.9');
  });

  it.each([
    ['groups is a string', '{"schema":"logscan.report/1","groups":"x"}'],
    ['only the schema', '{"schema":"logscan.report/1"}'],
    ['a group is null', JSON.stringify({ schema: 'logscan.report/1', groups: [null] })],
  ])('CLI: %s is a usage error naming the file (exit 2)', async (_, text) => {
    const file = join(dir, 'odd report.json');
    writeFileSync(file, text);
    const r = await runCli(['merge', file], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: not a logscan JSON report`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('CLI: a group with a detail count that is not a number is a usage error naming the file', async () => {
    const report = structuredClone(base);
    (report.groups[0]!.details as unknown as Record<string, unknown>)['socket-error'] = { SocketError: 'many' };
    const file = join(dir, 'details.json');
    writeFileSync(file, JSON.stringify(report));
    const r = await runCli(['merge', file], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/details\.json: not a logscan JSON report that can be merged \(groups /);
  });
});
