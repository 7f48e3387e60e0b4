/**
 * Kept apart from dates.ts: reports and outputs ask this of every group, and dates.ts loads date-fns, which a run
 * over protocol logs alone should not pay for at start-up (it loads the queue readers only when it meets a queue
 * export).
 */
const LOCAL_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?$/;

/**
 * An ISO time without a zone: the export's local clock (`2025-11-13T14:03:05`), which cannot be placed on the
 * UTC axis of the protocol logs without the server's zone.
 */
export function isLocalTime(value: string | null | undefined): boolean {
  return value != null && LOCAL_FORM.test(value);
}
