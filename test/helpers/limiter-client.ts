// A separate process hammering the shared limiter: prints the start time of each granted request.
import { Redis } from 'ioredis';
import { createRedisRateLimiter } from '../../src/sources/http/redis-rate-limiter.js';

const [url, key, count, perSecond] = process.argv.slice(2) as [string, string, string, string];
const redis = new Redis(url, { maxRetriesPerRequest: null });
const limiter = createRedisRateLimiter(redis, { key, perSecond: Number(perSecond) });
const starts: number[] = [];
await Promise.all(
  Array.from({ length: Number(count) }, async () => {
    await limiter.acquire();
    starts.push(Date.now());
  }),
);
process.stdout.write(JSON.stringify(starts));
await redis.quit();
