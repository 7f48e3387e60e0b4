import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';

const jobsSeen: Array<number | 'auto' | undefined> = [];
vi.mock('../src/scan.js', async (original) => {
  const real = await original<typeof import('../src/scan.js')>();
  return {
    ...real,
    scan: (inputs: string[], options: Parameters<typeof real.scan>[1]) => {
      jobsSeen.push(options?.jobs);
      return real.scan(inputs, { ...options, jobs: 1 });
    },
  };
});

const { main } = await import('../src/cli.js');

async function jobsFor(argv: string[]): Promise<number | 'auto' | undefined> {
  jobsSeen.length = 0;
  const code = await main({ argv: ['-f', 'json', '--quiet', ...argv, 'samples/EX01'], stdout: { write: () => true }, stderr: { write: () => true }, env: {} });
  expect(code).toBe(0);
  return jobsSeen[0];
}

describe('--jobs', () => {
  it('is capped at the number of cores: more threads than cores only compete for them', async () => {
    const cores = availableParallelism();
    expect(await jobsFor(['-j', '1000'])).toBe(cores);
    expect(await jobsFor(['-j', String(cores + 1)])).toBe(cores);
    expect(await jobsFor(['-j', '1'])).toBe(1);
  });

  it("defaults to auto (threads by the size of the logs, scan() decides), also when asked in any case", async () => {
    expect(await jobsFor([])).toBe('auto');
    expect(await jobsFor(['-j', 'auto'])).toBe('auto');
    expect(await jobsFor(['--jobs', 'AUTO'])).toBe('auto');
  });

  it('refuses other words with exit 2, naming what it takes', async () => {
    let err = '';
    const code = await main({ argv: ['-j', 'max', 'samples/EX01'], stdout: { write: () => true }, stderr: { write: (s: string) => ((err += s), true) }, env: {} });
    expect(code).toBe(2);
    expect(err).toContain("--jobs needs a whole number >= 1 or 'auto', got 'max'");
  });
});
