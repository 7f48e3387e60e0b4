/**
 * Decode an export to text while it streams. Exports come as UTF-8 (with or without BOM), UTF-16LE with BOM
 * ("Unicode text", `-Encoding Unicode`), UTF-16BE (`-Encoding BigEndianUnicode`) or the ANSI code page (Windows PowerShell 5.1 default, Queue Viewer
 * "Text"), so the encoding is chosen from the first 64 KiB: a BOM decides; otherwise bytes that are not valid
 * UTF-8 mean Windows-1252.
 */

import { TextDecoder } from 'node:util';

const SNIFF_BYTES = 64 * 1024;

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodeEvents {
  /** Called once with the encoding chosen and whether a BOM was removed. */
  onEncoding?: (encoding: TextEncodingName, bom: boolean) => void;
  /** Called when bytes after the sniffed head turn out not to be UTF-8 and decoding switches to Windows-1252. */
  onFallback?: (byteOffset: number) => void;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    // `stream: true`: a sequence cut at the end of the head is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** UTF-16 without a BOM: most bytes at the high-byte position of ASCII-range text are zero (odd: LE, even: BE). */
function looksUtf16(bytes: Buffer, high: 0 | 1): boolean {
  const pairs = Math.min(bytes.length >> 1, 4096);
  if (pairs < 8) return false;
  let zeros = 0;
  for (let i = 0; i < pairs; i++) if (bytes[2 * i + high] === 0 && bytes[2 * i + 1 - high] !== 0) zeros++;
  return zeros * 10 >= pairs * 8;
}

function choose(head: Buffer): { encoding: TextEncodingName; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  if (looksUtf16(head, 1)) return { encoding: 'utf-16le', bomLength: 0 };
  if (looksUtf16(head, 0)) return { encoding: 'utf-16be', bomLength: 0 };
  return { encoding: isUtf8(head) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

/** Yield the text of an export chunk by chunk, BOM removed. */
export async function* decodeChunks(chunks: AsyncIterable<Buffer>, events: DecodeEvents = {}): AsyncGenerator<string> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let decoder: TextDecoder | null = null;
  let encoding: TextEncodingName = 'utf-8';
  let offset = 0;

  const start = (head: Buffer): string => {
    const chosen = choose(head);
    encoding = chosen.encoding;
    events.onEncoding?.(encoding, chosen.bomLength > 0);
    decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
    offset = head.length;
    return decoder.decode(head.subarray(chosen.bomLength), { stream: true });
  };

  const next = (chunk: Buffer): string => {
    const at = offset;
    offset += chunk.length;
    if (decoder === null) return '';
    try {
      return decoder.decode(chunk, { stream: true });
    } catch {
      // Valid UTF-8 at the start, invalid later: the rest is ANSI (a UTF-8 head of plain ASCII is both).
      events.onFallback?.(at);
      encoding = 'windows-1252';
      decoder = new TextDecoder('windows-1252');
      return decoder.decode(chunk, { stream: true });
    }
  };

  for await (const raw of chunks) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (decoder === null) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes < SNIFF_BYTES) continue;
      const text = start(Buffer.concat(pending));
      pending.length = 0;
      if (text !== '') yield text;
      continue;
    }
    const text = next(chunk);
    if (text !== '') yield text;
  }
  if (decoder === null) {
    const text = start(Buffer.concat(pending));
    if (text !== '') yield text;
  }
  let rest = '';
  try {
    rest = (decoder as TextDecoder | null)?.decode() ?? '';
  } catch {
    rest = '\ufffd'; // the input ended inside a UTF-8 sequence
  }
  if (rest !== '') yield rest;
}
