/**
 * Writes a report's text pieces to a file descriptor through one reused buffer. The JSON report comes as one
 * piece per group: joining pieces into bigger strings and converting each into a new Buffer cost about as much as
 * making the text (a 20 MB report: 100 ms of 230). Here each piece is encoded straight into the buffer, which is
 * written when full. Synchronous: used for regular files, where a write does not wait on a reader.
 */
import { writeSync } from 'node:fs';

const BUFFER_BYTES = 256 * 1024;
/** UTF-8 needs at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

export function writePiecesSync(fd: number, pieces: Iterable<string>, size = BUFFER_BYTES): void {
  const buf = Buffer.allocUnsafe(size);
  let used = 0;
  for (const piece of pieces) {
    const worst = piece.length * MAX_BYTES_PER_UNIT;
    if (used + worst > size) {
      writeAllSync(fd, buf, used);
      used = 0;
    }
    if (worst > size) writeAllSync(fd, Buffer.from(piece, 'utf8'), -1);
    else used += buf.write(piece, used, 'utf8');
  }
  writeAllSync(fd, buf, used);
}

/** Writes `length` bytes of `buf` (-1: all of it); a write may take fewer bytes than asked, so it loops. */
function writeAllSync(fd: number, buf: Buffer, length: number): void {
  const end = length < 0 ? buf.length : length;
  for (let off = 0; off < end; ) off += writeSync(fd, buf, off, end - off);
}
