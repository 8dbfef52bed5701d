// Every EY_* error code used in the sources is documented in docs/errors.md, so the list cannot fall
// behind the code. Environment variable names (keys of the config schemas) are not error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The .ts files under `dir` that sit in a `src` folder of the repository at `root`. Matched on the path
 * relative to the root: a checkout living under a folder named `src` (~/src/eventyard) must not pull in
 * test files.
 */
function sources(root: string, dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'generated') return [];
    if (statSync(path).isDirectory()) return sources(root, path);
    return path.endsWith('.ts') && relative(root, path).split(sep).includes('src') ? [path] : [];
  });
}

test('only files in src folders of the repository count, wherever the checkout lives', (t) => {
  const outer = mkdtempSync(join(tmpdir(), 'eventyard-codes-'));
  t.after(() => rmSync(outer, { recursive: true, force: true }));
  const root = join(outer, 'src', 'eventyard');
  for (const folder of ['src', 'test']) {
    mkdirSync(join(root, 'packages', 'x', folder), { recursive: true });
    writeFileSync(join(root, 'packages', 'x', folder, 'a.ts'), '');
  }
  assert.deepEqual(sources(root, join(root, 'packages')), [join(root, 'packages', 'x', 'src', 'a.ts')]);
});

test('every EY_ error code in the sources is listed in docs/errors.md', () => {
  const files = ['packages', 'services', 'proto'].flatMap((dir) => sources(ROOT, join(ROOT, dir)));
  const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
  const envNames = new Set([...text.matchAll(/\b(EY_[A-Z0-9_]+)\??:/g)].map((m) => m[1]));
  for (const m of text.matchAll(/\b(?:process\.env\.|env\.)(EY_[A-Z0-9_]+)/g)) envNames.add(m[1]);
  // commander options read from the environment: `.env('EY_…')`.
  for (const m of text.matchAll(/\.env\('(EY_[A-Z0-9_]+)'\)/g)) envNames.add(m[1]);
  const codes = new Set([...text.matchAll(/'(EY_[A-Z0-9_]+)'/g)].map((m) => m[1] ?? '').filter((code) => !envNames.has(code)));
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const missing = [...codes].filter((code) => !doc.includes(`\`${code}\``)).sort();
  assert.deepEqual(missing, [], `add these codes to docs/errors.md: ${missing.join(', ')}`);
});
