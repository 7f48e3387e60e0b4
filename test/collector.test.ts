import { describe, expect, it } from 'vitest';
import { Collector, collectorFor } from '../src/collector.js';
import { scan } from '../src/scan.js';

describe('full collections every N bytes read', () => {
  it('collects once per N bytes, however the bytes arrive', () => {
    let collections = 0;
    const c = new Collector(100, () => collections++);
    for (let i = 0; i < 10; i++) c.read(30);
    // 300 bytes: at 120, then 120 more at 240; the last 60 are not yet 100.
    expect(collections).toBe(2);
    c.read(1000);
    expect(collections).toBe(3);
  });

  it('is off unless asked for, and finds the engine collection when asked', () => {
    expect(collectorFor(undefined)).toBeNull();
    expect(collectorFor(0)).toBeNull();
    expect(collectorFor(-5)).toBeNull();
    const c = collectorFor(1);
    expect(c).toBeInstanceOf(Collector);
    // The engine's own collection, run for real.
    expect(() => c!.read(1)).not.toThrow();
  });

  it('changes nothing in the report, also when it runs after every chunk in worker threads', async () => {
    const inputs = ['samples/', 'test/fixtures/real/'];
    const plain = await scan(inputs, { jobs: 1 });
    const collected = await scan(inputs, { jobs: 1, collectEvery: 1 });
    const threads = await scan(inputs, { jobs: 2, collectEvery: 1 });
    expect(plain.totals.sessions).toBeGreaterThan(10);
    expect(collected).toEqual(plain);
    expect(threads.groups).toEqual(plain.groups);
  });
});
