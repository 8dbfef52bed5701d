// Route validators compiled on their first request rather than when the server starts. fastify compiles
// every route's JSON schemas with Ajv at start-up, and keeps the Ajv instance and the generated code for
// the life of the process, though most routes of an installation are called rarely or never: an admin
// serves operators and the console, not traffic. Measured in isolation, building the admin's server held
// 15 MB more RSS with every validator compiled, 6-7 MB after one route's first request (which creates the
// Ajv instance), 3 MB with none; bench:idle, which registers one processor, read 2 MB less anonymous RSS. The compiler is fastify's own (@fastify/ajv-compiler, the one it uses
// when given none, with the server's `ajv` options), so a request is validated exactly as before; only
// the moment of compiling moves.
import { createRequire } from 'node:module';
import type { BuildCompilerFromPool } from '@fastify/ajv-compiler';

type Compile = ReturnType<BuildCompilerFromPool>;
type Validate = ReturnType<Compile>;

export interface LazyValidators {
  /** fastify's `schemaController.compilersFactory.buildValidator`. */
  readonly buildValidator: BuildCompilerFromPool;
  /** Compiles every validator not compiled yet and returns how many there are: a start-up check, for tests. */
  compileAll(): number;
}

/**
 * Each route's validator is a stub that compiles the real one on its first call and then delegates to
 * it, its `errors` included.
 */
export function lazyValidators(): LazyValidators {
  // Required with the first compile, like the validators themselves (fastify requires it only when it
  // is given no builder).
  let pool: BuildCompilerFromPool | undefined;
  const compilers: Array<() => Validate> = [];
  const buildValidator: BuildCompilerFromPool = (externalSchemas, options) => {
    let compiler: Compile | undefined;
    return (route) => {
      let validate: Validate | undefined;
      const compiled = (): Validate => {
        if (validate !== undefined) return validate;
        pool ??= (createRequire(import.meta.url)('@fastify/ajv-compiler') as () => BuildCompilerFromPool)();
        compiler ??= pool(externalSchemas, options);
        validate = compiler(route);
        return validate;
      };
      compilers.push(compiled);
      // fastify calls the function and then reads its `errors`; Ajv's other members (its schema, source)
      // are not read, so the stub has none.
      const stub = ((data: unknown) => compiled()(data)) as Validate;
      Object.defineProperty(stub, 'errors', { get: () => validate?.errors });
      return stub;
    };
  };
  return {
    buildValidator,
    compileAll() {
      for (const compile of compilers) compile();
      return compilers.length;
    },
  };
}
