// fastify loads ajv and fast-json-stringify (with fast-uri and their schemas) when it builds a server
// unless it is given their factories, although it only calls them for a route that declares a schema.
// No producer route does (its bodies are checked as protobuf messages), so these factories load them on
// first use instead: 3.5–4 MB less heap in every producer process. They are fastify's own dependencies,
// so they are resolved from fastify's directory.
import type { FastifyServerOptions } from 'fastify';
import { createRequire } from 'node:module';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type Factory = (...args: unknown[]) => unknown;

/** For `Fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } })`. */
export function lazySchemaCompilers(): CompilersFactory {
  const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));
  const onFirstUse = (module: string): Factory => {
    let factory: Factory | undefined;
    return (...args) => {
      factory ??= (fromFastify(module) as () => Factory)();
      return factory(...args);
    };
  };
  return {
    buildValidator: onFirstUse('@fastify/ajv-compiler') as CompilersFactory['buildValidator'],
    buildSerializer: onFirstUse('@fastify/fast-json-stringify-compiler') as CompilersFactory['buildSerializer'],
  };
}
