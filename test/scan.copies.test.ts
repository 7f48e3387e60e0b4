// A copy of a log among the inputs (a backup folder beside the live one, `gzip -k` beside the log, two weekly
// copies that overlap) is read once: otherwise each of its sessions counts twice, with nothing to tell.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropCopies, scan, type Opened } from '../src/scan.js';
import { renderTable } from '../src/output/table.js';
import { emptyStats } from '../src/read/detect.js';

let root: string;
const RECV = 'FrontEnd/ProtocolLog/SmtpReceive/RECV2025111009-1.LOG';

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'logscan-copies-'));
  cpSync('samples/EX01', join(root, 'EX01'), { recursive: true });
  cpSync('samples/EX01', join(root, 'backup', 'EX01'), { recursive: true });
  // `gzip -k`: the log and its .gz side by side.
  writeFileSync(join(root, 'EX01', `${RECV}.gz`), gzipSync(readFileSync(join(root, 'EX01', RECV))));
  // The same log once more, from a copy job of another day.
  const again = join(root, 'later', 'EX01', 'FrontEnd', 'ProtocolLog', 'SmtpReceive');
  mkdirSync(again, { recursive: true });
  writeFileSync(join(again, 'RECV2025111009-1.LOG'), readFileSync(join(root, 'EX01', RECV)));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('copies of a log', () => {
  it('are read once: the counts are those of the logs alone, and each copy names the file read', async () => {
    const alone = await scan('samples/EX01', { jobs: 1 });
    const all = await scan(root, { jobs: 1 });
    expect(all.totals).toEqual(alone.totals);
    expect(all.groups.map((g) => [g.connector, g.remoteHost, g.sessions])).toEqual(alone.groups.map((g) => [g.connector, g.remoteHost, g.sessions]));
    const copies = all.inputs.filter((i) => i.ignored?.startsWith('a copy of'));
    // backup/ (4 logs), the .gz and the third copy of the 09:00 receive log.
    expect(copies).toHaveLength(6);
    expect(all.inputs.find((i) => i.source.endsWith(`${RECV}.gz`))?.ignored).toBe(`a copy of ${join(root, 'EX01', RECV)} (the same first 4096 bytes): read once, there`);
    for (const c of copies) expect(c.records).toBe(0);
    expect(renderTable(all, { width: 200 })).toContain('Ignored   6 copies of logs given elsewhere too (the same first 4 KiB): read once');
    // Threads read the same log sets.
    expect((await scan(root, { jobs: 2 })).totals).toEqual(alone.totals);
  });

  it('keeps the one with the most log, a plain file over its .gz on a tie, then the first given', () => {
    const o = (source: string, size: number, gzip: boolean, fingerprint: string | null = 'same'): Opened => ({
      ref: { source, path: source }, stats: emptyStats(source), chunks: null, readable: true, headerDate: null, size, gzip, fingerprint,
    });
    const gz = o('a.LOG.gz', 1000, true);
    const small = o('b.LOG', 900, false);
    const big = o('c.LOG', 1000, false);
    const tie = o('d.LOG', 1000, false);
    const short = o('e.LOG', 100, false, null);
    const { copies } = dropCopies([gz, small, big, tie, short]);
    expect(copies.get(gz)).toBe(big);
    expect(copies.get(small)).toBe(big);
    expect(copies.get(tie)).toBe(big);
    expect(copies.has(big)).toBe(false);
    expect(copies.has(short)).toBe(false);
    // An archive of the finished log beats a plain copy taken while it was being written.
    const archive = o('f.LOG.gz', 5000, true);
    expect(dropCopies([big, archive]).copies.get(big)).toBe(archive);
  });

  it('reads the whole log from a .gz archive rather than a partial plain copy of it', async () => {
    const dir = join(root, 'partial');
    mkdirSync(join(dir, 'live'), { recursive: true });
    mkdirSync(join(dir, 'archive'), { recursive: true });
    const whole = readFileSync(join('samples/EX01', RECV), 'latin1');
    const part = whole.slice(0, 12_000);
    writeFileSync(join(dir, 'live', 'RECV2025111009-1.LOG'), part.slice(0, part.lastIndexOf('\n') + 1), 'latin1');
    writeFileSync(join(dir, 'archive', 'RECV2025111009-1.LOG.gz'), gzipSync(Buffer.from(whole, 'latin1')));
    const r = await scan(dir, { jobs: 1 });
    const alone = await scan(join('samples/EX01', RECV), { jobs: 1 });
    expect(r.totals.sessions).toBe(alone.totals.sessions);
    expect(r.inputs.find((i) => i.source.includes('live'))?.ignored).toMatch(/^a copy of .*archive.*\.gz/);
  });

  it('never takes a log of less than 4 KiB for a copy: a short log can be the start of a longer one', async () => {
    const dir = join(root, 'short');
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    const small = readFileSync(join('samples/EX01', RECV), 'latin1').slice(0, 3000);
    const log = small.slice(0, small.lastIndexOf('\n') + 1);
    writeFileSync(join(dir, 'a', 'RECV.LOG'), log, 'latin1');
    writeFileSync(join(dir, 'b', 'RECV.LOG'), log, 'latin1');
    const r = await scan(dir, { jobs: 1 });
    expect(r.inputs.filter((i) => i.ignored !== null)).toHaveLength(0);
  });
});
