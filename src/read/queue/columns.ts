/**
 * Column names of the three export flavours, reduced to one key: `NextHopDomain` (Export-Csv, Format-List) and
 * `Next Hop Domain` (Queue Viewer) both become `nexthopdomain`.
 */

export function columnKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Split a header line on the delimiter that occurs most outside quotes (tab or comma). */
export function splitHeaderLine(line: string): { names: string[]; delimiter: '\t' | ',' } {
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '\t') tabs++;
    else if (!quoted && ch === ',') commas++;
  }
  const delimiter = tabs > 0 && tabs >= commas ? '\t' : ',';
  const names: string[] = [];
  let current = '';
  quoted = false;
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
  return { names, delimiter };
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
