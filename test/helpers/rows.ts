import { parse } from 'csv-parse/sync';
import type { EventCode, LogRecord } from '../../src/types.js';

/**
 * Test helper: turns protocol-log rows (9 fields, CSV) into records with csv-parse, the reference parser, so
 * session and classifier tests do not depend on the fast reader.
 */
export function rows(text: string, source = 'test.LOG'): LogRecord[] {
  const lines = text.split('\n');
  const out: LogRecord[] = [];
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const [fields] = parse(trimmed, { relax_quotes: true, relax_column_count: true }) as string[][];
    const f = fields!;
    out.push({
      source,
      line: i + 1,
      time: f[0] ?? '',
      connector: f[1] ?? '',
      sessionId: f[2] ?? '',
      sequence: Number.parseInt(f[3] ?? '', 10),
      local: f[4] ?? '',
      remote: f[5] ?? '',
      event: (f[6] || '*') as EventCode,
      data: f[7] ?? '',
      context: f[8] ?? '',
    });
  });
  return out;
}

/** Builds rows of one session from short `event,data,context` lines, with times one second apart. */
export function session(
  id: string,
  body: string,
  opts: { connector?: string; remote?: string; local?: string; start?: string; source?: string } = {},
): LogRecord[] {
  const connector = opts.connector ?? 'EX01\\Default Frontend EX01';
  const remote = opts.remote ?? '203.0.113.10:51234';
  const local = opts.local ?? '10.0.0.5:25';
  const start = Date.parse(opts.start ?? '2025-11-10T09:00:00.000Z');
  const lines = body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l, i) => {
      const time = new Date(start + i * 1000).toISOString();
      const c = connector.includes(',') ? `"${connector}"` : connector;
      return `${time},${c},${id},${i},${local},${remote},${l}`;
    });
  return rows(lines.join('\n'), opts.source);
}
