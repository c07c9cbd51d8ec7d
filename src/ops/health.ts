import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import { oneLine } from '../errors.js';

export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface Health {
  status: 'ok' | 'unhealthy';
  checks: { postgres: CheckResult; redis: CheckResult };
}

async function timed(what: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      what(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { status: 'ok', latencyMs: Date.now() - t0 };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - t0, error: oneLine(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Both stores answer a trivial query within the timeout, checked in parallel. */
export async function checkHealth(deps: { db: Db; redis: Redis }, timeoutMs = 2_000): Promise<Health> {
  const [postgres, redis] = await Promise.all([
    timed(() => deps.db.execute(sql`select 1`), timeoutMs),
    timed(() => deps.redis.ping(), timeoutMs),
  ]);
  return { status: postgres.status === 'ok' && redis.status === 'ok' ? 'ok' : 'unhealthy', checks: { postgres, redis } };
}
