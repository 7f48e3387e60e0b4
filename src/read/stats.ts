/**
 * Per-input accounting helpers shared by the protocol reader and detection. Every physical line ends up in
 * exactly one bucket (a record or one skip reason), which is what makes `lines === records + sum(skipped)` hold.
 */
import type { InputStats, SkipReason } from '../types.js';

/** Problems are examples for the user, not a full error log: a bad file must not grow memory without bound. */
export const MAX_PROBLEMS = 20;

export function emptyStats(source: string): InputStats {
  return {
    source,
    kind: 'unknown',
    bytes: 0,
    lines: 0,
    records: 0,
    skipped: {},
    problems: [],
    error: null,
    ignored: null,
    headerDate: null,
    from: null,
    to: null,
  };
}

export function countSkip(stats: InputStats, reason: SkipReason): void {
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + 1;
}

/** Whether {@link addProblem} would keep another problem: a message made for each of a million bad rows costs time. */
export function keepsProblems(stats: InputStats): boolean {
  return stats.problems.length < MAX_PROBLEMS;
}

export function addProblem(stats: InputStats, line: number, reason: string, message: string): void {
  if (stats.problems.length < MAX_PROBLEMS) stats.problems.push({ line, reason, message });
}

export function totalSkipped(stats: InputStats): number {
  let n = 0;
  for (const v of Object.values(stats.skipped)) n += v ?? 0;
  return n;
}
