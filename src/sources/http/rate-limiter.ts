// Process-wide politeness for an API: at most N request starts in ANY 1000 ms interval (a strict
// sliding window, not a token bucket, so bursts at a second boundary cannot double the rate).

/**
 * What a source calls before each upstream request. In-process here for `run --once`; shared by
 * every worker process through Redis in redis-rate-limiter.ts.
 */
export interface RateLimiter {
  /** Resolves when this process may start one request. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** The upstream said slow down (429): every holder of the key waits at least `ms`. */
  penalize(ms: number): Promise<void>;
}

export interface RateLimiterOptions {
  perSecond: number;
  /**
   * Extra spacing on top of the 1000 ms window, so that network and event-loop jitter cannot make
   * the server see N+1 arrivals within one second. Default 50 ms.
   */
  marginMs?: number;
}

export function createRateLimiter({ perSecond, marginMs = 50 }: RateLimiterOptions): RateLimiter {
  if (!(perSecond >= 1)) throw new RangeError(`perSecond must be >= 1, got ${perSecond}`);
  const windowMs = 1000 + marginMs;
  const starts: number[] = []; // ring of the last `perSecond` start times
  let queue: Promise<void> = Promise.resolve();
  let pausedUntil = 0;

  async function waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      if (now < pausedUntil) {
        await sleep(pausedUntil - now, signal);
        continue;
      }
      while (starts.length > 0 && now - starts[0]! >= windowMs) starts.shift();
      if (starts.length < perSecond) {
        starts.push(now);
        return;
      }
      await sleep(starts[0]! + windowMs - now, signal);
    }
  }

  return {
    async penalize(ms) {
      pausedUntil = Math.max(pausedUntil, performance.now() + ms);
    },
    acquire(signal) {
      // callers are served one at a time, in arrival order
      const turn = queue.then(() => waitTurn(signal));
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
}

const shared = new Map<string, RateLimiter>();

/** One limiter per base URL and rate, shared by every client of the process. */
export function sharedRateLimiter(baseUrl: string, perSecond: number): RateLimiter {
  const key = `${baseUrl}|${perSecond}`;
  let limiter = shared.get(key);
  if (!limiter) {
    limiter = createRateLimiter({ perSecond });
    shared.set(key, limiter);
  }
  return limiter;
}

/** setTimeout as a promise that rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
