import type { CategoryInfo, Report } from '../types.js';
import { addAuthUser, addCertificate, addDetail, addName, addSample, widen } from './builder.js';
import { addCategoryCount, categoryDetails, emptyAccumulated, finalizeReport, newGroupState } from './finalize.js';

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
    acc.inputs.push(...report.inputs);
    acc.sessions += report.totals.sessions;
    acc.incomplete += report.totals.incompleteSessions;
    for (const s of report.coverage.servers) {
      if (s.from === null || s.to === null) continue;
      const known = acc.servers.get(s.server);
      if (known === undefined) acc.servers.set(s.server, { from: s.from, to: s.to });
      else {
        if (s.from < known.from) known.from = s.from;
        if (s.to > known.to) known.to = s.to;
      }
    }
    if (report.timeline) {
      if (report.timeline.bucket === 'day') acc.dayBuckets = true;
      for (const p of report.timeline.points) {
        const into = acc.hours.get(p.t) ?? {};
        for (const [k, v] of Object.entries(p.byCategory)) into[k] = (into[k] ?? 0) + v;
        acc.hours.set(p.t, into);
      }
    }
    for (const g of report.groups) {
      const into =
        acc.groups.find(g.direction, g.server, g.connector, g.remoteHost) ??
        acc.groups.add(newGroupState(g.direction, g.server, g.connector, g.remoteHost));
      into.sessions += g.sessions;
      into.messages += g.messages;
      for (const [k, v] of Object.entries(g.byCategory)) addCategoryCount(into, k, v);
      for (const [k, v] of Object.entries(g.tlsVersions)) {
        const version = k as keyof typeof g.tlsVersions;
        into.tlsVersions[version] = (into.tlsVersions[version] ?? 0) + (v ?? 0);
      }
      for (const [category, details] of Object.entries(g.details)) {
        const target = categoryDetails(into, category);
        for (const [d, n] of Object.entries(details)) addDetail(target, d, n);
      }
      for (const name of g.remoteNames) addName(into, name);
      for (const user of g.authUsers ?? []) addAuthUser(into, user);
      for (const cert of g.certificates ?? []) addCertificate(into, cert);
      if (g.firstSeen !== null) widen(into, g.firstSeen, g.firstSeen);
      if (g.lastSeen !== null) widen(into, g.lastSeen, g.lastSeen);
      for (const s of g.samples) addSample(into, s, limit);
    }
  }
  return finalizeReport(acc);
}
