import type { Redis } from 'ioredis';
import { ALL_QUEUES, type QueueName } from './catalogue.js';
import type { Queues } from './queues.js';

/**
 * Liveness is "jobs are making progress", not "Redis answers" (RELIABILITY_NOTES, silent worker
 * wedge; R3): after some Redis outages a BullMQ worker stays `isRunning()`, raises nothing, and
 * takes no more jobs while `wait` grows. So a worker process is unhealthy when a queue has work
 * due and none of its processors for that queue has started, finished or advanced a job for longer
 * than a threshold, and healthy whenever nothing is due (an idle worker is a live one).
 *
 * Judged per queue: a wedged `search` worker is not hidden by digests completing next to it.
 * A long job that still advances (search: every upstream response) counts as progress, so one
 * big search does not make a backlog behind it look like a wedge; a job stuck without a single
 * response for the whole threshold does.
 */
export const DEFAULT_PROGRESS_TIMEOUT_MS = 120_000;

export interface QueueActivity {
  /** Jobs of this queue this process is running now. */
  running: number;
  /** Last start, finish or advance of a job of this queue here; the tracker's creation before any. */
  lastProgressAt: number;
}

export interface ProgressTracker {
  /** A processor of `queue` was handed a job. */
  started(queue: QueueName): void;
  /** A processor of `queue` returned or threw, whatever the outcome (also delayed or handed back). */
  finished(queue: QueueName): void;
  /** A running job of `queue` did some work (e.g. got an upstream response). */
  advanced(queue: QueueName): void;
  snapshot(): Record<QueueName, QueueActivity>;
}

export function createProgressTracker(now: () => number = Date.now): ProgressTracker {
  const t0 = now();
  const state = Object.fromEntries(ALL_QUEUES.map((q) => [q, { running: 0, lastProgressAt: t0 }])) as Record<QueueName, QueueActivity>;
  return {
    started(queue) {
      state[queue].running++;
      state[queue].lastProgressAt = now();
    },
    finished(queue) {
      state[queue].running = Math.max(0, state[queue].running - 1);
      state[queue].lastProgressAt = now();
    },
    advanced(queue) {
      state[queue].lastProgressAt = now();
    },
    snapshot() {
      return Object.fromEntries(ALL_QUEUES.map((q) => [q, { ...state[q] }])) as Record<QueueName, QueueActivity>;
    },
  };
}

/**
 * Wraps a processor so the tracker sees each job start and end, whatever the outcome. Keeps the
 * processor's arity: BullMQ reads `processor.length` (>= 3) to decide whether the job gets an
 * AbortSignal, which the search processor needs to hand its job back at the shutdown deadline.
 */
export function tracked<F extends (...args: any[]) => Promise<unknown>>(tracker: ProgressTracker, queue: QueueName, processor: F): F {
  const wrapped = async (...args: Parameters<F>) => {
    tracker.started(queue);
    try {
      return await processor(...args);
    } finally {
      tracker.finished(queue);
    }
  };
  Object.defineProperty(wrapped, 'length', { value: processor.length });
  return wrapped as F;
}

export interface QueueProgress {
  /** Jobs this process could take now: waiting, prioritized, and delayed ones whose time has come. */
  due: number;
  running: number;
  /** Time since the last start, finish or advance of a job of this queue here. */
  idleMs: number;
  stalled: boolean;
}

export interface ProgressVerdict {
  ok: boolean;
  thresholdMs: number;
  queues: Record<QueueName, QueueProgress>;
  /** Why not ok, one line. */
  reason?: string;
}

/** Pure: a queue is stalled when work is due and nothing moved here for longer than the threshold. */
export function assessProgress(activity: Record<QueueName, QueueActivity>, due: Record<QueueName, number>, thresholdMs: number, now: number): ProgressVerdict {
  const queues = {} as Record<QueueName, QueueProgress>;
  const reasons: string[] = [];
  for (const q of ALL_QUEUES) {
    const idleMs = Math.max(0, now - activity[q].lastProgressAt);
    const stalled = due[q] > 0 && idleMs > thresholdMs;
    queues[q] = { due: due[q], running: activity[q].running, idleMs, stalled };
    if (stalled) {
      reasons.push(
        `${q}: ${due[q]} job(s) due but no ${q} job started, finished or advanced in this worker for ${(idleMs / 1000).toFixed(1)} s (limit ${(thresholdMs / 1000).toFixed(1)} s)`,
      );
    }
  }
  const verdict: ProgressVerdict = { ok: reasons.length === 0, thresholdMs, queues };
  if (reasons.length > 0) verdict.reason = reasons.join('; ');
  return verdict;
}

/**
 * Per queue, the jobs a worker would take now: waiting and prioritized, plus delayed jobs whose
 * time has come (a live worker promotes those; a wedged one leaves them). A queue paused on
 * purpose (dashboard, `queue.pause()`) has nothing due. `redis` is the connection `queues` use.
 */
export async function dueJobCounts(queues: Queues, redis: Redis, now: number = Date.now()): Promise<Record<QueueName, number>> {
  const entries = await Promise.all(
    ALL_QUEUES.map(async (name): Promise<[QueueName, number]> => {
      const queue = queues[name];
      if (await queue.isPaused()) return [name, 0];
      const counts = await queue.getJobCounts('waiting', 'prioritized');
      // BullMQ scores delayed jobs as timestamp * 0x1000 + a 12-bit sequence (getDelayedScore.lua),
      // so every job due by `now` scores below (now + 1) * 0x1000.
      const delayedDue = await redis.zcount(queue.keys.delayed!, '-inf', `(${(now + 1) * 0x1000}`);
      return [name, (counts.waiting ?? 0) + (counts.prioritized ?? 0) + delayedDue];
    }),
  );
  return Object.fromEntries(entries) as Record<QueueName, number>;
}
