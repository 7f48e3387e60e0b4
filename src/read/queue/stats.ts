/** Accounting helpers: every physical line ends up as a record or under exactly one skip reason. */
import type { InputStats, SkipReason } from '../../types.js';

const MAX_PROBLEMS = 20;

export function skip(stats: InputStats, reason: SkipReason, count = 1): void {
  if (count <= 0) return;
  stats.skipped[reason] = (stats.skipped[reason] ?? 0) + count;
}

export function problem(stats: InputStats, line: number, reason: string, message: string): void {
  if (stats.problems.length < MAX_PROBLEMS) stats.problems.push({ line, reason, message });
}

/** Physical lines of a text that arrives in pieces: `\n`-terminated lines plus a last unterminated one. */
export class LineCounter {
  private newlines = 0;
  private open = false;

  feed(text: string): void {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.newlines++;
    if (text.length > 0) this.open = !text.endsWith('\n');
  }

  get lines(): number {
    return this.newlines + (this.open ? 1 : 0);
  }
}

/** Widen the input's time span with one entry time (ISO strings compare in time order). */
export function widen(stats: InputStats, iso: string | null): void {
  if (iso === null) return;
  if (stats.from === null || iso < stats.from) stats.from = iso;
  if (stats.to === null || iso > stats.to) stats.to = iso;
}
