// re2js (RE2 semantics for the filters' `$regex` and JSONata's regex literals) costs about 1 MB of heap
// once loaded, and most processes never compile a pattern: the producer and the admin without regex
// filters, the dispatcher without regex transforms. So it is required on first use, not imported.
import { createRequire } from 'node:module';
import type * as Re2Module from 're2js';
import type { RE2JS } from 're2js';

let loaded: typeof RE2JS | undefined;

/** The RE2JS class, loaded by the first call. */
export function re2(): typeof RE2JS {
  loaded ??= (createRequire(import.meta.url)('re2js') as typeof Re2Module).RE2JS;
  return loaded;
}
