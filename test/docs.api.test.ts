// docs/api.md is the library's contract: every name the package root exports must be in it, or the next export
// added is one nobody can find (a review found 17 types, VERSION and two signatures missing at once).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Names exported by a module's source: its declarations, and what it re-exports (`type *` followed one level). */
function exportedNames(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const names = [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:async )?(?:function\*?|class|interface|type|const|let|enum) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
  for (const m of text.matchAll(/^export\s*\{([^}]*)\}/gm)) {
    for (const part of m[1]!.split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!.trim();
      if (name !== '') names.push(name);
    }
  }
  for (const m of text.matchAll(/^export type \* from '\.\/(.+)\.js';/gm)) names.push(...exportedNames(fileURLToPath(new URL(`../src/${m[1]}.ts`, import.meta.url))));
  return names;
}

/** Every identifier written as code in a Markdown text: fenced blocks and `inline` spans. */
function codeIdentifiers(markdown: string): Set<string> {
  const code: string[] = [];
  const prose = markdown.replace(/^```[^\n]*\n([\s\S]*?)^```/gm, (_, block: string) => {
    code.push(block);
    return '';
  });
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) code.push(m[1]!);
  return new Set(code.flatMap((c) => c.match(/[A-Za-z_$][\w$]*/g) ?? []));
}

describe('docs/api.md', () => {
  const names = exportedNames(fileURLToPath(new URL('../src/index.ts', import.meta.url)));

  it('the list of exports read from src/index.ts holds every value the package root exports', async () => {
    const values = Object.keys(await import('../src/index.js'));
    expect(values.length).toBeGreaterThan(20);
    expect(values.filter((v) => !names.includes(v))).toEqual([]);
  });

  it('names, as code, every export of the package root', () => {
    const documented = codeIdentifiers(readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8'));
    expect(names.length).toBeGreaterThan(60);
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });
});
