/**
 * Queue and message exports: `Get-Queue` / `Get-Message` piped to `Export-Csv` or `Format-List`, and Queue
 * Viewer "Export List" files. They are small, but are still read as a stream.
 */
import type { InputKind, InputStats, QueueEntry } from '../../types.js';
import { readCsvExport } from './csv.js';
import { decodeChunks } from './decode.js';
import { readFormatList } from './list.js';
import { problem } from './stats.js';
import { describeError } from '../inputs.js';

export { sniffQueue } from './detect.js';
export { parseQueueDate, queueDateReadings } from './dates.js';

const QUEUE_KINDS: ReadonlySet<InputKind> = new Set(['queue-csv', 'message-csv', 'queue-list', 'message-list', 'queue-viewer']);

/**
 * Read a whole export. Decodes UTF-8 (BOM or not), UTF-16LE (BOM) or else Windows-1252, and keeps
 * `stats.lines === stats.records + sum(stats.skipped)`; `stats.bytes` is left to the caller, which reads the
 * source. Bad data never throws: it is counted and reported in
 * `stats.problems`; a failing source (read error) sets `stats.error`, after everything before it was read.
 */
export async function* readQueueExport(
  chunks: AsyncIterable<Buffer>,
  stats: InputStats,
  kind: InputKind,
): AsyncIterable<QueueEntry[]> {
  stats.kind = kind;
  if (!QUEUE_KINDS.has(kind)) {
    stats.error = `not a queue or message export (${kind})`;
    return;
  }
  // A source that fails (a cut .gz, a share that goes away) ends the text where it failed: the parsers then
  // finish as at any end, so the entries and lines before the damage are kept and counted.
  const failed: { error: unknown } = { error: null };
  const text = decodeChunks(untilError(chunks, failed), {
    onFallback: (offset) =>
      problem(stats, 0, 'encoding', `bytes from offset ${offset} are not UTF-8; read the rest as Windows-1252`),
  });
  if (kind === 'queue-list' || kind === 'message-list') {
    yield* readFormatList(text, stats, kind === 'message-list' ? 'message' : 'queue');
  } else {
    yield* readCsvExport(text, stats, kind);
  }
  // The same words as for a protocol log that fails while it is read.
  if (failed.error !== null) stats.error = `read error after line ${stats.lines}: ${describeError(failed.error)}`;
}

async function* untilError(chunks: AsyncIterable<Buffer>, failed: { error: unknown }): AsyncGenerator<Buffer> {
  try {
    yield* chunks;
  } catch (e) {
    failed.error = e;
  }
}
