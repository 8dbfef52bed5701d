// Circuit breaker and endpoint health per processor: the state machine, the gate on the delivery path,
// and the board that persists, counts and announces transitions.
export { BreakerBoard, wallClock, type BreakerBoardOptions, type ProcessorStateChange } from './breaker-board.ts';
export { BreakerGate, failureOf, type BreakerPass } from './breaker-gate.ts';
export { BreakerStates, CircuitBreaker, tripReason, type Admission, type BreakerEvent, type BreakerSnapshot, type BreakerState } from './circuit-breaker.ts';
