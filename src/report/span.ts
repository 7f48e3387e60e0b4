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
