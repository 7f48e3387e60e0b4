/**
 * Recognise queue and message exports from their first lines: `Export-Csv` output (property-name header,
 * optional `#TYPE`), Queue Viewer "Export List" files (display-name header) and `Format-List` text.
 */
import type { InputKind } from '../../types.js';
import { isKnownColumn, splitHeaderLine } from './columns.js';

const TYPE_LINE = /^#TYPE (?:Deserialized\.)?Microsoft\.Exchange\.Data\.QueueViewer\.Extensible(Queue|Message)Info\s*$/i;
const LIST_LINE = /^([A-Za-z][A-Za-z0-9]{1,63}) *: ?(.*)$/;
const PROMPT = /^(?:\[PS\]|PS) [^>]{0,512}>/;

/** Property names that only a queue (resp. a message) has; `Status`, `LastError`, `Identity` are shared. */
const QUEUE_PROPS = new Set(['deliverytype', 'nexthopdomain', 'nexthopconnector', 'messagecount', 'nexthopcategory', 'tlsdomain', 'queueidentity', 'lastretrytime', 'nextretrytime']);
const MESSAGE_PROPS = new Set(['fromaddress', 'subject', 'datereceived', 'internetmessageid', 'size', 'scl', 'sourceip', 'messagesourcename', 'expirationtime', 'queue', 'recipients']);
const QUEUE_VIEWER = new Set(['next hop domain', 'delivery type', 'message count', 'last error', 'next retry time', 'last retry time', 'queue identity']);
const MESSAGE_VIEWER = new Set(['from address', 'size (kb)', 'queue id', 'date received', 'expiration time', 'internet message id', 'message source name', 'source ip']);

function firstLines(text: string, max: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n', max * 4)) {
    const l = line.replace(/\r$/, '');
    if (l.trim() !== '') out.push(l);
    if (out.length >= max) break;
  }
  return out;
}

function countIn(names: string[], set: Set<string>): number {
  return names.filter((n) => set.has(n)).length;
}

function sniffHeader(line: string): InputKind | null {
  const { names } = splitHeaderLine(line);
  if (names.length < 2) return null;
  const lower = names.map((n) => n.trim().toLowerCase());
  const viewerQueue = countIn(lower, QUEUE_VIEWER);
  const viewerMessage = countIn(lower, MESSAGE_VIEWER);
  if (viewerQueue + viewerMessage >= 2 && lower.some((n) => n.includes(' '))) return 'queue-viewer';
  const queue = countIn(lower, QUEUE_PROPS);
  const message = countIn(lower, MESSAGE_PROPS);
  if (queue >= 2 && queue >= message) return 'queue-csv';
  if (message >= 2) return 'message-csv';
  return null;
}

/**
 * The first `max` non-blank lines for judging `Name : value` text. A value wrapped at the console width goes on
 * in lines indented to the value column: they are part of the property line above them, not lines of another
 * shape, so a LastError or a Recipients list over many lines does not outweigh the property lines.
 */
function listLines(text: string, max: number): string[] {
  const out: string[] = [];
  let inProperty = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (inProperty && /^\s/.test(line)) continue;
    if (out.length >= max) break;
    out.push(line);
    inProperty = LIST_LINE.test(line);
  }
  return out;
}

function sniffList(text: string): InputKind | null {
  const lines = listLines(text, 40);
  const names: string[] = [];
  for (const line of lines) {
    const m = LIST_LINE.exec(line);
    if (m?.[1]) names.push(m[1].toLowerCase());
  }
  if (names.length < 3) return null;
  const queue = countIn(names, QUEUE_PROPS);
  const message = countIn(names, MESSAGE_PROPS);
  if (queue < 2 && message < 2) return null;
  // A `Name : value` shape on most lines; or, for a forum paste whose wrapped values lost their indentation,
  // a text that starts with a property (after any prompt) and names at least five Get-Queue / Get-Message
  // properties: other `Format-List` output (Get-Service, Get-SendConnector…) names too few of them.
  const first = lines.find((l) => !PROMPT.test(l.trimStart()));
  const known = new Set(names.filter(isKnownColumn)).size;
  const shaped = names.length * 2 >= lines.length || (first !== undefined && LIST_LINE.test(first) && known >= 5);
  if (!shaped) return null;
  if (queue >= 2 && queue >= message) return 'queue-list';
  if (message >= 2) return 'message-list';
  return null;
}

/** Given the decoded start of an input (≤ 64 KiB, BOM removed), say whether it is a queue/message export. */
export function sniffQueue(text: string): InputKind | null {
  const lines = firstLines(text.slice(0, 64 * 1024), 40);
  const first = lines[0];
  if (first === undefined || /^#(?:Software|Version|Log-type|Date|Fields):/i.test(first)) return null;
  const type = TYPE_LINE.exec(first);
  if (type) return type[1]?.toLowerCase() === 'queue' ? 'queue-csv' : 'message-csv';
  const header = first.startsWith('#TYPE ') ? lines[1] : first;
  if (header !== undefined) {
    const kind = sniffHeader(header);
    if (kind) return kind;
  }
  return sniffList(text.slice(0, 64 * 1024));
}
