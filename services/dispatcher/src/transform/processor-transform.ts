// A processor's `transform`, compiled once per config version (with its `transform_headers` flag). A
// stored expression that no longer compiles (saved by an older build, or written to the table by hand)
// does not stop the processor's other work: each of its deliveries fails with the compile error instead,
// dead-lettered with that reason, and the problem is reported with the processor's settings.
import { compileTransform, EvhubErrors, type CompiledTransform } from '@eventyard/evhub';

export type ProcessorTransform =
  | { readonly kind: 'compiled'; readonly compiled: CompiledTransform; readonly headers: boolean }
  | { readonly kind: 'invalid'; readonly code: string; readonly message: string };

/** The processor's transform, or null when it has none. */
export function processorTransformOf(record: { transform?: string | null; transform_headers?: boolean | null }): ProcessorTransform | null {
  const expression = record.transform;
  if (expression === null || expression === undefined || expression === '') return null;
  try {
    return Object.freeze({ kind: 'compiled', compiled: compileTransform(expression, 'transform'), headers: record.transform_headers === true });
  } catch (err) {
    const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : EvhubErrors.EY_INVALID_TRANSFORM.code;
    return Object.freeze({ kind: 'invalid', code, message: err instanceof Error ? err.message : String(err) });
  }
}
