// Graceful shutdown as one ordered sequence: stop intake, drain, commit, close producers, close pools.
// Steps run one after another, each logged by name; a second signal or the deadline forces exit 1.
// Only a service's main.ts installs it on the process (installSignalHandlers); tests call run() directly.
import type { Logger } from './logger.ts';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void> | void;
}

export type ShutdownState = 'idle' | 'running' | 'done';

export interface ShutdownOptions {
  logger: Logger;
  /** Whole-sequence deadline before a forced exit. @default 30000 */
  deadlineMs?: number;
  /** Called with the exit code when the sequence ends or is forced. */
  exit: (code: number) => void;
}

export class Shutdown {
  #steps: ShutdownStep[] = [];
  #state: ShutdownState = 'idle';
  readonly #options: ShutdownOptions;

  constructor(options: ShutdownOptions) {
    this.#options = options;
  }

  get state(): ShutdownState {
    return this.#state;
  }

  /** Adds a step; steps run in the order they were added. */
  add(name: string, run: ShutdownStep['run']): this {
    this.#steps.push({ name, run });
    return this;
  }

  /**
   * Runs every step in order. A failing step is logged and the sequence goes on (a broken pool must not
   * keep offsets from being committed), but the exit code becomes 1. Called again while running, it forces exit 1.
   */
  async run(reason: string): Promise<void> {
    const { logger, exit } = this.#options;
    if (this.#state === 'running') {
      logger.warn({ reason }, 'second shutdown request: forcing exit');
      exit(1);
      return;
    }
    if (this.#state === 'done') return;
    this.#state = 'running';
    const deadlineMs = this.#options.deadlineMs ?? 30_000;
    const timer = setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed: forcing exit');
      exit(1);
    }, deadlineMs);
    timer.unref();
    logger.info({ reason }, 'shutting down');
    let code = 0;
    for (const step of this.#steps) {
      const started = performance.now();
      try {
        await step.run();
        logger.info({ step: step.name, ms: Math.round(performance.now() - started) }, 'shutdown step done');
      } catch (err) {
        code = 1;
        logger.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
    clearTimeout(timer);
    this.#state = 'done';
    logger.info({ code }, 'shutdown complete');
    exit(code);
  }
}

/** Wires SIGTERM and SIGINT to `shutdown.run`. For main.ts only. */
export function installSignalHandlers(shutdown: Shutdown, target: NodeJS.Process = process): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    target.on(signal, () => {
      void shutdown.run(signal);
    });
  }
}

/**
 * A component's close sequence step by step: `step(name, run)` runs one step, logs it done (or logs its
 * failure and lets the sequence go on, so one broken resource never keeps the next from closing).
 * Messages read `<component> shutdown step done|failed` with the step's name as `step`.
 */
export function shutdownSteps(log: Logger, component: string): (name: string, run: ShutdownStep['run']) => Promise<void> {
  return async (name, run) => {
    try {
      await run();
      log.info({ step: name }, `${component} shutdown step done`);
    } catch (err) {
      log.error({ err, step: name }, `${component} shutdown step failed`);
    }
  };
}
