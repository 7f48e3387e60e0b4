/** Turn one exported row (any flavour) into a {@link QueueEntry}. */
import type { DateValue, Location, QueueEntry } from '../../types.js';
import { parseLastError } from '../../classify/lasterror.js';
import { columnKey } from './columns.js';
import { parseQueueDate } from './dates.js';

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

/** Counts may carry culture thousands separators (`1,234`, `1.234`, `1 234`). */
function parseCount(value: string | null): number {
  if (value === null) return 0;
  const digits = value.replace(/[\s,.'\u00a0\u202f]/g, '');
  return /^\d{1,12}$/.test(digits) ? Number(digits) : 0;
}

/** The first date that could be read; failing that, the first one present, kept raw. */
function bestTime(candidates: Array<DateValue | null>): DateValue | null {
  const present = candidates.filter((d): d is DateValue => d !== null);
  return present.find((d) => d.iso !== null) ?? present[0] ?? null;
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

export function buildEntry(fields: Record<string, string>, kind: 'queue' | 'message', loc: Location): QueueEntry {
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
    server: serverOf(identity) ?? serverOf(queue),
    queue,
    deliveryType: get('deliverytype'),
    nextHopDomain: get('nexthopdomain'),
    nextHopConnector: get('nexthopconnector'),
    status: get('status'),
    messageCount: kind === 'message' ? 1 : parseCount(get('messagecount')),
    lastError,
    time: bestTime([lastError?.lastRetryTime ?? null, dateOf('lastretrytime'), dateOf('datereceived'), dateOf('firstretrytime')]),
    fields,
  };
}
