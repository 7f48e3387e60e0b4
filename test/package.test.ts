// What `npm install logscan` gets: the built code with its types and the sources its maps point to, the licence,
// the docs the README links to (read on npmjs.com, the README's relative links resolve inside the package), and
// the sample logs the README's Quick start runs on.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Packed {
  files: Array<{ path: string; size: number }>;
  unpackedSize: number;
}

function packed(): Packed {
  // --ignore-scripts: the list only, no build (the test run has built dist/ already).
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Packed[])[0]!;
}

describe('the npm package', () => {
  const pkg = packed();
  const paths = new Set(pkg.files.map((f) => f.path));

  it('holds the entry points, their types, the CLI, the licence and the sources the source maps name', () => {
    for (const p of ['dist/index.js', 'dist/index.d.ts', 'dist/bin.js', 'dist/worker.js', 'dist/types.d.ts', 'LICENSE', 'README.md', 'package.json']) {
      expect(paths.has(p), p).toBe(true);
    }
    for (const map of [...paths].filter((p) => p.endsWith('.js.map'))) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const resolved = new URL(source, `file:///pkg/${map}`).pathname.slice('/pkg/'.length);
        expect(paths.has(resolved), `${map} → ${resolved}`).toBe(true);
      }
    }
  });

  it('holds every file the README and the packed docs link to or show, and no tests, bench data or screenshot', () => {
    // A link or image of the README or of a packed docs/*.md page that is not in the package is broken on npmjs.com
    // and in node_modules (the 1.2 MB screenshot was shown by both, and left out).
    const pages = ['README.md', ...[...paths].filter((p) => /^docs\/[^/]+\.md$/.test(p))];
    const broken: string[] = [];
    let links = 0;
    for (const page of pages) {
      const text = readFileSync(page, 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(m[1]!)) continue;
        links++;
        const target = new URL(m[1]!, `file:///pkg/${page}`).pathname.slice('/pkg/'.length);
        if (!paths.has(target)) broken.push(`${page} → ${m[1]!}`);
      }
    }
    expect(links).toBeGreaterThan(20);
    expect(broken).toEqual([]);
    expect([...paths].filter((p) => /^(test|bench|scripts)\//.test(p) || p.endsWith('.png'))).toEqual([]);
    // The report's JSON Schema is the contract of the JSON output: a consumer can load it by name.
    expect(paths.has('docs/report.schema.json')).toBe(true);
    const schema = createRequire(import.meta.url)('logscan/report.schema.json') as { $id?: string; properties?: object };
    expect(schema.properties).toHaveProperty('groups');
    // A package, not a data set: well under the size of one bench log.
    expect(pkg.unpackedSize).toBeLessThan(4 * 1024 * 1024);
  });

  it("holds what the README's Quick start runs logscan on: every sample log, small enough to ship", () => {
    const readme = readFileSync('README.md', 'utf8');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1));
    const args = [...quickStart.matchAll(/^npx logscan (\S+)/gm)].map((m) => m[1]!);
    // The installed package's form is shown, and every path named (installed or in a clone) is in the package.
    expect(args.some((a) => a.startsWith('node_modules/logscan/')), args.join(' ')).toBe(true);
    for (const arg of args) {
      const inPackage = arg.replace(/^node_modules\/logscan\//, '');
      expect([...paths].some((p) => p === inPackage || p.startsWith(inPackage.endsWith('/') ? inPackage : `${inPackage}/`)), arg).toBe(true);
    }
    const samples = (readdirSync('samples', { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile())
      .map((e) => relative('.', join(e.parentPath, e.name)).split(sep).join('/'));
    expect(samples.length).toBeGreaterThan(5);
    expect(samples.filter((p) => !paths.has(p))).toEqual([]);
    const size = pkg.files.filter((f) => f.path.startsWith('samples/')).reduce((n, f) => n + f.size, 0);
    expect(size).toBeLessThan(300 * 1024);
  });

  it("leaves no untracked file behind: git ignores npm pack's tarball", () => {
    const { name, version } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
    // Exit code 0: ignored; 1: not ignored.
    const r = spawnSync('git', ['check-ignore', '--quiet', '--no-index', `${name}-${version}.tgz`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
