/**
 * Counts and lookups keyed by text from the input (details, EHLO names, connectors, category ids of a merged
 * report). On a plain `{}` such a key can be one of Object.prototype's own (`constructor`, `toString`,
 * `__proto__`): `counts[key] ?? 0` then reads a function, and assigning `__proto__` replaces the prototype
 * instead of adding a count. The records stay plain objects, read and written through these helpers, which see
 * own keys only and write `__proto__` as data. Not `Object.create(null)`: V8 keeps such an object as a hash
 * table, and with a dozen on each of 12,000 groups a report took 11 MiB more and was slower to write.
 */
export function emptyRecord<T>(): Record<string, T> {
  return {};
}

/** `record[key]` when the key is the record's own. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record[key] = value`, as data also for the key `__proto__`. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}

/** Adds `n` to the count under `key` (0 when absent). */
export function addTo(record: Record<string, number>, key: string, n: number): void {
  setOwn(record, key, (own(record, key) ?? 0) + n);
}

/** The record's own value under `key`, made by `make` and stored when absent. */
export function ownOr<T>(record: Record<string, T>, key: string, make: () => T): T {
  let value = own(record, key);
  if (value === undefined) setOwn(record, key, (value = make()));
  return value;
}
