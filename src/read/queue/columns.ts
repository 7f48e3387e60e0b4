/**
 * Column names of the three export flavours, reduced to one key: `NextHopDomain` (Export-Csv, Format-List) and
 * `Next Hop Domain` (Queue Viewer) both become `nexthopdomain`.
 */

export function columnKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export type Delimiter = ',' | ';' | '\t';

/**
 * `Export-Csv` writes commas, but `-UseCulture` writes the culture's list separator (`;` for de-DE, fr-FR…) and
 * admins pass `-Delimiter ';'` for Excel; Queue Viewer writes tabs or commas.
 */
const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/**
 * Every column name the three flavours are known to write (docs/queue-exports.md), as {@link columnKey}s: the
 * delimiter that yields the most of these is the one the file was written with.
 */
const KNOWN_COLUMNS = new Set([
  // Get-Queue
  'runspaceid', 'deliverytype', 'nexthopdomain', 'tlsdomain', 'nexthopconnector', 'status', 'messagecount', 'lasterror',
  'retrycount', 'lastretrytime', 'nextretrytime', 'firstretrytime', 'deferredmessagecount', 'lockedmessagecount',
  'messagecountsperpriority', 'deferredmessagecountsperpriority', 'risklevel', 'outboundippool', 'nexthopcategory',
  'incomingrate', 'outgoingrate', 'velocity', 'overridesource', 'queueidentity', 'prioritydescriptions', 'identity',
  'isvalid', 'objectstate',
  // Get-Message
  'accountforest', 'componentlatency', 'datereceived', 'deferreason', 'directionality', 'expirationtime',
  'externaldirectoryorganizationid', 'fromaddress', 'internetmessageid', 'lockreason', 'messagelatency',
  'messagesourcename', 'originalfromaddress', 'priority', 'queue', 'recipients', 'scl', 'size', 'sourceip', 'subject',
  'traffictype', 'trafficsubtype',
  // Queue Viewer display names not covered above
  'queueid', 'sizekb',
]);

/** A column or property name that Get-Queue, Get-Message or Queue Viewer writes, in any of the naming styles. */
export function isKnownColumn(name: string): boolean {
  return KNOWN_COLUMNS.has(columnKey(name));
}

/** Fields of one line split at `delimiter`, outside double quotes; `""` inside quotes is one quote. */
function splitOn(line: string, delimiter: Delimiter): string[] {
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (!quoted && ch === delimiter) {
      names.push(current.trim());
      current = '';
    } else current += ch;
  }
  names.push(current.trim());
  return names;
}

export interface HeaderSplit {
  names: string[];
  delimiter: Delimiter;
  /** How many of `names` are known column names: below 2, the header could not be made sense of. */
  known: number;
}

/**
 * Split a header line on the delimiter (comma, semicolon or tab) that turns it into the most known column names;
 * among equals, the one that gives the most fields, then the comma.
 */
export function splitHeaderLine(line: string): HeaderSplit {
  let best: HeaderSplit | null = null;
  for (const delimiter of DELIMITERS) {
    const names = splitOn(line, delimiter);
    const known = names.filter((n) => KNOWN_COLUMNS.has(columnKey(n))).length;
    if (best === null || known > best.known || (known === best.known && names.length > best.names.length)) best = { names, delimiter, known };
  }
  return best as HeaderSplit;
}

/** Columns that name a message rather than a queue, in either naming style. */
const MESSAGE_KEYS = new Set(['fromaddress', 'subject', 'datereceived', 'internetmessageid', 'sizekb', 'size', 'scl', 'queueid', 'messagesourcename', 'expirationtime']);
const QUEUE_KEYS = new Set(['nexthopdomain', 'deliverytype', 'messagecount', 'nexthopconnector', 'nextretrytime']);

/** For a Queue Viewer export, whose two tabs share one file format: does the header describe messages? */
export function looksLikeMessages(names: string[]): boolean {
  const keys = names.map(columnKey);
  const message = keys.filter((k) => MESSAGE_KEYS.has(k)).length;
  const queue = keys.filter((k) => QUEUE_KEYS.has(k)).length;
  return message > queue;
}
