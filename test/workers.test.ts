import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { categoryInfo } from '../src/classify/classify.js';
import { defaultRules, QUEUE_ERROR_RULE } from '../src/classify/rules.js';
import { detectInput, emptyStats } from '../src/read/detect.js';
import { ReportBuilder } from '../src/report/builder.js';
import { compileFilter, scan, type Opened, type OriginContext, type ScanProgress } from '../src/scan.js';
import type { Report } from '../src/types.js';
import { VERSION } from '../src/version.js';
import { runInWorkers } from '../src/workers.js';

/** The protocol-log folders of samples/: five log sets (origins) on three servers. */
const SETS = [
  'samples/EX01/FrontEnd/ProtocolLog/SmtpReceive',
  'samples/EX01/Hub/ProtocolLog/SmtpSend',
  'samples/EDGE01/Edge/ProtocolLog/SmtpReceive',
  'samples/EDGE01/Edge/ProtocolLog/SmtpSend',
  'samples/EX2010/ProtocolLog/SmtpReceive',
];

function files(): string[] {
  return SETS.flatMap((dir) => readdirSync(dir).sort().map((f) => join(dir, f)));
}

/** The origins scan() would build for the sample sets (one per folder and kind), opened as scan() opens them. */
function origins(): Map<string, Opened[]> {
  const map = new Map<string, Opened[]>();
  for (const path of files()) {
    const detection = detectInput(readFileSync(path).subarray(0, 65536));
    const stats = emptyStats(path);
    stats.kind = detection.kind;
    const key = `${path.slice(0, path.lastIndexOf('/') + 1)}|${detection.kind}`;
    const list = map.get(key) ?? [];
    list.push({ ref: { source: path, path }, stats, chunks: null, readable: true, headerDate: detection.headerDate });
    map.set(key, list);
  }
  return map;
}

function context(): OriginContext {
  const progress: ScanProgress = { filesDone: 0, filesTotal: files().length, bytesRead: 0, current: null };
  return {
    builder: new ReportBuilder({ categories: categoryInfo([...defaultRules, QUEUE_ERROR_RULE]), version: VERSION }),
    newBuilder: () => new ReportBuilder({ categories: categoryInfo([...defaultRules, QUEUE_ERROR_RULE]), version: VERSION }),
    rules: defaultRules,
    filter: compileFilter(),
    sessions: undefined,
    progress,
    onProgress: undefined,
    onSession: undefined,
    thisServer: null,
    collector: null,
  };
}

/** What the user sees of a report, without the parts that depend on the run (time taken, input order). */
function comparable(report: Report) {
  const inputs = [...report.inputs].sort((a, b) => a.source.localeCompare(b.source));
  return { groups: report.groups, totals: report.totals, inputs, hosts: report.hosts, connectors: report.connectors };
}

const fixture = (name: string) => new URL(`./fixtures/workers/${name}`, import.meta.url);

describe('worker threads that fail', () => {
  it.each(['throws.mjs', 'exits.mjs', 'says-error.mjs', 'one-then-exit.mjs'])(
    'a worker that %s: its log sets are read again on the main thread, and nothing is lost or counted twice',
    async (script) => {
      const single = await scan(files(), { jobs: 1 });
      const ctx = context();
      // Three threads: the main one and two failing workers, over five log sets.
      await runInWorkers(origins(), 3, {}, ctx, fixture(script));
      const merged = ctx.builder.build();
      expect(comparable(merged)).toEqual(comparable(single));
      expect(merged.totals.sessions).toBeGreaterThan(0);
      // Progress a failed worker had reported is taken back, so the re-read does not count it twice.
      const bytes = files().reduce((n, f) => n + statSync(f).size, 0);
      expect(ctx.progress.bytesRead).toBe(bytes);
      expect(ctx.progress.filesDone).toBe(files().length);
    },
    20_000,
  );
});

describe('a log set that throws on the main thread', () => {
  it('stops the run with its error instead of leaving a worker waiting for its turn', async () => {
    const ctx = context();
    let calls = 0;
    const real = ctx.newBuilder;
    ctx.newBuilder = () => {
      if (calls++ === 0) throw new Error('broken builder');
      return real();
    };
    const started = Date.now();
    // maxGroups 1: partials that finish before the broken log set's turn hold more groups than that, so the
    // worker waits for a turn that never comes unless the error stops it.
    await expect(runInWorkers(origins(), 2, { maxGroups: 1 }, ctx)).rejects.toThrow('broken builder');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 20_000);
});
