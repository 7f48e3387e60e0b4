import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';

const jobsSeen: Array<number | undefined> = [];
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

async function jobsFor(argv: string[]): Promise<number | undefined> {
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
    expect(await jobsFor([])).toBe(Math.max(1, cores - 1));
  });
});
