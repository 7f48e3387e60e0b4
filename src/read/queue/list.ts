/**
 * `Get-Queue | Format-List` / `Get-Message | Format-List` text: blocks of `Name : value` lines. Long values wrap
 * onto lines without a `Name :` (indented on a console, flush left in forum pastes), and forum pastes put a blank
 * line after every line, so blank lines cannot separate blocks: a block ends when its first property name comes
 * back or a property repeats.
 */
import type { InputStats, QueueEntry } from '../../types.js';
import { buildEntry } from './entry.js';
import { problem, skip, widen } from './stats.js';

const BATCH = 500;
/** PowerShell property names are PascalCase; a wrapped `code: 10060` piece must not pass for one. */
const PROPERTY = /^([A-Z][A-Za-z0-9]{0,63}) *: ?(.*)$/;
const PROMPT = /^(?:\[PS\]|PS) [^>]{0,512}>/;

/** One physical line's share of a value. */
interface Piece {
  text: string;
  /** Length of the physical line it came from, indentation and trailing white space included. */
  end: number;
  /** White space stood at the break: trailing on this line, or leading (beyond the value column) on the next. */
  spaceAfter: boolean;
}

interface Block {
  line: number;
  fields: Record<string, string>;
  last: string;
  /** Column where the values of the latest property line start; deeper continuation lines began with a space. */
  column: number;
  /** The latest property line as the first piece of its value, should the value wrap. */
  head: Omit<Piece, 'text'>;
  /** The pieces of every value that wrapped, joined when the block ends and the line width is best known. */
  wrapped: Map<string, Piece[]>;
}

/**
 * Console buffer widths PowerShell is most often run at (80: legacy console and many scripts' hosts, 120: the
 * Windows 10+ default). Format-List writes at most width − 1 characters a line.
 */
const KNOWN_WIDTHS: ReadonlySet<number> = new Set([80, 120]);

/**
 * What the lines seen so far say about the width the text was wrapped at. Windows PowerShell wraps Format-List
 * values at word boundaries for some cultures (en, de, fr, it, pt, es) and cuts them at the exact width for
 * others (nl, sv, pl, ja, zh, ru…); in every culture a word longer than the value column is cut
 * (`StringManipulationHelper.GenerateLines` in PowerShell's ComplexWriter.cs).
 */
class LineWidths {
  #longest = 0;
  /** Lengths of the physical lines that a wrapped value went on from, and how often each occurred. */
  readonly #broken = new Map<number, number>();

  line(length: number): void {
    if (length > this.#longest) this.#longest = length;
  }

  broke(length: number): void {
    this.#broken.set(length, (this.#broken.get(length) ?? 0) + 1);
  }

  /**
   * The full line length, or null when it is not known. The longest line is taken for it when the width it
   * implies is a usual console width, or when every line a value broke from is that long (one shorter: a
   * trailing space removed), as cutting at the exact width leaves them. Word-wrapped text at another width leaves
   * lines of many lengths and no width: its pieces keep their spaces, as before.
   */
  full(): number | null {
    const width = this.#longest;
    if (width === 0) return null;
    if (KNOWN_WIDTHS.has(width + 1)) return width;
    let count = 0;
    for (const [length, n] of this.#broken) {
      if (length !== width && length !== width - 1) return null;
      count += n;
    }
    return count >= 2 ? width : null;
  }
}

/**
 * Rejoin a wrapped value. A piece whose line reached the full width was cut there, inside a word or a token
 * (`4.4` / `.2`, an IP, an FQDN), and the next piece follows with nothing between; a shorter line ended at a word
 * boundary, whose space the wrapping removed. A word that ends exactly at the edge in a word-wrapping culture
 * keeps its space as the line's last character (PowerShell counts a word with the space after it), so it is seen
 * as `spaceAfter` if the file kept trailing spaces, and as a line one short of the width if they were trimmed:
 * both join with a space. Only text wrapped some other way at exactly the full width would lose a space between
 * two words; that is the lesser harm, because a space put inside `4.4.2`, an address or a host name breaks the
 * classification and the grouping, while a missing one between two words of prose rarely changes either.
 */
function joinPieces(pieces: readonly Piece[], full: number | null): string {
  let value = '';
  let previous: Piece | null = null;
  for (const piece of pieces) {
    if (previous === null || value === '') value += piece.text;
    else value += previous.end === full && !previous.spaceAfter ? piece.text : ` ${piece.text}`;
    previous = piece;
  }
  return value;
}

async function* physicalLines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let rest = '';
  for await (const piece of text) {
    const parts = (rest + piece).split('\n');
    rest = parts.pop() ?? '';
    for (const p of parts) yield p.endsWith('\r') ? p.slice(0, -1) : p;
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

export async function* readFormatList(
  text: AsyncIterable<string>,
  stats: InputStats,
  kind: 'queue' | 'message',
): AsyncGenerator<QueueEntry[]> {
  let lineNo = 0;
  let block: Block | null = null;
  let firstName: string | null = null;
  let baseIndent = -1;
  let batch: QueueEntry[] = [];
  const widths = new LineWidths();

  const finish = (): void => {
    if (block === null) return;
    const full = widths.full();
    for (const [name, pieces] of block.wrapped) block.fields[name] = joinPieces(pieces, full);
    const entry = buildEntry(block.fields, kind, { source: stats.source, line: block.line }, stats);
    widen(stats, entry.time?.iso ?? null);
    batch.push(entry);
    block = null;
  };

  for await (const line of physicalLines(text)) {
    lineNo++;
    if (line.trim() === '') {
      skip(stats, 'blank');
      continue;
    }
    widths.line(line.length);
    const indent = indentOf(line);
    // Console wrapping indents continuation lines to the value column, deeper than the property names.
    const m = baseIndent === -1 || indent <= baseIndent ? PROPERTY.exec(line.trimStart()) : null;
    const current: Block | null = block;
    if (m) {
      const name = m[1] ?? '';
      const value = (m[2] ?? '').trim();
      if (current !== null && (name === firstName || name in current.fields)) finish();
      if (block === null) {
        if (baseIndent === -1) baseIndent = indent;
        firstName ??= name;
        block = { line: lineNo, fields: {}, last: name, column: 0, head: { end: 0, spaceAfter: false }, wrapped: new Map() };
        stats.records++;
      } else skip(stats, 'queue-continuation');
      const open = block as Block;
      open.fields[name] = value;
      open.last = name;
      open.column = line.length - (m[2] ?? '').length;
      open.head = { end: line.length, spaceAfter: /\s$/.test(line) };
      open.wrapped.delete(name);
    } else if (current !== null) {
      const pieces = current.wrapped.get(current.last) ?? [{ text: current.fields[current.last] ?? '', ...current.head }];
      const previous = pieces[pieces.length - 1] as Piece;
      widths.broke(previous.end);
      if (indent > current.column && indent > 0) previous.spaceAfter = true;
      pieces.push({ text: line.trim(), end: line.length, spaceAfter: /\s$/.test(line) });
      current.wrapped.set(current.last, pieces);
      skip(stats, 'queue-continuation');
    } else if (PROMPT.test(line.trimStart())) {
      skip(stats, 'header');
    } else {
      skip(stats, 'malformed-row');
      problem(stats, lineNo, 'malformed-row', 'text before the first `Name : value` line');
    }
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  finish();
  if (batch.length > 0) yield batch;
  stats.lines += lineNo;
}
