import { checkCount } from '../option-error.js';
import type { CategoryInfo, Coverage, Report } from '../types.js';
import { mergeGroup } from './builder.js';
import { addTimelineCounts, emptyAccumulated, finalizeReport, newGroupState, widenServer } from './finalize.js';

export interface MergeOptions {
  /** Samples kept per group and category; use the value the reports were made with. Default 3. */
  samples?: number;
  version?: string;
}

/**
 * Combines reports of separate runs (other servers, other weeks) into the report one run over all their inputs
 * would have given. Sessions never span two runs, so counts simply add.
 */
export function mergeReports(reports: readonly Report[], options: MergeOptions = {}): Report {
  for (const report of reports) {
    if (report?.schema !== 'logscan.report/1') throw new Error(`cannot merge a report with schema ${String(report?.schema)}`);
  }
  const repeated = repeatedInputs(reports)[0];
  if (repeated !== undefined) throw new RepeatedInputError(repeated);
  checkCount('mergeReports()', 'samples', options.samples, 0);
  const limit = options.samples ?? 3;
  const categories: CategoryInfo[] = [];
  const acc = emptyAccumulated(options.version ?? reports[0]?.generator.version ?? '0.0.0', categories, limit);
  for (const report of reports) {
    for (const c of report.categories) if (!categories.some((k) => k.id === c.id)) categories.push(c);
    // Reports written before `ignored` existed lack it: the merged report has it on every input.
    for (const input of report.inputs) acc.inputs.push({ ...input, ignored: input.ignored ?? null });
    acc.sessions += report.totals.sessions;
    acc.incomplete += report.totals.incompleteSessions;
    const named = new Set(report.groups.map((g) => g.server));
    for (const s of report.coverage.servers) if (s.from !== null && s.to !== null) widenServer(acc, coverageServer(s.server, named), s.from, s.to);
    if (report.timeline) {
      if (report.timeline.bucket === 'day') acc.dayBuckets = true;
      for (const p of report.timeline.points) addTimelineCounts(acc, p.t, p.byCategory);
    }
    for (const g of report.groups) {
      const into =
        acc.groups.find(g.direction, g.server, g.connector, g.remoteHost) ??
        acc.groups.add(newGroupState(g.direction, g.server, g.connector, g.remoteHost));
      mergeGroup(into, g, limit);
    }
  }
  return finalizeReport(acc);
}

/** An input that two reports both read: `reports` are their indexes. */
export interface RepeatedInput {
  source: string;
  reports: [number, number];
}

/** Thrown by {@link mergeReports} for a {@link RepeatedInput}; the CLI names the report files from `repeated`. */
export class RepeatedInputError extends Error {
  readonly repeated: RepeatedInput;

  constructor(repeated: RepeatedInput) {
    super(`reports ${repeated.reports[0] + 1} and ${repeated.reports[1] + 1} both read ${repeated.source}: its sessions would be counted twice`);
    this.name = 'RepeatedInputError';
    this.repeated = repeated;
  }
}

/**
 * Inputs that appear in two reports as the same file: same name, kind, size, line count and time span. Merging
 * adds counts, so such a file's sessions would count twice (the same report given twice, or two runs over the
 * same folder). A file that grew between two runs differs in size and is not caught: merge reports of
 * different logs. Inputs with no rows read add nothing and are left out.
 */
export function repeatedInputs(reports: readonly Pick<Report, 'inputs'>[]): RepeatedInput[] {
  const seen = new Map<string, number>();
  const out: RepeatedInput[] = [];
  reports.forEach((report, index) => {
    for (const i of report.inputs) {
      if (i.records === 0) continue;
      const key = JSON.stringify([i.source, i.kind, i.bytes, i.lines, i.records, i.from ?? null, i.to ?? null]);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else if (first !== index) out.push({ source: i.source, reports: [first, index] });
    }
  });
  return out;
}

/** The internal key of a log set (`<folder>|smtp-send`, `stdin:<name>|smtp-receive`), as older reports show it. */
const ORIGIN_KEY = /\|smtp-(?:send|receive)$/;

/**
 * The server of a report's coverage entry. Reports of earlier logscan builds (same schema) listed the sessions
 * with no known server under their log set's internal key instead of null, one entry per log set: such an entry
 * is the unknown server, as a new run over the same logs gives. `|` is in no Windows host or folder name; a
 * server that a group of the same report names (a connector id `X|smtp-send\Name`) is a name and kept.
 */
function coverageServer(server: Coverage['servers'][number]['server'], named: ReadonlySet<string | null>): string | null {
  if (server === null || named.has(server)) return server;
  return ORIGIN_KEY.test(server) ? null : server;
}
