import { UnrecoverableError } from 'bullmq';

/**
 * Errors are typed by what the caller can do about them, not by where they came from.
 *
 * - `PermanentError`: retrying will not help (bad query, bad input, 4xx). Extends BullMQ's
 *   `UnrecoverableError` so a job fails at once instead of burning its attempts.
 * - `RetryableError`: a transient fault (5xx, timeout, reset, truncated body); retry with backoff.
 * - `RateLimitedError`: the upstream asked us to slow down; `retryAfterMs` says for how long.
 * - `ConfigError`: configuration is invalid; names the file and field. Permanent.
 */
export class PermanentError extends UnrecoverableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'PermanentError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export class ConfigError extends PermanentError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export class RetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

export class RateLimitedError extends RetryableError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RateLimitedError';
  }
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown), { cause: thrown });
}

/** One line for stderr and run rows: no stack, no newlines. */
export function oneLine(err: unknown): string {
  return coerceError(err).message.replace(/\s+/g, ' ').trim();
}

/**
 * Log fields for an error: its one line, and for an unexpected error (a bug, not one of the kinds
 * above, whose message says all there is) its stack too, which is what finding the bug needs.
 */
export function errorFields(thrown: unknown): { err: string; stack?: string } {
  // Something thrown that is no Error has no stack of its own.
  const expected = !(thrown instanceof Error) || thrown instanceof PermanentError || thrown instanceof RetryableError;
  return expected || !thrown.stack ? { err: oneLine(thrown) } : { err: oneLine(thrown), stack: thrown.stack };
}
