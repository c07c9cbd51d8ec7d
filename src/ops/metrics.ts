import { sql } from 'drizzle-orm';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Db } from '../db/client.js';
import { ALL_QUEUES } from '../queue/catalogue.js';
import type { Queues } from '../queue/queues.js';
import type { CounterName, CounterStore } from './counters.js';

export interface MetricsDeps {
  db: Db;
  queues: Queues;
  counters: CounterStore;
}

const rowsOf = <T>(r: unknown) => (r as { rows: T[] }).rows;

/**
 * Everything is read at scrape time from where the truth lives, so any number of worker
 * processes add up without a push gateway: run counts from Postgres, queue depths from BullMQ,
 * per-process events (API responses, job durations, digest sends) from the shared Redis counters.
 */
export function createMetricsRegistry(deps: MetricsDeps): Registry {
  const registry = new Registry();
  /** A counter mirrored from the shared Redis counters at each scrape. */
  const shared = (name: CounterName, metric: string, help: string, labelNames: string[]) =>
    new Counter({ name: metric, help, labelNames, registers: [registry],
      async collect() {
        this.reset();
        for (const s of (await deps.counters.read()).filter((x) => x.name === name)) this.inc(s.labels, s.value);
      } });
  shared('api_responses', 'living_review_api_responses_total', 'Upstream API responses by source and HTTP status code ("error": no response)', ['source', 'code']);
  shared('jobs', 'living_review_jobs_total', 'Jobs finished by queue and outcome', ['queue', 'status']);
  shared('job_seconds', 'living_review_job_duration_seconds_total', 'Time spent processing jobs by queue and outcome (divide by living_review_jobs_total for the mean)', ['queue', 'status']);
  shared('digest_sends', 'living_review_digest_sends_total', 'Digest emails sent by review', ['review']);

  new Gauge({ name: 'living_review_search_runs', help: 'Search runs by source and status', labelNames: ['source', 'status'], registers: [registry],
    async collect() {
      this.reset();
      const rows = rowsOf<{ source: string; status: string; n: number }>(await deps.db.execute(sql`select source, status, count(*)::int as n from search_runs group by 1, 2`));
      for (const r of rows) this.set({ source: r.source, status: r.status }, Number(r.n));
    } });
  new Gauge({ name: 'living_review_records_staged', help: 'Source records staged, by source', labelNames: ['source'], registers: [registry],
    async collect() {
      this.reset();
      const rows = rowsOf<{ source: string; n: number }>(await deps.db.execute(sql`select source, count(*)::int as n from source_records group by 1`));
      for (const r of rows) this.set({ source: r.source }, Number(r.n));
    } });
  new Gauge({ name: 'living_review_api_requests', help: 'Upstream API requests and retries recorded by search runs, by source', labelNames: ['source', 'kind'], registers: [registry],
    async collect() {
      this.reset();
      const rows = rowsOf<{ source: string; requests: number; retries: number }>(await deps.db.execute(sql`select source, sum(requests)::int as requests, sum(retries)::int as retries from search_runs group by 1`));
      for (const r of rows) {
        this.set({ source: r.source, kind: 'request' }, Number(r.requests));
        this.set({ source: r.source, kind: 'retry' }, Number(r.retries));
      }
    } });
  new Gauge({ name: 'living_review_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      this.reset();
      for (const name of ALL_QUEUES) {
        const counts = await deps.queues[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
      }
    } });
  return registry;
}
