import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writePiecesSync } from '../src/output/write.js';

const dir = mkdtempSync(join(tmpdir(), 'logscan-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function written(pieces: string[], size?: number): string {
  const path = join(dir, `out-${Math.random().toString(36).slice(2)}.txt`);
  const fd = openSync(path, 'w');
  try {
    writePiecesSync(fd, pieces, size);
  } finally {
    closeSync(fd);
  }
  return readFileSync(path, 'utf8');
}

describe('writing pieces through one reused buffer', () => {
  it('writes exactly the joined pieces, across many buffer refills', () => {
    // Multi-byte text (2, 3 and 4 bytes per character) in pieces that do and do not fit the small buffer.
    const pieces = Array.from({ length: 500 }, (_, i) => `{"n":${i},"name":"mx${i}.contoso.com ré 日本 😀"}\n`);
    pieces.push('x'.repeat(1000), '', 'é'.repeat(300), 'end\n');
    expect(written(pieces, 64)).toBe(pieces.join(''));
    expect(written(pieces)).toBe(pieces.join(''));
  });

  it('keeps a surrogate pair whole when it is the last thing that fits', () => {
    const pieces = ['a'.repeat(10), '😀', 'b', '😀'.repeat(5)];
    for (const size of [12, 13, 14, 16, 64]) expect(written(pieces, size)).toBe(pieces.join(''));
  });

  it('writes nothing for no pieces', () => {
    expect(written([])).toBe('');
  });
});
