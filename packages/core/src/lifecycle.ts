// The start and close sequence every service's app.ts used to write by hand: a state union, start() and
// close() that are idempotent, a coded error for a call in the wrong state, the health server up first and
// closed late, and close steps run one after another, each logged by name (STYLE.md's shutdown order).
import { EventyardError } from './errors.ts';
import { CoreErrors } from './error-codes.ts';
import { startHealthServer, type HealthServer, type HealthServerOptions } from './health.ts';
import type { Logger } from './logger.ts';
import type { ComponentState } from './service.ts';
import { shutdownSteps, type ShutdownStep } from './shutdown.ts';

/** One named close step; a failing step is logged and the sequence goes on. */
export type CloseStep = readonly [name: string, run: ShutdownStep['run']];

export interface LifecycleOptions {
  /** The component's name, in log lines and errors. */
  name: string;
  logger: Logger;
  /** The /healthz, /readyz, /metrics server, started before anything else so a probe sees the start-up. */
  health: HealthServerOptions;
  /** Starts the component's parts in order, after the health server is up. */
  start: (health: HealthServer) => Promise<void>;
  /** Stop intake, drain, commit, flush and disconnect: the steps that still want /readyz answered. */
  stop: readonly CloseStep[];
  /** What goes after the health server closed (usually the database pool). */
  release?: readonly CloseStep[];
}

export interface Lifecycle {
  readonly state: ComponentState;
  /** The bound health port; 0 before start(). */
  readonly healthPort: number;
  /** Idempotent: a second call returns the first call's promise. After close(): EY_INVALID_STATE. */
  start(): Promise<void>;
  /** Idempotent; waits for a start() in flight, then runs the close steps once. */
  close(): Promise<void>;
}

/** The code of a start() called after close(): a closed component is never restarted, a new one is built. */
export const INVALID_STATE = CoreErrors.EY_INVALID_STATE.code;

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  let state: ComponentState = 'created';
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  let health: HealthServer | undefined;
  const step = shutdownSteps(options.logger, options.name);

  const start = async (): Promise<void> => {
    state = 'starting';
    health = await startHealthServer(options.health);
    await options.start(health);
    // A close() that began while the parts were starting owns the state from here.
    if (closing === undefined) state = 'running';
  };

  const close = async (): Promise<void> => {
    if (starting !== undefined) await starting.catch(() => undefined);
    state = 'draining';
    for (const [name, run] of options.stop) await step(name, run);
    await step('close health server', () => health?.close());
    for (const [name, run] of options.release ?? []) await step(name, run);
    state = 'stopped';
  };

  return {
    get state() {
      return state;
    },
    get healthPort() {
      return health?.port ?? 0;
    },
    start(): Promise<void> {
      if (closing !== undefined) {
        return Promise.reject(
          new EventyardError(CoreErrors.EY_INVALID_STATE, `${options.name} cannot start: it is ${state} (build a new one)`, {
            context: { component: options.name, state },
          }),
        );
      }
      starting ??= start();
      return starting;
    },
    close(): Promise<void> {
      closing ??= close();
      return closing;
    },
  };
}
