/**
 * Full garbage collections at fixed amounts of input. V8 collects the old space when it reaches a multiple of
 * what was live after the last collection, and on a long scan that space also fills with what the concurrent
 * collector has not swept yet: the report grows slowly, so the old space ends up at about twice the live data.
 * A synchronous full collection every few hundred MiB keeps it near the live data, for a few milliseconds each.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export class Collector {
  #since = 0;
  readonly #every: number;
  readonly #gc: () => void;

  constructor(every: number, gc: () => void) {
    this.#every = every;
    this.#gc = gc;
  }

  /** Counts bytes read; collects once `every` bytes have been read since the last time. */
  read(bytes: number): void {
    this.#since += bytes;
    if (this.#since < this.#every) return;
    this.#since = 0;
    this.#gc();
  }
}

/** A collector for `every` bytes, or null when not asked for (or when the engine gives no way to collect). */
export function collectorFor(every: number | undefined): Collector | null {
  if (every === undefined || !(every > 0)) return null;
  const gc = fullCollection();
  return gc === null ? null : new Collector(every, gc);
}

/**
 * The engine's `gc()`. It exists only in contexts made after `--expose-gc` is set, so a new context hands it
 * over; the flag adds that global to contexts made from now on, which is why only an explicit option sets it.
 */
function fullCollection(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof gc === 'function' ? () => void gc() : null;
  } catch {
    return null;
  }
}
