/**
 * Time limits on work that cannot be cancelled: the caller stops waiting, the
 * work goes on and its outcome is ignored. One helper for the engine's time
 * budget, the audit write, pin reads, probes and shadow candidates.
 */

export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} took longer than ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Settles as `work` does, or rejects once `ms` have passed: with a DeadlineError naming
 * `late` when it is a description, or with the error `late()` makes.
 */
export async function deadline<T>(work: Promise<T>, ms: number, late: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof late === 'string' ? new DeadlineError(late, ms) : late()), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
