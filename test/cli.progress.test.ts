import { describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } };
}

describe('progress line', () => {
  it('is drawn on a terminal stderr (here from the first update) and cleared at the end; stdout keeps only the report', async () => {
    const out = sink(false);
    const err = sink(true);
    const code = await main({ argv: ['--format', 'json', '--jobs', '1', 'samples'], stdout: out.stream, stderr: err.stream, env: { LOGSCAN_PROGRESS_AFTER_MS: '0' } });
    expect(code).toBe(0);
    const text = err.chunks.join('');
    expect(text).toMatch(/files \d+\/\d+ {2}\d+ MB {2}\d+ MB\/s/);
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
    expect(JSON.parse(out.chunks.join('')).schema).toBe('logscan.report/1');
  });

  it('prints nothing on stderr when it is not a terminal, or with --quiet', async () => {
    for (const [tty, argv] of [[false, ['samples']], [true, ['--quiet', 'samples']]] as const) {
      const err = sink(tty);
      const code = await main({ argv: ['--format', 'json', ...argv], stdout: sink(false).stream, stderr: err.stream, env: { LOGSCAN_PROGRESS_AFTER_MS: '0' } });
      expect(code).toBe(0);
      expect(err.chunks).toEqual([]);
    }
  });
});

describe('progress line on SIGINT/SIGTERM', () => {
  it('is cleared by the cleanup the CLI registers for the signal, which is unregistered at the end', async () => {
    const registered = new Set<() => void>();
    const onInterrupt = (cleanup: () => void) => {
      registered.add(cleanup);
      return () => registered.delete(cleanup);
    };
    const chunks: string[] = [];
    let atFirstLine: number | null = null;
    const stderr = {
      isTTY: true,
      write(s: string) {
        chunks.push(s);
        if (atFirstLine === null && s.includes('files ')) {
          atFirstLine = registered.size;
          // What bin.ts does on the signal, before the process dies of it.
          for (const cleanup of registered) cleanup();
        }
        return true;
      },
    };
    const code = await main({ argv: ['-f', 'json', '--jobs', '1', 'samples'], stdout: sink(false).stream, stderr, env: { LOGSCAN_PROGRESS_AFTER_MS: '0' }, onInterrupt });
    expect(code).toBe(0);
    expect(atFirstLine).toBe(1);
    const first = chunks.findIndex((c) => c.includes('files '));
    expect(chunks[first + 1]).toBe('\r\u001b[2K');
    expect(registered.size).toBe(0);
  });
});
