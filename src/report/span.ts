import type { Report } from '../types.js';

/**
 * The time range of the protocol logs a report read (their rows' UTC times), or null. It dates a report with no
 * session: logs that end before --since (a copy job that stopped, logging turned off) say so by their dates, in
 * the table and Markdown, and in the CLI's exit code for a check with no data.
 */
export function logsSpan(report: Report): { from: string; to: string } | null {
  let from: string | null = null;
  let to: string | null = null;
  for (const i of report.inputs) {
    if ((i.kind !== 'smtp-receive' && i.kind !== 'smtp-send') || i.from === null || i.to === null) continue;
    if (from === null || i.from < from) from = i.from;
    if (to === null || i.to > to) to = i.to;
  }
  return from === null || to === null ? null : { from, to };
}

/** Protocol-log sessions the report's timeline counts (0 for reports made before it counted them). */
export function timelineSessions(report: Report): number {
  let n = 0;
  for (const p of report.timeline?.points ?? []) n += p.sessions ?? 0;
  return n;
}

/**
 * Sessions read in the window that the report leaves out of its totals and groups: those without a finding of the
 * categories `--category` asked for (the timeline and coverage count them, the totals do not). 0 without that
 * filter, where the timeline counts fewer sessions than the totals (not those without a readable time).
 */
export function unreportedSessions(report: Report): number {
  return Math.max(0, timelineSessions(report) - report.totals.sessions);
}

/** Where the logs of a report stop before the end of a time window, by more than {@link LATE_MS}. */
export interface UncoveredEnd {
  /** Null: all protocol logs together; else a server of `coverage.servers` (its sessions' span). */
  server: string | null;
  to: string;
  /** Milliseconds from `to` to the end of the window. */
  gapMs: number;
}

/**
 * An hour: a quiet night can leave a server without a session for that long; a copy job that stopped leaves days.
 */
export const LATE_MS = 3_600_000;

/**
 * The protocol logs (all of them, then each server) that end more than an hour before `windowEnd` (`--until`, or
 * now for `--since`): a nightly check on logs that stopped arriving covers only the start of its window, and its
 * timeline simply ends. Empty when the logs reach the end, or when no protocol log was read.
 */
export function uncoveredEnds(report: Report, windowEnd: number): UncoveredEnd[] {
  const out: UncoveredEnd[] = [];
  const logs = logsSpan(report);
  if (logs === null) return out;
  const late = (to: string) => windowEnd - Date.parse(to);
  if (late(logs.to) > LATE_MS) out.push({ server: null, to: logs.to, gapMs: late(logs.to) });
  // One server's sessions stopping while the others go on (by more than an hour too). Its sessions, not its logs:
  // meaningless when --host or --connector chose which sessions count.
  if (report.filters?.host !== undefined || report.filters?.connector !== undefined) return out;
  const servers = report.coverage.servers.filter((s) => s.server !== null && s.to !== null);
  for (const s of servers) {
    if (late(s.to!) > LATE_MS && Date.parse(logs.to) - Date.parse(s.to!) > LATE_MS) out.push({ server: s.server, to: s.to!, gapMs: late(s.to!) });
  }
  return out;
}
