import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../errors.js';
import { MINIMUM_REDIS, atLeast } from './versions.js';

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

/**
 * Refuses a server older than `minimum` (from INFO server; Valkey reports a compatible
 * `redis_version` too). The minimum is a parameter so the check can be tested on any server.
 */
export async function assertRedisVersion(redis: Redis, where: string, minimum: string = MINIMUM_REDIS): Promise<string> {
  const info = await redis.info('server');
  const version = /^redis_version:(\S+)/m.exec(info)?.[1];
  if (!atLeast(version, minimum)) {
    throw new ConfigError(`Redis at ${where} is version ${version ?? 'unknown'}; the workers need Redis ${minimum} or later`);
  }
  return version!;
}

/**
 * A worker connection must retry forever (`maxRetriesPerRequest: null`): with ioredis's default
 * of 20, a Redis blip rejects the blocking command and the worker loop stops for good (Bull
 * #1426, #1972). `connectRedis(url, 'worker')` sets it; this catches a connection built otherwise.
 */
export function assertWorkerConnection(redis: Redis): void {
  const value = redis.options.maxRetriesPerRequest;
  if (value !== null) {
    throw new ConfigError(`the worker's Redis connection has maxRetriesPerRequest ${String(value)}; BullMQ workers need null`);
  }
}

/** host:port of a Redis URL, for messages (never the password). */
export function describeRedis(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}`;
}
