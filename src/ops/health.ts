import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import { oneLine } from '../errors.js';
import { assessProgress, dueJobCounts, type ProgressTracker, type QueueProgress } from '../queue/liveness.js';
import type { QueueName } from '../queue/catalogue.js';
import type { Queues } from '../queue/queues.js';

export interface CheckResult {
  status: 'ok' | 'down';
  latencyMs: number;
  error?: string;
}

export interface Health {
  status: 'ok' | 'unhealthy';
  /** Why unhealthy, one line (absent when ok). */
  reason?: string;
  checks: { postgres: CheckResult; redis: CheckResult };
}

async function withTimeout<T>(what: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      what(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function timed(what: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const t0 = Date.now();
  try {
    await withTimeout(what, timeoutMs);
    return { status: 'ok', latencyMs: Date.now() - t0 };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - t0, error: oneLine(err) };
  }
}

function downReason(checks: Record<string, CheckResult>): string | undefined {
  const down = Object.entries(checks).filter(([, c]) => c.status !== 'ok');
  return down.length > 0 ? down.map(([name, c]) => `${name}: ${c.error ?? 'down'}`).join('; ') : undefined;
}

/** Both stores answer a trivial query within the timeout, checked in parallel. */
export async function checkHealth(deps: { db: Db; redis: Redis }, timeoutMs = 2_000): Promise<Health> {
  const [postgres, redis] = await Promise.all([
    timed(() => deps.db.execute(sql`select 1`), timeoutMs),
    timed(() => deps.redis.ping(), timeoutMs),
  ]);
  const reason = downReason({ postgres, redis });
  return reason ? { status: 'unhealthy', reason, checks: { postgres, redis } } : { status: 'ok', checks: { postgres, redis } };
}

export interface ProgressCheck {
  /** `unknown`: the due jobs could not be counted (Redis down or slow). */
  status: 'ok' | 'stalled' | 'unknown';
  thresholdMs: number;
  queues?: Record<QueueName, QueueProgress>;
  error?: string;
}

export interface WorkerHealth {
  status: 'ok' | 'unhealthy';
  reason?: string;
  checks: { postgres: CheckResult; redis: CheckResult; progress: ProgressCheck };
}

export interface WorkerHealthDeps {
  db: Db;
  /** A fail-fast (producer) connection, and queues opened on it. */
  redis: Redis;
  queues: Queues;
  progress: ProgressTracker;
  thresholdMs: number;
}

/**
 * A worker process's health: the stores answer (as `checkHealth`) and its jobs make progress
 * (see queue/liveness.ts): 'unhealthy' when a queue has work due and this process has not
 * started, finished or advanced a job of it for longer than `thresholdMs`.
 */
export async function checkWorkerHealth(deps: WorkerHealthDeps, timeoutMs = 2_000): Promise<WorkerHealth> {
  const stores = await checkHealth(deps, timeoutMs);
  let progress: ProgressCheck;
  if (stores.checks.redis.status !== 'ok') {
    progress = { status: 'unknown', thresholdMs: deps.thresholdMs, error: 'Redis is down' };
  } else {
    try {
      const due = await withTimeout(() => dueJobCounts(deps.queues, deps.redis), timeoutMs);
      const verdict = assessProgress(deps.progress.snapshot(), due, deps.thresholdMs, Date.now());
      progress = { status: verdict.ok ? 'ok' : 'stalled', thresholdMs: deps.thresholdMs, queues: verdict.queues };
      if (verdict.reason) progress.error = verdict.reason;
    } catch (err) {
      progress = { status: 'unknown', thresholdMs: deps.thresholdMs, error: `cannot count due jobs: ${oneLine(err)}` };
    }
  }
  const checks = { ...stores.checks, progress };
  const reasons = [stores.reason, progress.status !== 'ok' && stores.checks.redis.status === 'ok' ? progress.error : undefined].filter(Boolean);
  return reasons.length > 0 ? { status: 'unhealthy', reason: reasons.join('; '), checks } : { status: 'ok', checks };
}
