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
  const message =
    'a service is never imported by another service or a package (services talk only over Kafka and Postgres): move what is shared into a package such as @eventyard/evhub';
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
  ...tseslint.configs.recommendedTypeChecked,
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
      // Off: an async function without await is how we implement the promise-returning callbacks of
      // kafkajs (eachMessage, eachBatch), fastify (hooks and handlers, which fastify tells from callback
      // style by the promise they return) and Dispatch handlers, and it turns a synchronous throw into a
      // rejection the caller handles. The unawaited-promise bugs are no-floating-promises' and
      // no-misused-promises' job, and both stay on.
      '@typescript-eslint/require-await': 'off',
      // Off: every finding was a JSON or protobuf value typed `unknown` that a null check narrowed to
      // `{}`, rendered with String() on purpose in a message or a CLI table; restrict-template-expressions
      // still refuses objects in template literals.
      '@typescript-eslint/no-base-to-string': 'off',
      ...restrictedImports(),
    },
  },
  ...SERVICES.map((name) => ({
    files: [`services/${name}/**/*.ts`],
    rules: restrictedImports(...servicePatterns(SERVICES.filter((other) => other !== name))),
  })),
  {
    // Tests read JSON from HTTP answers, CLI output and Kafka records as `any` and assert on its shape
    // field by field: typing each answer first would add casts, not safety (the assertions are the check).
    files: ['**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // knex has no row types: `(await knex('t')…) as Row[]` is what gives a query's generic result its
    // type, and the rule reports each such assertion ("type arguments … may be inferred from the
    // assertion"). Where code queries knex directly (the db package, tests and benches), it is off.
    files: ['packages/db/src/**/*.ts', '**/test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    // test/ and bench/ drive whole stacks and may start services; packages and the contract may not.
    files: ['packages/**/*.ts', 'proto/**/*.ts'],
    rules: restrictedImports(...servicePatterns(SERVICES)),
  },
  // The config itself and the two .mjs files are outside every tsconfig: no type information there.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // The admin's web console: modules that run in the browser (served as they are, no build step).
    files: ['services/admin/ui/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'navigator',
          'sessionStorage',
          'fetch',
          'AbortController',
          'FormData',
          'URLSearchParams',
          'TextDecoderStream',
          'addEventListener',
          'removeEventListener',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
