/**
 * The ISO-8601 forms times take in a report, shared by the report builder and the outputs. Kept apart from
 * read/queue/dates.ts: reports and outputs ask this of every group, and dates.ts loads date-fns, which a run over
 * protocol logs alone should not pay for at start-up (test/startup.imports.test.ts).
 */

/** A zone-less ISO time, the form of a queue export's local clock: `2025-11-13T14:03:05` (date, time). */
export const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d{1,7})?$/;

/** An ISO time with its zone (`Z` or an offset): one that has a place on the UTC axis. */
export const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An ISO time without a zone: the export's local clock (`2025-11-13T14:03:05`), which cannot be placed on the
 * UTC axis of the protocol logs without the server's zone.
 */
export function isLocalTime(value: string | null | undefined): boolean {
  return value != null && LOCAL_TIME.test(value);
}
