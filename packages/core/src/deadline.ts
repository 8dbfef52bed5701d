// One way to wait for work under a deadline: the work's result, or the caller's error once the deadline
// passed first. The work itself goes on (a kafkajs send cannot be cancelled; a caller that can cancel does
// so in `onTimeout`), and its late failure is not left as an unhandled rejection.

/** `work`'s result, or the error `onTimeout` returns (and may act on) when `ms` passes first. */
export async function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
