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
