/** Turn one exported row (any flavour) into a {@link QueueEntry}. */
import type { DateValue, InputStats, Location, QueueEntry } from '../../types.js';
import { parseLastError } from '../../classify/lasterror.js';
import { columnKey } from './columns.js';
import { parseQueueDate } from './dates.js';
import { problem } from './stats.js';
import { serverName } from '../../server-name.js';

type Lookup = (...keys: string[]) => string | null;

function lookupIn(fields: Record<string, string>): Lookup {
  const byKey = new Map<string, string>();
  for (const [name, value] of Object.entries(fields)) {
    const key = columnKey(name);
    if (!byKey.has(key) || byKey.get(key) === '') byKey.set(key, value.trim());
  }
  return (...keys) => {
    for (const k of keys) {
      const v = byKey.get(k);
      if (v !== undefined && v !== '') return v;
    }
    return null;
  };
}

/**
 * A count may carry culture thousands separators (`1,234`, `1.234`, `1 234`, `1'234`), one kind and in groups of
 * three, so that `1.5` or `-5` is not read as a count. Twelve digits are far more than a queue holds and stay exact.
 */
const COUNT = /^(?:\d{1,12}|\d{1,3}(?:([,.'\s\u00a0\u202f])\d{3})(?:\1\d{3}){0,2})$/;

/** The message count, or null when the value is not one. */
function parseCount(value: string): number | null {
  if (!COUNT.test(value)) return null;
  return Number(value.replace(/\D/g, ''));
}

/** The first date that could be read; failing that, the first one present, kept raw. */
function bestTime(candidates: Array<DateValue | null>): DateValue | null {
  const present = candidates.filter((d): d is DateValue => d !== null);
  return present.find((d) => d.iso !== null) ?? present[0] ?? null;
}

/** A date that could be read, else null: a raw culture date cannot be put in order with the others. */
function readable(date: DateValue | null): DateValue | null {
  return date?.iso != null ? date : null;
}

/** `EX01\\13\\21474836480` → `EX01\\13`: a message identity is `<Server>\\<Queue>\\<MessageInteger>`. */
function queueOfMessage(identity: string | null): string | null {
  if (identity === null) return null;
  const last = identity.lastIndexOf('\\');
  return last > 0 && identity.indexOf('\\') < last ? identity.slice(0, last) : null;
}

function serverOf(name: string | null): string | null {
  const slash = name === null ? -1 : name.indexOf('\\');
  return name !== null && slash > 0 ? name.slice(0, slash) : null;
}

/** A queue's MessageCount; a value that is not a count is a problem on the entry's line, and counts as 0. */
function messageCountOf(value: string | null, stats: InputStats, line: number): number {
  if (value === null) return 0;
  const count = parseCount(value);
  if (count !== null) return count;
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
  problem(stats, line, 'invalid-message-count', `MessageCount ${JSON.stringify(shown)} is not a number of messages: the queue is kept, with 0 messages`);
  return 0;
}

export function buildEntry(fields: Record<string, string>, kind: 'queue' | 'message', loc: Location, stats: InputStats): QueueEntry {
  const get = lookupIn(fields);
  const identity = kind === 'queue' ? get('identity', 'queueidentity') : get('identity', 'queueid', 'queue');
  const queue = kind === 'queue' ? identity : (get('queue', 'queueid') ?? queueOfMessage(identity));
  const lastErrorText = get('lasterror');
  const lastError = lastErrorText === null ? null : parseLastError(lastErrorText);
  const dateOf = (...keys: string[]): DateValue | null => {
    const v = get(...keys);
    return v === null ? null : parseQueueDate(v);
  };
  return {
    source: loc.source,
    line: loc.line,
    kind,
    identity,
    server: serverName(serverOf(identity) ?? serverOf(queue)),
    queue,
    deliveryType: get('deliverytype'),
    nextHopDomain: get('nexthopdomain'),
    nextHopConnector: get('nexthopconnector'),
    status: get('status'),
    messageCount: kind === 'message' ? 1 : messageCountOf(get('messagecount'), stats, loc.line),
    lastError,
    time: bestTime([lastError?.lastRetryTime ?? null, dateOf('lastretrytime'), dateOf('datereceived'), dateOf('firstretrytime')]),
    firstTime: readable(kind === 'queue' ? dateOf('firstretrytime') : dateOf('datereceived')),
    fields,
  };
}
