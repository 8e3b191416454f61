import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, type BreakerState } from '../../../server/lib/circuit-breaker.js';

/** A breaker on a hand-driven clock, recording its transitions. */
function breaker(failureThreshold = 3, resetTimeoutMs = 1_000) {
  let now = 0;
  const transitions: string[] = [];
  const b = createCircuitBreaker({
    failureThreshold,
    resetTimeoutMs,
    now: () => now,
    onStateChange: (to: BreakerState, from: BreakerState) => transitions.push(`${from}→${to}`),
  });
  return { b, transitions, advance: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { b } = breaker();
    b.recordFailure();
    b.recordFailure();
    expect(b.state).toBe('closed');
    b.recordSuccess();
    b.recordFailure();
    b.recordFailure();
    expect(b.state).toBe('closed');
    expect(b.snapshot().consecutive_failures).toBe(2);
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after 3 consecutive failures and refuses calls while open', () => {
    const { b, transitions, advance } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
    advance(400);
    expect(b.tryAcquire()).toBe(false);
    expect(b.msUntilProbe()).toBe(600);
    expect(transitions).toEqual(['closed→open']);
  });

  it('honours a configured threshold', () => {
    const one = breaker(1).b;
    one.recordFailure();
    expect(one.state).toBe('open');
    const five = breaker(5).b;
    for (let i = 0; i < 4; i++) five.recordFailure();
    expect(five.state).toBe('closed');
    five.recordFailure();
    expect(five.state).toBe('open');
  });

  it('goes half-open after the reset timeout and lets exactly one probe through', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    advance(1_000);
    expect(b.state).toBe('half-open');
    expect(b.msUntilProbe()).toBe(0);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect(b.tryAcquire()).toBe(false);
  });

  it('closes when the probe succeeds', () => {
    const { b, transitions, advance } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.recordSuccess();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
    expect(b.snapshot()).toEqual({ state: 'closed', consecutive_failures: 0, opened_at: null });
    expect(transitions).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
  });

  it('opens again, for a full timeout, when the probe fails', () => {
    const { b, transitions, advance } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    b.recordFailure();
    expect(b.state).toBe('open');
    advance(999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
    expect(transitions).toEqual(['closed→open', 'open→half-open', 'half-open→open', 'open→half-open']);
  });

  it('ignores late successes of calls let through before it opened', () => {
    const { b } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    b.recordSuccess();
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBe(false);
  });

  it('lets another probe through when the first never reported', () => {
    const { b, advance } = breaker();
    for (let i = 0; i < 3; i++) b.recordFailure();
    advance(1_000);
    expect(b.tryAcquire()).toBe(true);
    advance(999);
    expect(b.tryAcquire()).toBe(false);
    advance(1);
    expect(b.tryAcquire()).toBe(true);
  });
});
