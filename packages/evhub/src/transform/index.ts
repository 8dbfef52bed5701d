/**
 * Processor transforms: JSONata expressions compiled when a processor is saved and run by the
 * dispatcher (and admin's `POST /v1/transforms/test`) with time, depth, sequence and output limits.
 *
 * @example
 * const transform = compileTransform('{"order": id, "total": $sum(items.price), "app": $event.app_id}');
 * const out = await runTransform(transform, Buffer.from('{"id": 7, "items": [{"price": 2}]}'), facts);
 * // out.data: {"order":7,"total":2,"app":"shop"}; with { headers: true } the result is {body, headers}.
 */
export {
  compileTransform,
  DEFAULT_TRANSFORM_LIMITS,
  describeJsonataFailure,
  MAX_TRANSFORM_LENGTH,
  type CompiledTransform,
  type TransformLimits,
} from './compile-transform.ts';
export { MAX_TRANSFORM_HEADERS, runTransform, type RunTransformOptions, type TransformEventFacts, type TransformOutput } from './run-transform.ts';
