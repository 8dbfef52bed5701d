// One error catalogue (STYLE.md, Errors): every EY_* code is a row of its package's table, docs/errors.md
// is generated from the tables, and no source outside a table spells a code as a string literal, so codes,
// statuses and the doc cannot drift apart again. Environment variable names (keys of the config schemas,
// `process.env.EY_…`) are not error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { DOC_PATH, TABLES, withTables } from '../../scripts/errors-doc.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** A table file: the one place a package spells its codes. */
const TABLE_FILES = new Set(TABLES.map((t) => t.file));

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

interface Source {
  /** Relative to the repository root, with forward slashes. */
  file: string;
  text: string;
}

function repositorySources(): Source[] {
  return ['packages', 'services', 'proto']
    .flatMap((dir) => sources(ROOT, join(ROOT, dir)))
    .map((path) => ({ file: relative(ROOT, path).split(sep).join('/'), text: readFileSync(path, 'utf8') }));
}

/** Names of environment variables: schema keys (`EY_X:`), `env.EY_X`, commander's `.env('EY_X')`. */
function envNames(sourcesOutsideTables: Source[]): Set<string> {
  const text = sourcesOutsideTables.map((s) => s.text).join('\n');
  const names = new Set([...text.matchAll(/\b(EY_[A-Z0-9_]+)\??:/g)].map((m) => m[1] ?? ''));
  for (const m of text.matchAll(/\b(?:process\.env\.|env\.)(EY_[A-Z0-9_]+)/g)) names.add(m[1] ?? '');
  for (const m of text.matchAll(/\.env\('(EY_[A-Z0-9_]+)'\)/g)) names.add(m[1] ?? '');
  return names;
}

/** String literals that are exactly an EY_* name, per file: `'EY_X'`, `"EY_X"` or `` `EY_X` ``. */
function literalCodes(source: Source, env: Set<string>): string[] {
  return [...source.text.matchAll(/(['"`])(EY_[A-Z0-9_]+)\1/g)].map((m) => m[2] ?? '').filter((name) => !env.has(name));
}

const tableCodes = new Map(TABLES.flatMap(({ file, table }) => Object.keys(table).map((code) => [code, file] as const)));
const doc = readFileSync(DOC_PATH, 'utf8');

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

test('each code is a row of exactly one table, carrying its own code', () => {
  const seen = new Map<string, string>();
  for (const { file, table } of TABLES) {
    for (const [key, spec] of Object.entries(table)) {
      assert.equal(spec.code, key, `${file}: ${key}`);
      assert.match(key, /^EY_[A-Z0-9_]+$/);
      assert.equal(seen.get(key), undefined, `${key} is in both ${seen.get(key)} and ${file}`);
      seen.set(key, file);
    }
  }
});

test('docs/errors.md lists every table row exactly as the table says (pnpm run docs:errors)', () => {
  const expected = withTables(doc).split('\n');
  const actual = doc.split('\n');
  const differing = [
    ...expected.filter((line) => !actual.includes(line)).map((line) => `missing: ${line}`),
    ...actual.filter((line) => !expected.includes(line)).map((line) => `stale:   ${line}`),
  ];
  assert.deepEqual(differing, [], 'docs/errors.md differs from the error tables: run `pnpm run docs:errors`');
  assert.equal(doc, expected.join('\n'), 'docs/errors.md has the tables’ rows in another order: run `pnpm run docs:errors`');
});

test('every table is a src/error-codes.ts of its package, the only file that spells its codes', () => {
  for (const file of TABLE_FILES) assert.match(file, /^(proto|packages\/[^/]+|services\/[^/]+)\/src\/error-codes\.ts$/);
  const found = repositorySources().filter((s) => /export const \w+Errors = defineErrorCodes\(/.test(s.text));
  assert.deepEqual(found.map((s) => s.file).sort(), [...TABLE_FILES].sort(), 'a table not listed in scripts/errors-doc.ts TABLES');
});

test('no source outside the tables spells an error code as a string literal', () => {
  const outside = repositorySources().filter((s) => !TABLE_FILES.has(s.file));
  const env = envNames(outside);
  const offenders = outside.flatMap((s) =>
    literalCodes(s, env).map(
      (code) => `${s.file}: '${code}'${tableCodes.has(code) ? ` (use ${tableCodes.get(code)})` : ' (add it to the package’s error table)'}`,
    ),
  );
  assert.deepEqual(offenders, [], 'build errors from table rows and compare with `Table.EY_X.code`');
});

test('docs/errors.md lists no code outside the tables', () => {
  const documented = new Set([...doc.matchAll(/^\| `(EY_[A-Z0-9_]+)` \|/gm)].map((m) => m[1] ?? ''));
  const stale = [...documented].filter((code) => !tableCodes.has(code)).sort();
  assert.deepEqual(stale, [], `docs/errors.md lists codes that are in no table: ${stale.join(', ')}`);
});

test('every table row is used outside its table (a code nothing raises is removed, not kept)', () => {
  const text = repositorySources()
    .filter((s) => !TABLE_FILES.has(s.file))
    .map((s) => s.text)
    .join('\n');
  const unused = [...tableCodes].filter(([code]) => !new RegExp(`\\.${code}\\b`).test(text)).map(([code, file]) => `${file}: ${code}`);
  assert.deepEqual(unused, [], 'rows no source refers to as `Table.EY_X`');
});
