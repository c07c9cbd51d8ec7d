import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { sleep, type RateLimiter } from './rate-limiter.js';

// The Redis-backed RateLimiter, shared by every worker process that holds the key; `run --once`
// uses the in-process one (rate-limiter.ts).

export interface RedisRateLimiterOptions {
  /** Redis key prefix, e.g. `lr:ratelimit:pubmed`; the window and the pause live under it. */
  key: string;
  perSecond: number;
  /**
   * Length of the sliding window. Slightly above 1 s by default: requests leave here evenly but
   * arrive with network jitter, and NCBI counts arrivals, so N starts in 1.1 s can never look
   * like N+1 in any second at their end.
   */
  windowMs?: number;
  /**
   * A grant whose answer took longer than this to reach the process is stale: Redis stamped it
   * when it decided, but the request leaves only when this process reads the answer, which a busy
   * event loop (another job parsing a page) can delay past the window's margin. Default 50 ms,
   * half the default margin.
   */
  staleMs?: number;
}

/**
 * One Lua call decides atomically for all processes: a ZSET of request starts scored by Redis
 * TIME (one clock for every worker, no skew between hosts). Returns 0 when the start was granted,
 * else how many ms to wait before trying again (the pause left, or until the oldest start leaves
 * the window). ARGV[4], when not empty, is this process's stale grant, given back first.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[4] ~= '' then redis.call('ZREM', KEYS[1], ARGV[4]) end
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window * 2)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/** Sets the shared pause, never shortening one already longer. */
const PENALIZE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 0
`;

export function createRedisRateLimiter(redis: Redis, opts: RedisRateLimiterOptions): RateLimiter {
  const windowKey = `${opts.key}:window`;
  const pauseKey = `${opts.key}:paused`;
  const windowMs = opts.windowMs ?? 1100;
  const staleMs = opts.staleMs ?? 50;
  const owner = randomUUID();
  let seq = 0;
  return {
    async acquire(signal) {
      let stale = '';
      // Twice at most: a process that stays this busy would otherwise never send at all.
      let reasks = 2;
      for (;;) {
        signal?.throwIfAborted();
        const member = `${owner}-${seq++}`;
        const asked = performance.now();
        const wait = Number(await redis.eval(ACQUIRE, 2, windowKey, pauseKey, opts.perSecond, windowMs, member, stale));
        stale = '';
        if (wait === 0) {
          if (performance.now() - asked <= staleMs || reasks-- === 0) return;
          // Give the slot back and ask again, so the stamp others count is when this request leaves.
          stale = member;
          continue;
        }
        // A little jitter so waiting processes do not all retry on the same millisecond.
        await sleep(wait + Math.floor(Math.random() * 15), signal);
      }
    },
    async penalize(ms) {
      await redis.eval(PENALIZE, 1, pauseKey, Math.max(1, Math.ceil(ms)));
    },
  };
}

