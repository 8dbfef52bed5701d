// Circuit breaker and endpoint health per processor: the state machine, the gate on the delivery path,
// and the board that persists, counts and announces transitions.
export { BreakerBoard } from './breaker-board.ts';
export type { ProcessorStateChange } from '@eventyard/evhub';
export { BreakerGate, failureOf, type BreakerPass } from './breaker-gate.ts';
export { CircuitBreaker, type BreakerEvent } from './circuit-breaker.ts';
