import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { oneOf } from './checks.js';
import { reviews } from './reviews.js';

export const RUN_STATUSES = ['running', 'ok', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * What started a run. An 'import' is a maintainer's export file (a database with no API) staged
 * like a search, so PRISMA and digests count it; it has no window and never moves a watermark.
 */
export type RunTrigger = 'cli' | 'schedule' | 'manual' | 'import';

/** One search of one source for one window, or one import. The watermark is where the `ok` searches of the current strategy end (see `watermarks`). */
export const searchRuns = pgTable(
  'search_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reviewId: text('review_id')
      .notNull()
      .references(() => reviews.id),
    /** Groups the sources searched by one update cycle (`run --once`, a scheduled tick). */
    cycleId: text('cycle_id').notNull(),
    source: text('source').notNull(),
    trigger: text('trigger').$type<RunTrigger>().notNull(),
    /** The scheduled tick (ISO timestamp) a scheduled run belongs to; null for manual and CLI runs. */
    period: text('period'),
    /** The exact query string sent to the API. */
    query: text('query').notNull(),
    /**
     * What the source was asked to find, without the window (`strategyFingerprint`): only runs of
     * the current strategy move the watermark. Null for imports and for runs stored before it was.
     */
    strategyFingerprint: text('strategy_fingerprint'),
    windowFrom: text('window_from').notNull(),
    windowTo: text('window_to').notNull(),
    status: text('status').$type<RunStatus>().notNull(),
    identified: integer('identified').notNull().default(0),
    fetched: integer('fetched').notNull().default(0),
    newWorks: integer('new_works').notNull().default(0),
    duplicates: integer('duplicates').notNull().default(0),
    requests: integer('requests').notNull().default(0),
    retries: integer('retries').notNull().default(0),
    warnings: jsonb('warnings').$type<string[]>().notNull().default([]),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('search_runs_review_source').on(t.reviewId, t.source, t.status, t.windowTo),
    index('search_runs_cycle').on(t.cycleId),
    // The durable once-per-period guarantee: Redis job history is trimmed, this index is not.
    // Failed attempts do not count, so a retry after a failure may start a new run.
    uniqueIndex('search_runs_period')
      .on(t.reviewId, t.source, t.period)
      .where(sql`${t.period} is not null and ${t.status} <> 'failed'`),
    oneOf('search_runs_status_check', t.status, RUN_STATUSES),
  ],
);
