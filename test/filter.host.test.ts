// `--host`: a whole address picks that host only; a partial one is a prefix (a subnet); names match anywhere.
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../src/scan.js';
import type { Session } from '../src/types.js';

function session(ip: string, names: string[] = []): Session {
  return { start: '2025-11-10T09:00:00.000Z', connector: 'EX01\\Default Frontend EX01', remote: { ip, port: 25 }, remoteNames: names } as unknown as Session;
}

describe('host filter', () => {
  it('takes a whole IPv4 or IPv6 address as one host, and anything else as a prefix or a name', () => {
    const one = compileFilter({ host: '10.0.5.4' });
    expect(one.session(session('10.0.5.4'))).toBe(true);
    expect(one.session(session('10.0.5.40'))).toBe(false);
    expect(one.session(session('10.0.5.41'))).toBe(false);
    const subnet = compileFilter({ host: '10.0.5.' });
    expect(['10.0.5.4', '10.0.5.40', '10.0.6.1'].map((ip) => subnet.session(session(ip)))).toEqual([true, true, false]);
    const v6 = compileFilter({ host: '2001:DB8::1' });
    expect(v6.session(session('2001:db8::1'))).toBe(true);
    expect(v6.session(session('2001:db8::10'))).toBe(false);
    const name = compileFilter({ host: 'protection.outlook' });
    expect(name.session(session('104.47.17.106', ['mail.protection.outlook.com']))).toBe(true);
    expect(name.session(session('104.47.17.106', ['mx.example']))).toBe(false);
  });
});
