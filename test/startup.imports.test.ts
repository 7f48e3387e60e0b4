/**
 * Start-up cost is paid by every run (bench: logscan on 64 KiB). The queue readers' packages (date-fns, csv-parse)
 * add about 0.03 s to it, so a run over protocol logs alone must not load them: they are imported only where a
 * queue export is met (`import()` in scan.ts) or a date option is parsed (cli.ts). This follows the static
 * imports from the CLI's entry point, as Node loads them before anything runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Static `import … from` / `export … from` specifiers of a module; type-only ones are erased by the compiler. */
function staticImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^(?:import|export)\s+(type\s+)?[^;'"]*?from\s+'([^']+)';/gm)) if (m[1] === undefined) out.push(m[2]!);
  for (const m of source.matchAll(/^import\s+'([^']+)';/gm)) out.push(m[1]!);
  return out;
}

function packagesLoadedAtStart(...entries: string[]): { packages: Set<string>; modules: number } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const todo = entries.map((entry) => resolve(entry));
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of staticImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) todo.push(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  }
  return { packages, modules: seen.size };
}

describe('start-up imports', () => {
  it('bin.ts loads only Node built-ins and the version check before it checks the Node version', () => {
    const bin = readFileSync('src/bin.ts', 'utf8');
    expect(staticImports(bin).filter((spec) => !spec.startsWith('node:'))).toEqual(['./node-version.js']);
    expect(staticImports(readFileSync('src/node-version.ts', 'utf8'))).toEqual([]);
    // The CLI itself comes with import(), once the version is known to be supported.
    expect(bin).toMatch(/await import\('\.\/cli\.js'\)/);
  });

  it('the CLI loads neither date-fns nor csv-parse before it meets a queue export', () => {
    // bin.ts, and cli.ts, which bin.ts imports at once after its version check.
    const { packages, modules } = packagesLoadedAtStart('src/bin.ts', 'src/cli.ts');
    // The walk did reach the pipeline (reader, sessions, report, outputs), not only the entry file.
    expect(modules).toBeGreaterThan(20);
    expect([...packages].filter((p) => p.startsWith('date-fns') || p.startsWith('csv-parse'))).toEqual([]);
  });

  it('the walk sees a package a module imports statically (the queue readers load both)', () => {
    const { packages } = packagesLoadedAtStart('src/read/queue/index.ts');
    expect([...packages].some((p) => p.startsWith('date-fns'))).toBe(true);
    expect([...packages].some((p) => p.startsWith('csv-parse'))).toBe(true);
  });
});
