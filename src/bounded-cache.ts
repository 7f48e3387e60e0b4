/**
 * A cache for values that are cheap to make again: when it reaches its bound it forgets everything, so a
 * stream of distinct keys (hostile input) costs time, never memory. Used by the session and report stages.
 */
export class BoundedCache<V> {
  readonly #map = new Map<string, V>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** The value for `key`, made by `make` when it is not cached. */
  get(key: string, make: (key: string) => V): V {
    let value = this.#map.get(key);
    if (value === undefined) {
      value = make(key);
      if (this.#map.size >= this.#limit) this.#map.clear();
      this.#map.set(key, value);
    }
    return value;
  }
}

/**
 * The last few items met, for a linear search before a costlier lookup (callers loop over {@link items} with their
 * own test, so the hot path makes no closure). Bounded: past `limit` the oldest is replaced, round robin, so a
 * stream of distinct items costs `limit` comparisons each, never memory.
 */
export class RecentItems<T> {
  readonly items: T[] = [];
  readonly #limit: number;
  #next = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  add(item: T): void {
    if (this.items.length < this.#limit) this.items.push(item);
    else this.items[this.#next] = item;
    this.#next = (this.#next + 1) % this.#limit;
  }

  /** Forgets the items `drop` picks (an entry that no longer exists must not be found again). */
  removeWhere(drop: (item: T) => boolean): void {
    const kept = this.items.filter((i) => !drop(i));
    if (kept.length === this.items.length) return;
    this.items.length = 0;
    this.items.push(...kept);
    this.#next = kept.length % this.#limit;
  }
}
