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

interface Block {
  line: number;
  fields: Record<string, string>;
  last: string;
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

  const finish = (): void => {
    if (block === null) return;
    const entry = buildEntry(block.fields, kind, { source: stats.source, line: block.line });
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
        block = { line: lineNo, fields: {}, last: name };
        stats.records++;
      } else skip(stats, 'queue-continuation');
      (block as Block).fields[name] = value;
      (block as Block).last = name;
    } else if (current !== null) {
      // Rejoin a wrapped value with one space, as the console broke it at its width.
      const previous = current.fields[current.last] ?? '';
      current.fields[current.last] = previous === '' ? line.trim() : `${previous} ${line.trim()}`;
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
