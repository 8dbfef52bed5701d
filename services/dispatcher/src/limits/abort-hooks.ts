// Abort callbacks for the many waits that share one AbortSignal (a processor consumer's): a limiter
// wait, a sleep, an in-flight Dispatch call per delivery. Node's EventTarget walks its listener list on
// every addEventListener/removeEventListener, so with thousands of deliveries waiting each call cost
// O(waiting) — 6 % of the dispatcher's CPU under load (bench/e2e profile). One real listener per signal
// over a Set makes both O(1).

const hooks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `fn` once when `signal` aborts; returns the function that unregisters it. The caller checks
 * `signal.aborted` first: on an already aborted signal `fn` never runs.
 */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let callbacks = hooks.get(signal);
  if (callbacks === undefined) {
    const created = new Set<() => void>();
    callbacks = created;
    hooks.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        const due = [...created];
        created.clear();
        for (const callback of due) callback();
      },
      { once: true },
    );
  }
  const registered = callbacks;
  // A fresh wrapper per registration, so registering the same function twice gives two independent hooks.
  const hook = (): void => fn();
  registered.add(hook);
  return () => void registered.delete(hook);
}

/**
 * Aborts `controller` with the signal's reason when `signal` aborts (at once when it has); returns the
 * function that unhooks it. The way to tie a short-lived controller to a long-lived signal: the hook is
 * removed after use, where `AbortSignal.any` keeps every combined signal reachable from the long-lived one.
 */
export function abortWith(controller: AbortController, signal: AbortSignal): () => void {
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => {};
  }
  return onAbort(signal, () => controller.abort(signal.reason));
}
