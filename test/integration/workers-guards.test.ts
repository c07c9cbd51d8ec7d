// Startup guards that need a Redis server (RELIABILITY_NOTES R8), against the real one. The
// version floor is a parameter, so an impossible one shows the refusal on any server.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { assertRedisVersion, connectRedis, describeRedis, waitReady } from '../../src/queue/connection.js';
import { MINIMUM_REDIS, compareVersions } from '../../src/queue/versions.js';

const url = inject('redisUrl');
const redis = connectRedis(url, 'worker');
afterAll(() => void redis.disconnect());

describe('Redis server version guard', () => {
  it('passes the real server, which is at least 6.2, and returns its version', async () => {
    await waitReady(redis, 5_000);
    const version = await assertRedisVersion(redis, describeRedis(url));
    expect(compareVersions(version, MINIMUM_REDIS)).toBeGreaterThanOrEqual(0);
  });

  it('refuses, in one line naming the server and both versions, when the server is older than required', async () => {
    const refusal = assertRedisVersion(redis, describeRedis(url), '99.0');
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(assertRedisVersion(redis, describeRedis(url), '99.0')).rejects.toThrow(
      /^Redis at 127\.0\.0\.1:\d+ is version \d+\.\d+\.\d+; the workers need Redis 99\.0 or later$/,
    );
  });
});
