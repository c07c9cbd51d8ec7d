import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors.js';

export type RedisRole = 'worker' | 'producer' | 'probe';

/**
 * Connection settings by role (BullMQ "connections" guide):
 * - worker: `maxRetriesPerRequest: null`, so a Redis blip never kills the blocking loop;
 * - producer: `enableOfflineQueue: false`, so `add()` fails fast instead of hanging while Redis is down;
 * - probe (status, health): one short try, no reconnect storm, never hangs a command.
 */
export function redisOptions(role: RedisRole, extra: RedisOptions = {}): RedisOptions {
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : role === 'producer'
        ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 5_000 }
        : { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1_500, lazyConnect: true };
  return { ...base, ...extra };
}

export function connectRedis(url: string, role: RedisRole, extra?: RedisOptions): Redis {
  const redis = new Redis(url, redisOptions(role, extra));
  // Errors surface through the commands that fail; an unhandled 'error' event would crash the process.
  redis.on('error', () => {});
  return redis;
}

/** Resolves once the client is ready, or rejects after `ms`. */
export async function waitReady(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') void redis.connect().catch(() => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`Redis did not answer within ${ms} ms`)), ms);
    const onReady = () => done();
    function done(err?: Error) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    }
    redis.on('ready', onReady);
  });
}

/**
 * BullMQ only logs a warning on another eviction policy; evicted job keys silently lose work, so
 * the worker refuses to start. Read from INFO, which managed Redis services allow where CONFIG is not.
 */
export async function assertNoEviction(redis: Redis, where: string): Promise<void> {
  const info = await redis.info('memory');
  const policy = /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
  if (policy !== 'noeviction') {
    throw new ConfigError(
      `Redis at ${where} has maxmemory-policy ${policy ?? 'unknown'}; BullMQ needs noeviction (set maxmemory-policy noeviction)`,
    );
  }
}

/** host:port of a Redis URL, for messages (never the password). */
export function describeRedis(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}`;
}
