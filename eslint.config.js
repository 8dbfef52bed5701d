// One lint tool for the whole workspace. Type-aware rules are on because unawaited promises are the
// main bug class in Kafka and gRPC code (STYLE.md); deep imports into another package are refused, and so
// is any import of one service from another service or from a package: services talk only over Kafka and
// Postgres, and what two of them share lives in a package (@eventyard/evhub, core, db).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = ['admin', 'producer', 'router', 'dispatcher', 'delay-scheduler'];
const DEEP_IMPORTS = { group: ['@eventyard/*/src/*', '**/packages/*/src/*'], message: 'import the package through its exports map' };

/** Patterns refusing the given services, by package name (any subpath) or by a relative path into their folder. */
function servicePatterns(names) {
  const alternatives = names.join('|');
  const message = 'a service is never imported by another service or a package (services talk only over Kafka and Postgres): move what is shared into a package such as @eventyard/evhub';
  return [
    { regex: `^@eventyard/(${alternatives})(/.*)?$`, message },
    // From services/<x>/src/…: ../../<other>/…; from packages/<x>/…: ../../../services/<other>/….
    { regex: `^(\\.\\./)+(services/)?(${alternatives})(/|$)`, message },
  ];
}

const restrictedImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS, ...patterns] }] });

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'helm/**', 'deploy/**', '**/generated/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      ...restrictedImports(),
    },
  },
  ...SERVICES.map((name) => ({
    files: [`services/${name}/**/*.ts`],
    rules: restrictedImports(...servicePatterns(SERVICES.filter((other) => other !== name))),
  })),
  {
    // test/ and bench/ drive whole stacks and may start services; packages and the contract may not.
    files: ['packages/**/*.ts', 'proto/**/*.ts'],
    rules: restrictedImports(...servicePatterns(SERVICES)),
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The admin's web console: modules that run in the browser (served as they are, no build step).
    files: ['services/admin/ui/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'history', 'navigator', 'sessionStorage', 'fetch', 'AbortController', 'FormData', 'URLSearchParams', 'TextDecoderStream', 'addEventListener', 'removeEventListener', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
