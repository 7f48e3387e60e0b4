// bench/generate.mjs: a small run must produce files that look like Exchange's and a summary that matches them.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'bench/generate.mjs');

interface Summary {
  files: number;
  bytes: number;
  lines: number;
  rows: number;
  sessions: number;
  completedSessions: number;
  incompleteAtEnd: number;
  categories: Record<string, number>;
  scenarios: Record<string, number>;
  fileList: Array<{ path: string; bytes: number; lines: number; rows: number }>;
}

async function generate(args: string[]): Promise<Summary> {
  const { stdout } = await run(process.execPath, [SCRIPT, ...args], { maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as Summary;
}

const FIELDS = '#Fields: date-time,connector-id,session-id,sequence-number,local-endpoint,remote-endpoint,event,data,context';
let dir: string;
let summary: Summary;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logscan-gen-'));
  summary = await generate(['--out', join(dir, 'a'), '--size', '2MB', '--files', '256KB', '--kind', 'both', '--servers', '2', '--seed', '7']);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench/generate.mjs', () => {
  it('writes rotated, hourly-named files in the Exchange folder layout', () => {
    expect(summary.files).toBe(summary.fileList.length);
    expect(summary.files).toBeGreaterThanOrEqual(8);
    const folders = new Set(summary.fileList.map((f) => dirname(f.path)));
    expect([...folders].map((f) => f.slice(join(dir, 'a').length + 1)).sort()).toEqual([
      'EX01/FrontEnd/ProtocolLog/SmtpReceive',
      'EX01/Hub/ProtocolLog/SmtpSend',
      'EX02/FrontEnd/ProtocolLog/SmtpReceive',
      'EX02/Hub/ProtocolLog/SmtpSend',
    ]);
    for (const f of summary.fileList) {
      expect(basename(f.path)).toMatch(/^(RECV|SEND)\d{10}-\d+\.LOG$/);
      expect(basename(f.path).startsWith('RECV')).toBe(f.path.includes('SmtpReceive'));
    }
    // Size rotation within an hour bumps the instance number.
    expect(summary.fileList.some((f) => /-[2-9]\.LOG$/.test(f.path))).toBe(true);
    const total = summary.fileList.reduce((n, f) => n + f.bytes, 0);
    expect(total).toBe(summary.bytes);
    expect(summary.bytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(summary.bytes).toBeLessThan(2 * 1024 * 1024 + 64 * 1024);
  });

  it('gives every file the BOM, the five-line header, CRLF only, and counts that match the summary', () => {
    for (const f of summary.fileList) {
      const bytes = readFileSync(f.path);
      expect(statSync(f.path).size).toBe(f.bytes);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8').slice(1);
      expect(text.endsWith('\r\n')).toBe(true);
      expect(/\r(?!\n)|(?<!\r)\n/.test(text)).toBe(false);
      const lines = text.split('\r\n');
      lines.pop();
      expect(lines.length).toBe(f.lines);
      expect(lines.length - 5).toBe(f.rows);
      expect(lines[0]).toBe('#Software: Microsoft Exchange Server');
      expect(lines[1]).toBe('#Version: 15.0.0.0');
      expect(lines[2]).toBe(`#Log-type: SMTP ${f.path.includes('SmtpReceive') ? 'Receive' : 'Send'} Protocol Log`);
      expect(lines[3]).toMatch(/^#Date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(lines[4]).toBe(FIELDS);
      const hour = /(\d{4})(\d\d)(\d\d)(\d\d)-\d+\.LOG$/.exec(f.path)!;
      expect(lines[3]!.slice(7, 20)).toBe(`${hour[1]}-${hour[2]}-${hour[3]}T${hour[4]}`);
    }
    expect(summary.fileList.reduce((n, f) => n + f.lines, 0)).toBe(summary.lines);
    expect(summary.fileList.reduce((n, f) => n + f.rows, 0)).toBe(summary.rows);
  });

  it('writes rows that parse as 9 CSV fields, with quoting only where needed', () => {
    let quoted = 0;
    let rows = 0;
    for (const f of summary.fileList) {
      const text = readFileSync(f.path, 'utf8');
      // csv-parse rejects a record whose field count differs from the first one, so 9 everywhere is checked.
      const records = parse(text, { bom: true, comment: '#', comment_no_infix: true, record_delimiter: '\r\n' }) as string[][];
      expect(records.length).toBe(f.rows);
      for (const r of records) {
        expect(r).toHaveLength(9);
        expect(r[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(r[2]).toMatch(/^[0-9A-F]{16}$/);
        expect(['+', '-', '>', '<', '*']).toContain(r[6]);
      }
      for (const line of text.split('\r\n')) if (line.includes(',"')) quoted++;
      rows += records.length;
    }
    // Banners, TLS success lines, queued replies and DN-bearing certificate rows: roughly 15 % of rows.
    expect(quoted / rows).toBeGreaterThan(0.08);
    expect(quoted / rows).toBeLessThan(0.3);
    expect(summary.bytes / summary.rows).toBeGreaterThan(120);
    expect(summary.bytes / summary.rows).toBeLessThan(190);
  });

  it('interleaves sessions, numbers each one in order, and carries open sessions into the next file', () => {
    const byFolder = new Map<string, string[]>();
    for (const f of summary.fileList) byFolder.set(dirname(f.path), [...(byFolder.get(dirname(f.path)) ?? []), f.path]);
    let carried = 0;
    for (const files of byFolder.values()) {
      const seqs = new Map<string, number>();
      let prevIds = new Set<string>();
      for (const path of files) {
        const records = parse(readFileSync(path, 'utf8'), { bom: true, comment: '#', comment_no_infix: true, record_delimiter: '\r\n' }) as string[][];
        const ids = new Set<string>();
        for (const r of records) {
          const id = r[2]!;
          const seq = Number(r[3]);
          expect(seq).toBe(seqs.has(id) ? seqs.get(id)! + 1 : 0);
          seqs.set(id, seq);
          if (!ids.has(id) && prevIds.has(id)) carried++;
          ids.add(id);
        }
        // Many sessions open at once: the first 200 rows already touch several sessions.
        expect(new Set(records.slice(0, 200).map((r) => r[2])).size).toBeGreaterThan(5);
        prevIds = ids;
      }
    }
    expect(carried).toBeGreaterThan(0);
  });

  it('reports intended categories that add up, with every category present', () => {
    const sum = Object.values(summary.categories).reduce((a, b) => a + b, 0);
    expect(sum).toBe(summary.completedSessions);
    expect(summary.completedSessions + summary.incompleteAtEnd).toBe(summary.sessions);
    for (const c of ['healthy', 'tls-negotiation-failed', 'socket-error', 'starttls-required', 'legacy-tls', 'plaintext']) {
      expect(summary.categories[c], c).toBeGreaterThan(0);
    }
    expect(summary.categories.healthy! / sum).toBeGreaterThan(0.6);
  });

  it('is deterministic for a seed and changes with it', async () => {
    const again = await generate(['--out', join(dir, 'b'), '--size', '2MB', '--files', '256KB', '--kind', 'both', '--servers', '2', '--seed', '7']);
    const other = await generate(['--out', join(dir, 'c'), '--size', '2MB', '--files', '256KB', '--kind', 'both', '--servers', '2', '--seed', '8']);
    const digest = (s: Summary, root: string) =>
      s.fileList.map((f) => `${f.path.slice(root.length)} ${createHash('sha256').update(readFileSync(f.path)).digest('hex')}`);
    expect(digest(again, join(dir, 'b'))).toEqual(digest(summary, join(dir, 'a')));
    expect(digest(other, join(dir, 'c'))).not.toEqual(digest(summary, join(dir, 'a')));
  });

  it('writes one unrotated file with --single', async () => {
    const file = join(dir, 'single', 'big.LOG');
    const s = await generate(['--single', file, '--size', '1MB', '--kind', 'send', '--seed', '3']);
    expect(s.files).toBe(1);
    expect(s.fileList[0]!.path).toBe(file);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF#Software: Microsoft Exchange Server\r\n')).toBe(true);
    expect(text.split('\r\n').filter((l) => l.includes('#Software:'))).toHaveLength(1);
    expect(text).toContain('#Log-type: SMTP Send Protocol Log');
    expect(statSync(file).size).toBe(s.bytes);
    expect(text).toContain(',,attempting to connect\r\n');
  });

  it('--clients internet gives nearly every receive session its own public remote address', async () => {
    const file = join(dir, 'internet', 'RECV.LOG');
    const s = await generate(['--single', file, '--size', '1MB', '--kind', 'receive', '--seed', '3', '--clients', 'internet']);
    const starts = readFileSync(file, 'utf8').split('\r\n').filter((l) => /^\d{4}-.*,\+,,$/.test(l));
    expect(starts).toHaveLength(s.sessions);
    const ips = new Set(starts.map((l) => l.split(',')[5]!.split(':')[0]!));
    expect(ips.size).toBeGreaterThan(s.sessions * 0.99);
    expect([...ips].every((ip) => !/^(10|198\.51\.100|203\.0\.113)\./.test(ip))).toBe(true);
    // The default pool is a few thousand addresses, reused.
    const pooled = join(dir, 'internet', 'POOL.LOG');
    const p = await generate(['--single', pooled, '--size', '1MB', '--kind', 'receive', '--seed', '3']);
    const poolIps = new Set(readFileSync(pooled, 'utf8').split('\r\n').filter((l) => /,\+,,$/.test(l)).map((l) => l.split(',')[5]!.split(':')[0]!));
    expect(poolIps.size).toBeLessThan(p.sessions);
  });

  it('rejects bad arguments with exit code 2', async () => {
    await expect(run(process.execPath, [SCRIPT, '--single', join(dir, 'z.LOG'), '--clients', 'everyone'])).rejects.toMatchObject({ code: 2 });
    await expect(run(process.execPath, [SCRIPT, '--size', '1MB'])).rejects.toMatchObject({ code: 2 });
    await expect(run(process.execPath, [SCRIPT, '--out', join(dir, 'x'), '--size', 'lots'])).rejects.toMatchObject({ code: 2 });
    await expect(run(process.execPath, [SCRIPT, '--single', join(dir, 'y.LOG'), '--kind', 'both'])).rejects.toMatchObject({ code: 2 });
  });
});
