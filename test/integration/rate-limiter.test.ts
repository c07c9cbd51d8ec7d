import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { createRedisRateLimiter } from '../../src/sources/http/redis-rate-limiter.js';
import { maxInWindow } from '../helpers/windows.js';

const redisUrl = inject('redisUrl');
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
afterAll(() => redis.quit());

function hammer(key: string, count: number, perSecond: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/limiter-client.ts'), redisUrl, key, String(count), String(perSecond)], { cwd: packageRoot });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`limiter client exited ${code}: ${err}`))));
  });
}

describe('Redis rate limiter', () => {
  it('never lets more than N requests start in any second across processes', async () => {
    const key = `lr-test-${randomUUID()}:ratelimit`;
    const runs = await Promise.all([hammer(key, 5, 3), hammer(key, 5, 3), hammer(key, 5, 3)]);
    const all = runs.flat();
    expect(all).toHaveLength(15);
    expect(maxInWindow(all)).toBeLessThanOrEqual(3);
    // Not starved either: 15 starts at 3 per 1.1 s take about 5 s.
    expect(Math.max(...all) - Math.min(...all)).toBeLessThan(7_000);
  });

  it('stamps a grant that reached a busy process late at the time it is used, not when Redis decided', async () => {
    const key = `lr-test-${randomUUID()}:ratelimit`;
    const limiter = createRedisRateLimiter(redis, { key, perSecond: 3 });
    const granted = limiter.acquire(); // the request is written to Redis before this returns
    const busyUntil = Date.now() + 300;
    while (Date.now() < busyUntil); // another job's CPU work holds the event loop
    await granted;
    const usedAt = Date.now();
    const stamps = (await redis.zrange(`${key}:window`, '0', '-1', 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    // One slot taken, not two: the stale grant was given back.
    expect(stamps).toHaveLength(1);
    expect(usedAt - stamps[0]!).toBeLessThan(100);
  });

  it('pauses every holder of the key after penalize', async () => {
    const key = `lr-test-${randomUUID()}:ratelimit`;
    const a = createRedisRateLimiter(redis, { key, perSecond: 10 });
    const b = createRedisRateLimiter(redis, { key, perSecond: 10 });
    await a.acquire();
    await a.penalize(800);
    await a.penalize(100); // a shorter penalty never shortens the pause
    const t0 = Date.now();
    await b.acquire();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
  });

  it('gives up waiting when the signal aborts', async () => {
    const key = `lr-test-${randomUUID()}:ratelimit`;
    const limiter = createRedisRateLimiter(redis, { key, perSecond: 1 });
    await limiter.acquire();
    await expect(limiter.acquire(AbortSignal.timeout(100))).rejects.toThrow();
  });
});
