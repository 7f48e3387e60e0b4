import type { CategoryInfo, Report } from '../types.js';
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
  const limit = options.samples ?? 3;
  const categories: CategoryInfo[] = [];
  const acc = emptyAccumulated(options.version ?? reports[0]?.generator.version ?? '0.0.0', categories, limit);
  for (const report of reports) {
    for (const c of report.categories) if (!categories.some((k) => k.id === c.id)) categories.push(c);
    // Reports written before `ignored` existed lack it: the merged report has it on every input.
    for (const input of report.inputs) acc.inputs.push({ ...input, ignored: input.ignored ?? null });
    acc.sessions += report.totals.sessions;
    acc.incomplete += report.totals.incompleteSessions;
    for (const s of report.coverage.servers) if (s.from !== null && s.to !== null) widenServer(acc, s.server, s.from, s.to);
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
