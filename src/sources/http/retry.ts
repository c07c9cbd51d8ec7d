// Bounded retries with exponential backoff and full jitter; Retry-After from the server wins.
import { RateLimitedError, RetryableError } from '../../errors.js';
import { sleep } from './rate-limiter.js';

export interface RetryPolicy {
  /** Total attempts including the first. Default 8. */
  maxAttempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, or attempts run out; then throws
 * RetryableError carrying the last cause. `onRetry` is told before each wait.
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  onRetry: (err: RetryableError, delayMs: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  let last: RetryableError | undefined;
  for (let n = 1; n <= policy.maxAttempts; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableError) || signal?.aborted) throw err;
      last = err;
      if (n === policy.maxAttempts) break;
      const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const jitter = Math.random() * cap;
      const delay = err instanceof RateLimitedError ? Math.max(err.retryAfterMs, jitter) : jitter;
      onRetry(err, delay);
      await sleep(delay, signal);
    }
  }
  throw new RetryableError(`${what} failed after ${policy.maxAttempts} attempts: ${last?.message}`, {
    cause: last,
  });
}

/** Retry-After as milliseconds: delta-seconds or an HTTP-date; undefined when absent or bad. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

