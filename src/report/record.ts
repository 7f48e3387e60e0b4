/**
 * Counts and lookups keyed by text from the input (details, EHLO names, connectors, category ids of a merged
 * report). On a plain `{}` such a key can be one of Object.prototype's own (`constructor`, `toString`,
 * `__proto__`): `counts[key] ?? 0` then reads a function, and assigning `__proto__` replaces the prototype
 * instead of adding a count. Objects without a prototype hold any key as data and serialise like `{}`.
 */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/**
 * `record[key]` when the key is the record's own: for records that may have a prototype (a report parsed
 * from JSON, a table of labels) and a key from the input.
 */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A copy of `from` without a prototype (an assignment to a prototype-less object never hits a setter). */
export function recordOf<T>(from: Readonly<Record<string, T>>): Record<string, T> {
  return Object.assign(emptyRecord<T>(), from);
}
