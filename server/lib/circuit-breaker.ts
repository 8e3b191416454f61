/**
 * A small circuit breaker: closed → (N consecutive failures) → open →
 * (reset timeout) → half-open, where exactly one probe call is let through;
 * its success closes the breaker, its failure opens it again.
 *
 * Written here rather than taken from opossum: opossum wraps the call itself
 * (its own timeout, fallback and event machinery), whereas the audit sink
 * needs to ask "may I try the database now?" and to report the outcome of a
 * group-committed write it does not own. That is a few dozen lines of state.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. @defaultValue 3 */
  failureThreshold: number;
  /** Time spent open before one probe is allowed (half-open), in ms. */
  resetTimeoutMs: number;
  /** Clock (tests). @defaultValue Date.now */
  now?: () => number;
  /** Called on every transition, after the state has changed. */
  onStateChange?: (to: BreakerState, from: BreakerState) => void;
}

export interface BreakerSnapshot {
  state: BreakerState;
  consecutive_failures: number;
  /** When the breaker last opened (ms since epoch), or null. */
  opened_at: number | null;
}

export interface CircuitBreaker {
  /** The current state; an open breaker whose timeout has passed reads as half-open. */
  readonly state: BreakerState;
  /**
   * May a call go to the protected resource now? Always when closed; never
   * when open; when half-open, only the first caller (the probe) until it reports.
   */
  tryAcquire(): boolean;
  recordSuccess(): void;
  recordFailure(): void;
  /** Milliseconds until an open breaker lets a probe through (0 unless open). */
  msUntilProbe(): number;
  snapshot(): BreakerSnapshot;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const threshold = Math.max(1, options.failureThreshold);
  const now = options.now ?? Date.now;
  let state: BreakerState = 'closed';
  let failures = 0;
  let openedAt: number | null = null;
  let probeSince: number | null = null;

  function move(to: BreakerState): void {
    const from = state;
    if (from === to) return;
    state = to;
    options.onStateChange?.(to, from);
  }

  function open(): void {
    openedAt = now();
    probeSince = null;
    move('open');
  }

  /** Open → half-open once the timeout has passed: evaluated lazily, so no timer is needed. */
  function current(): BreakerState {
    if (state === 'open' && openedAt !== null && now() - openedAt >= options.resetTimeoutMs) move('half-open');
    return state;
  }

  return {
    get state() {
      return current();
    },

    tryAcquire() {
      const s = current();
      if (s === 'closed') return true;
      if (s === 'open') return false;
      // A probe that never reported (lost promise) must not wedge the breaker half-open for good.
      const stale = probeSince !== null && now() - probeSince >= options.resetTimeoutMs;
      if (probeSince !== null && !stale) return false;
      probeSince = now();
      return true;
    },

    recordSuccess() {
      const s = current();
      failures = 0;
      // Late successes of calls let through before the breaker opened prove little: only a
      // success while half-open (the probe, or any call still allowed) closes it.
      if (s === 'half-open') {
        probeSince = null;
        openedAt = null;
        move('closed');
      }
    },

    recordFailure() {
      const s = current();
      if (s === 'open') return;
      if (s === 'half-open') {
        open();
        return;
      }
      failures += 1;
      if (failures >= threshold) open();
    },

    msUntilProbe() {
      if (current() !== 'open' || openedAt === null) return 0;
      return Math.max(0, openedAt + options.resetTimeoutMs - now());
    },

    snapshot() {
      return { state: current(), consecutive_failures: failures, opened_at: openedAt };
    },
  };
}
