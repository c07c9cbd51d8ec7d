import type { DefaultJobOptions } from 'bullmq';
import { z } from 'zod';
import { API_SOURCES } from '../sources/types.js';

/**
 * The job catalogue: every queue, job name, payload and default option in one place.
 *
 * - `cycle`: one job per scheduled search tick of a review; fans out one `search` job per source.
 * - `search`: one review and one source: search, fetch and stage (through `runCycle`). Staging
 *   stays inside the search job: batches are staged as they arrive, each in one transaction with
 *   idempotent upserts, so a retried or re-delivered job re-stages nothing twice, and records never
 *   travel through Redis (job data is stored in clear text and trimmed; Postgres is the record).
 * - `digest`: one job per digest tick of a review; waits for that review's searches (see processor).
 */
export const QUEUE_NAMES = { cycle: 'cycle', search: 'search', digest: 'digest' } as const;
export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
export const ALL_QUEUES: QueueName[] = Object.values(QUEUE_NAMES);

export const JOB_NAMES = { cycle: 'cycle', search: 'search', digest: 'digest' } as const;

const reviewId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const cyclePayload = z.object({ reviewId }).strict();

export const searchPayload = z
  .object({
    reviewId,
    source: z.enum(API_SOURCES),
    cycleId: z.string().min(1),
    trigger: z.enum(['schedule', 'manual']),
    /**
     * What the run belongs to, unique per review and source among live runs: the scheduled tick
     * (ISO timestamp), or `manual-<cycleId>` for `run --enqueue`.
     */
    period: z.string().min(1),
    from: day.optional(),
    to: day.optional(),
  })
  .strict();
export type SearchPayload = z.infer<typeof searchPayload>;

export const digestPayload = z.object({ reviewId }).strict();

/** Removal keeps recent history for the dashboard and for job-id deduplication of late duplicates. */
const history = { removeOnComplete: { age: 7 * 86_400, count: 1_000 }, removeOnFail: { age: 30 * 86_400 } };

export const DEFAULT_JOB_OPTIONS: Record<QueueName, DefaultJobOptions> = {
  cycle: { attempts: 3, backoff: { type: 'exponential', delay: 5_000, jitter: 0.3 }, ...history },
  search: { attempts: 5, backoff: { type: 'exponential', delay: 30_000, jitter: 0.3 }, ...history },
  digest: { attempts: 5, backoff: { type: 'exponential', delay: 60_000, jitter: 0.3 }, ...history },
};

/** Job ids: BullMQ reserves ':' and all-digit ids; ISO ticks become 20261125T060000Z. */
export function compactTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

export function searchJobId(p: Pick<SearchPayload, 'reviewId' | 'source' | 'period'>): string {
  const period = p.period.startsWith('manual-') ? p.period : compactTime(p.period);
  return `search-${p.reviewId}-${p.source}-${period}`;
}

/** At most one search job per review and source exists at a time, whatever triggered it. */
export function searchDedupId(p: Pick<SearchPayload, 'reviewId' | 'source'>): string {
  return `search-${p.reviewId}-${p.source}`;
}

export const schedulerIds = {
  search: (reviewId: string) => `search-${reviewId}`,
  digest: (reviewId: string) => `digest-${reviewId}`,
};

/** The tick a scheduler-made job belongs to (BullMQ stores it as `prevMillis`), as ISO. */
export function tickOf(job: { opts: { prevMillis?: number }; timestamp: number }): string {
  return new Date(job.opts.prevMillis ?? job.timestamp).toISOString();
}
