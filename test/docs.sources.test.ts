// The docs say where what they quote comes from, and a reader can look it up: every log row quoted in
// docs/findings.md is in samples/ or in a file the page names, and no page cites a "reference" that is in
// neither the repository nor the package (QA found a starttls-not-offered excerpt that is not in samples/, and
// "§5.2/§5.3 of the reference" in queue-exports.md).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('the docs name their sources', () => {
  it('every log row quoted in docs/findings.md is in samples/ or in a file the page names', () => {
    const page = readFileSync('docs/findings.md', 'utf8');
    const rows = [...page.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].flatMap((m) => m[1]!.split('\n')).filter((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z,/.test(l));
    expect(rows.length).toBeGreaterThan(10);
    const named = [...page.matchAll(/`([\w./-]+\.(?:LOG|log|csv|txt))`/g)].map((m) => m[1]!).filter((p) => existsSync(p) && statSync(p).isFile());
    const texts = [...files('samples'), ...named].map((p) => readFileSync(p, 'utf8'));
    expect(rows.filter((row) => !texts.some((t) => t.includes(row)))).toEqual([]);
  });

  it('no page cites sections of "the reference", which is in neither the repository nor the package', () => {
    const pages = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const cited = pages.flatMap((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .flatMap((line, i) => (/§[\d.]+.*\bof the reference\b/.test(line) ? [`${p}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(cited).toEqual([]);
  });
});
