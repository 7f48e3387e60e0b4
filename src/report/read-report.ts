/**
 * Reads a JSON report from a byte stream member by member, and the items of its large arrays one at a time. A
 * report is a file of any size (a merge of nine servers' reports was 572 MB), and a JavaScript string holds at most
 * 512 MiB: `JSON.parse(readFile(…))` refused such a file, even one `logscan merge` had written itself, and held the
 * whole report in memory three times over (text, then objects) where a merge needs one group at a time.
 */

import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { compareText } from '../compare-text.js';
import { GLOB_CHARS, globPlan, NO_MATCH, windowsPathHint } from '../read/inputs.js';
import { InvalidReportError, type ReportMerger } from './merge.js';
import { setOwn } from './record.js';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const BOM = [0xef, 0xbb, 0xbf];

export interface ReportStreamOptions {
  /** Top-level arrays handed on item by item through `onItem`, instead of being kept in the result. */
  items: ReadonlySet<string>;
  /** Top-level members read past without being parsed or kept (what a merge makes again, such as roll-ups). */
  skip: ReadonlySet<string>;
  /** `head` holds the members read before the array (a report's `schema` comes first). */
  onItem(key: string, item: unknown, index: number, head: Readonly<Record<string, unknown>>): void;
}

/** Thrown for bytes that are not one JSON object; the message says where. */
export class ReportSyntaxError extends Error {}

/** Where the scan is, at the top level of the report object. */
const enum At {
  /** Before the report's `{`. */
  Start,
  /** Before a member's key, or the object's `}`. */
  Key,
  /** Inside a key's text. */
  KeyText,
  Colon,
  /** Before a member's value. */
  Value,
  /** Inside a value that is kept or skipped whole. */
  InValue,
  /** Inside an array handed on item by item: before an item, or the `]`. */
  Items,
  /** Inside one item of such an array. */
  InItem,
  /** After a member's value, before `,` or `}`. */
  After,
  /** After the report's `}`. */
  End,
}

function isSpace(b: number): boolean {
  return b === 32 || b === 10 || b === 13 || b === 9;
}

/**
 * The report's top-level members other than those in `skip`, parsed; each item of the `items` arrays is parsed and
 * given to `onItem` as soon as it is read, and the array itself is left empty. Only the member or item being read
 * is held.
 */
export async function readReportStream(source: AsyncIterable<Buffer | string>, options: ReportStreamOptions): Promise<Record<string, unknown>> {
  const head: Record<string, unknown> = {};
  let at = At.Start;
  let depth = 0;
  let inString = false;
  let escaped = false;
  // A `,` was read and no member or item after it yet.
  let separated = false;
  // Bytes of a byte-order mark read so far.
  let bom = 0;
  let key = '';
  let index = 0;
  let keep = false;
  // Bytes of the key, value or item being read, when they span chunks.
  let parts: Buffer[] = [];
  let offset = 0;
  // Where in the file the value or item being read starts.
  let from = 0;
  const fail = (what: string, position: number): never => {
    throw new ReportSyntaxError(`not a JSON object as logscan writes reports: ${what} at byte ${offset + position}`);
  };
  const text = (chunk: Buffer, start: number, end: number): string => {
    parts.push(chunk.subarray(start, end));
    const out = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts).toString('utf8');
    parts = [];
    return out;
  };
  const parse = (chunk: Buffer, start: number, end: number, what: string): unknown => {
    const t = text(chunk, start, end);
    try {
      return JSON.parse(t);
    } catch (e) {
      throw new ReportSyntaxError(`not a JSON object as logscan writes reports: ${what} from byte ${from} is not JSON (${(e as Error).message})`);
    }
  };
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    const n = chunk.length;
    // Where the key, value or item being read starts in this chunk (0 when it began in an earlier one).
    let start = 0;
    let i = 0;
    // A backslash that ended the last chunk escapes this one's first byte (an empty chunk passes it on).
    if (escaped && n > 0) {
      escaped = false;
      i = 1;
    }
    while (i < n) {
      if (inString) {
        // Most bytes of a report are inside strings: only a quote or a backslash matters there.
        while (i < n) {
          const b = chunk[i]!;
          if (b === BACKSLASH) i += 2;
          else if (b === QUOTE) break;
          else i++;
        }
        if (i >= n) {
          escaped = i > n;
          break;
        }
        inString = false;
        if (at === At.KeyText) {
          key = parse(chunk, start, i + 1, 'a member name') as string;
          at = At.Colon;
        }
        i++;
        continue;
      }
      const b = chunk[i]!;
      if (isSpace(b)) {
        i++;
        continue;
      }
      switch (at) {
        case At.Start:
          // A byte-order mark, as an editor saving the report as "UTF-8 with BOM" writes one (in any chunks).
          if (offset + i === bom && b === BOM[bom]) {
            bom++;
            i++;
            continue;
          }
          if (bom > 0 && bom < BOM.length) fail('a cut byte-order mark', i);
          if (b !== OPEN_OBJECT) fail('no `{` first', i);
          at = At.Key;
          depth = 1;
          break;
        case At.Key:
          if (b === CLOSE_OBJECT) {
            if (separated) fail('a `,` before the `}`', i);
            at = At.End;
          } else if (b === QUOTE) {
            at = At.KeyText;
            separated = false;
            inString = true;
            start = i;
            from = offset + i;
          } else fail('no member name', i);
          break;
        case At.Colon:
          if (b !== COLON) fail('no `:` after a member name', i);
          at = At.Value;
          break;
        case At.Value:
          // JSON.parse keeps the last of two members of one name; items handed on cannot be taken back.
          if (options.items.has(key) && Object.hasOwn(head, key)) fail(`a second ${JSON.stringify(key)} member`, i);
          if (options.items.has(key) && b === OPEN_ARRAY) {
            at = At.Items;
            depth = 2;
            index = 0;
            separated = false;
            // Its items went to onItem: in the result it is there, and empty.
            setOwn(head, key, []);
            break;
          }
          at = At.InValue;
          keep = !options.skip.has(key);
          start = i;
          from = offset + i;
          continue;
        case At.Items:
          // Between items: `,` only after an item, `]` not after a `,`, as JSON.parse has it.
          if (b === CLOSE_ARRAY) {
            if (separated) fail('a `,` before the `]`', i);
            depth = 1;
            at = At.After;
            break;
          }
          if (b === COMMA) {
            if (separated || index === 0) fail('a `,` where an item belongs', i);
            separated = true;
            break;
          }
          separated = false;
          at = At.InItem;
          start = i;
          from = offset + i;
          continue;
        case At.InValue:
        case At.InItem: {
          // A value ends at the `,` or the closing bracket of the level it is on.
          const level = at === At.InValue ? 1 : 2;
          if (depth === level && (b === COMMA || b === (level === 1 ? CLOSE_OBJECT : CLOSE_ARRAY))) {
            if (at === At.InItem) {
              options.onItem(key, parse(chunk, start, i, `item ${index} of ${JSON.stringify(key)}`), index++, head);
              at = At.Items;
              // The `,` is read again as the separator between items; a `]` ends the array.
              continue;
            }
            // A member named `__proto__` (a hostile report) is data, as JSON.parse makes it, not the prototype.
            if (keep) setOwn(head, key, parse(chunk, start, i, `the value of ${JSON.stringify(key)}`));
            else parts = [];
            at = At.After;
            continue;
          }
          if (b === QUOTE) inString = true;
          else if (b === OPEN_OBJECT || b === OPEN_ARRAY) depth++;
          else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) {
            if (--depth < level) fail('a bracket that closes nothing', i);
          }
          break;
        }
        case At.After:
          if (b === COMMA) {
            at = At.Key;
            separated = true;
            break;
          }
          separated = false;
          if (b === CLOSE_OBJECT) at = At.End;
          else fail('no `,` or `}` after a member', i);
          break;
        case At.End:
          fail('more after the report\'s `}`', i);
      }
      i++;
    }
    // What is being read goes on in the next chunk: keep its bytes, unless it is skipped.
    if (at === At.KeyText || at === At.InItem || (at === At.InValue && keep)) parts.push(chunk.subarray(start));
    offset += n;
  }
  if (at !== At.End) fail(at === At.Start ? 'no content' : 'the end of the file inside the report (cut short?)', 0);
  return head;
}

/** Members a merge makes again from the groups, so not read. */
const ROLL_UPS: ReadonlySet<string> = new Set(['hosts', 'connectors']);
const GROUPS: ReadonlySet<string> = new Set(['groups']);

/** Adds the report `bytes` hold to `merger`: its groups one at a time as they are read, then the rest. */
export async function addReport(merger: ReportMerger, bytes: AsyncIterable<Buffer | string>): Promise<void> {
  const head = await readReportStream(bytes, {
    items: GROUPS,
    skip: ROLL_UPS,
    onItem: (_key, group, index, before) => {
      // Another kind of JSON file is named as that, not by its first item that is no group. A report whose keys
      // were sorted (jq -S) has its schema after the groups: endReport checks it there.
      if (index === 0 && Object.hasOwn(before, 'schema')) merger.check(before);
      try {
        merger.addGroup(group);
      } catch (e) {
        if (!(e instanceof InvalidReportError) || Object.hasOwn(before, 'schema')) throw e;
        throw new InvalidReportError(e.index, 'its schema is not given before its groups, which are not as logscan writes them');
      }
    },
  });
  merger.endReport(head);
}

/**
 * The bytes of a report file (`-`: standard input), decompressed when they are gzip: a report copied off a
 * server is often compressed, and `.json.gz` must not be the reason to unpack it first.
 */
export async function* reportBytes(path: string, stdin: AsyncIterable<Buffer> = process.stdin): AsyncGenerator<Buffer> {
  const source = path === '-' ? stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const it = source[Symbol.asyncIterator]();
  try {
    // Enough bytes to tell gzip by (a pipe may hand on one byte at a time).
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < 2 && !ended) {
      const r = await it.next();
      if (r.done === true) ended = true;
      else head = Buffer.concat([head, r.value as Buffer]);
    }
    if (head.length === 0) return;
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield head;
      if (!ended) for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value as Buffer;
    };
    if (head[0] !== 0x1f || head[1] !== 0x8b) return yield* rest();
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    // A failed read or corrupt data ends the loop below with its error, through the pipeline.
    const done = pipeline(Readable.from(rest()), gunzip);
    done.catch(() => undefined);
    for await (const chunk of gunzip) yield chunk as Buffer;
    await done;
  } finally {
    // A report refused part-way (a bad group) leaves its file open otherwise, until the process ends.
    await it.return?.();
  }
}

/** A report file by its name: `.json`, or `.json.gz`. */
function isReportName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.endsWith('.json') || lower.endsWith('.json.gz');
}

/**
 * The report files `args` name, in order: files as given, `-`, a folder's `.json` and `.json.gz` files (not its
 * subfolders), and a pattern's matches (Windows shells pass `reports\*.json` on unexpanded, as they do for logs).
 * Standard input named twice is read once. Throws for a folder without reports or a pattern that matches none, naming it.
 */
export async function reportFiles(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const arg of args) {
    const info = arg === '-' ? null : await stat(arg).catch(() => null);
    if (info?.isDirectory() === true) {
      // Links to reports count, as a pattern over the same folder finds them.
      // Not hidden files, as a pattern does not match them: macOS leaves `._x.json` beside copied reports.
      const entries = (await readdir(arg, { withFileTypes: true })).filter((d) => !d.name.startsWith('.') && isReportName(d.name) && (d.isFile() || d.isSymbolicLink()));
      const names: string[] = [];
      for (const d of entries) if (d.isFile() || (await stat(join(arg, d.name)).catch(() => null))?.isFile() === true) names.push(d.name);
      if (names.length === 0) throw new Error(`${arg}: a folder with no .json or .json.gz report in it`);
      for (const name of names.sort(compareText)) out.push(join(arg, name));
    } else if (info === null && arg !== '-' && GLOB_CHARS.test(arg)) {
      const plan = globPlan(arg);
      const fg = (await import('fast-glob')).default;
      const found = await fg(plan.pattern, { cwd: plan.cwd ?? undefined, caseSensitiveMatch: plan.caseSensitiveMatch, onlyFiles: true, dot: false });
      if (found.length === 0) {
        const hint = windowsPathHint(arg);
        throw new Error(`${arg}: ${NO_MATCH}${hint === null ? '' : `; ${hint}`}`);
      }
      for (const f of found.sort(compareText)) out.push(plan.pathOf(f));
    } else if (arg !== '-' || !out.includes('-')) out.push(arg);
  }
  return out;
}
