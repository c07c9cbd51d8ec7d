import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Protocol } from '../config/protocol.js';
import { queryRows, type Db } from '../db/client.js';
import { isSearch } from '../db/queries/runs.js';
import { searchRuns } from '../db/schema/index.js';
import { ALL_QUEUES } from '../queue/catalogue.js';
import type { Queues } from '../queue/queues.js';
import { longestGapMs } from '../digest/period.js';
import { API_SOURCES } from '../sources/types.js';
import type { CounterName, CounterStore } from './counters.js';

export interface MetricsDeps {
  db: Db;
  queues: Queues;
  counters: CounterStore;
  /**
   * The configured reviews: staleness is reported for their enabled sources only (a removed
   * review does not alert for ever), also before a first success. Absent: every review and
   * source with a successful run.
   */
  protocols?: Protocol[];
  /** Told of a metric left out of a scrape, and why. */
  onCollectError?: (metric: string, err: unknown) => void;
}

/**
 * Everything is read at scrape time from where the truth lives, so any number of worker
 * processes add up without a push gateway: run counts from Postgres, queue depths from BullMQ,
 * per-process events (API responses, job durations, digest sends) from the shared Redis counters.
 */
export function createMetricsRegistry(deps: MetricsDeps): Registry {
  const registry = new Registry();
  /**
   * A collect that leaves its metric empty when its store does not answer, so one store down
   * does not take the other's metrics with it (the Postgres staleness alert must fire while Redis
   * is out); living_review_store_up says which store was missing.
   */
  const tolerant =
    <M extends { reset(): void; name?: string }>(collect: (this: M) => Promise<void> | void) =>
    async function (this: M) {
      this.reset();
      try {
        await collect.call(this);
      } catch (err) {
        this.reset();
        deps.onCollectError?.(this.name ?? 'metric', err);
      }
    };
  new Gauge({ name: 'living_review_store_up', help: 'Whether a store answered at this scrape (1) or not (0): metrics read from it are left out while it is 0', labelNames: ['store'], registers: [registry],
    async collect() {
      const answers = async (probe: () => Promise<unknown>) => probe().then(() => 1, () => 0);
      this.set({ store: 'postgres' }, await answers(() => deps.db.execute(sql`select 1`)));
      this.set({ store: 'redis' }, await answers(() => deps.counters.read()));
    } });
  /** A counter mirrored from the shared Redis counters at each scrape. */
  const shared = (name: CounterName, metric: string, help: string, labelNames: string[]) =>
    new Counter({ name: metric, help, labelNames, registers: [registry],
      collect: tolerant(async function () {
        for (const s of (await deps.counters.read()).filter((x) => x.name === name)) this.inc(s.labels, s.value);
      }) });
  shared('api_responses', 'living_review_api_responses_total', 'Upstream API responses by source and HTTP status code ("error": no response)', ['source', 'code']);
  // Counted per attempt: a job retried twice and then completed is 2 failed and 1 completed.
  shared('jobs', 'living_review_jobs_total', 'Job attempts ended by queue and outcome (failed counts every failed attempt, retried or final)', ['queue', 'status']);
  shared('job_seconds', 'living_review_job_duration_seconds_total', 'Time spent processing job attempts by queue and outcome (divide by living_review_jobs_total for the mean per attempt)', ['queue', 'status']);
  shared('digest_sends', 'living_review_digest_sends_total', 'Digest emails sent by review', ['review']);

  new Gauge({ name: 'living_review_search_runs', help: 'Search runs by source and status', labelNames: ['source', 'status'], registers: [registry],
    collect: tolerant(async function () {
      const rows = await queryRows<{ source: string; status: string; n: number }>(deps.db, sql`select source, status, count(*)::int as n from search_runs group by 1, 2`);
      for (const r of rows) this.set({ source: r.source, status: r.status }, Number(r.n));
    }) });
  // Schedule staleness (RELIABILITY_NOTES S3): alert when the age exceeds 1.5x the interval.
  new Gauge({ name: 'living_review_search_last_success_age_seconds',
    help: 'Seconds since the last successful search run (status ok) of a review and source finished; for a configured source without one yet, since the review was first configured',
    labelNames: ['review', 'source'], registers: [registry],
    collect: tolerant(async function () {
      // Searches only: importing an export is not the schedule working.
      const ok = await deps.db
        .select({ review_id: searchRuns.reviewId, source: searchRuns.source, age: sql<number>`extract(epoch from now() - max(${searchRuns.finishedAt}))::float8` })
        .from(searchRuns)
        .where(and(eq(searchRuns.status, 'ok'), isSearch, isNotNull(searchRuns.finishedAt)))
        .groupBy(searchRuns.reviewId, searchRuns.source);
      if (!deps.protocols) {
        for (const r of ok) this.set({ review: r.review_id, source: r.source }, Number(r.age));
        return;
      }
      const configured = await queryRows<{ id: string; age: number }>(deps.db, sql`select id, extract(epoch from now() - created_at)::float8 as age from reviews`);
      for (const p of deps.protocols) {
        for (const source of API_SOURCES.filter((s) => p.sources[s]?.enabled)) {
          const age = ok.find((r) => r.review_id === p.id && r.source === source)?.age ?? configured.find((r) => r.id === p.id)?.age;
          if (age !== undefined) this.set({ review: p.id, source }, Number(age));
        }
      }
    }) });
  new Gauge({ name: 'living_review_search_interval_seconds',
    help: "Longest gap between consecutive ticks of a review's search schedule (cron in its time zone)",
    labelNames: ['review'], registers: [registry],
    collect() {
      this.reset();
      for (const p of deps.protocols ?? []) this.set({ review: p.id }, longestGapMs(p.schedule.search, p.schedule.timezone) / 1000);
    } });
  new Gauge({ name: 'living_review_records_staged', help: 'Source records staged, by source', labelNames: ['source'], registers: [registry],
    collect: tolerant(async function () {
      const rows = await queryRows<{ source: string; n: number }>(deps.db, sql`select source, count(*)::int as n from source_records group by 1`);
      for (const r of rows) this.set({ source: r.source }, Number(r.n));
    }) });
  new Gauge({ name: 'living_review_api_requests', help: 'Upstream API requests and retries recorded by search runs, by source', labelNames: ['source', 'kind'], registers: [registry],
    collect: tolerant(async function () {
      const rows = await queryRows<{ source: string; requests: number; retries: number }>(deps.db, sql`select source, sum(requests)::int as requests, sum(retries)::int as retries from search_runs group by 1`);
      for (const r of rows) {
        this.set({ source: r.source, kind: 'request' }, Number(r.requests));
        this.set({ source: r.source, kind: 'retry' }, Number(r.retries));
      }
    }) });
  new Gauge({ name: 'living_review_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'], registers: [registry],
    collect: tolerant(async function () {
      for (const name of ALL_QUEUES) {
        const counts = await deps.queues[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
      }
    }) });
  return registry;
}
