import type { Protocol } from '../config/protocol.js';
import type { RateLimiter } from './http/rate-limiter.js';
import type { ApiSourceName, Source } from './types.js';

/** What a process shares with the sources it builds. */
export interface SourceHooks {
  /**
   * A limiter for `source` at `perSecond` shared by every process (workers: Redis); absent, each
   * client keeps its own in-process one.
   */
  limiter?: ((source: ApiSourceName, perSecond: number) => RateLimiter) | undefined;
  /** Called once per upstream HTTP response (status code) or transport error, for /metrics. */
  onResponse?: ((source: ApiSourceName, status: number | 'error') => void) | undefined;
}

/**
 * How workers get their sources: injectable so tests can run the whole queue path against a
 * local HTTP double (`registryProvider` in registry.ts is the real one).
 */
export interface SourceProvider {
  /** `--sources a,b`, or the sources the protocol enables. */
  select(protocol: Protocol, list?: string): ApiSourceName[];
  create(names: ApiSourceName[], hooks: SourceHooks): Source[];
}
