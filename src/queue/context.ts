import type { Protocol } from '../config/protocol.js';
import type { Db } from '../db/client.js';
import { PermanentError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CounterStore } from '../ops/counters.js';
import type { SourceHooks, SourceProvider } from '../sources/provider.js';
import type { Queues } from './queues.js';

/** Builds and sends every digest of a review that is due for `period` (the digest tick, ISO). */
export type SendDigests = (reviewId: string, period: string) => Promise<{ sent: number }>;

export interface WorkerTuning {
  /** How long a job lock lives without renewal; a killed worker's job is taken over after it. */
  lockDuration: number;
  stalledInterval: number;
  concurrency: { cycle: number; search: number; digest: number };
  /** Graceful shutdown: how long in-flight jobs may run on before they are released. */
  shutdownMs: number;
  /** How often a waiting digest looks again whether its review's searches are done. */
  digestRecheckMs: number;
  /** A digest goes out after this long even if a search is still pending (stuck upstream). */
  digestMaxWaitMs: number;
  /** How often schedulers are compared with the protocols (restores them after Redis data loss). */
  schedulerSyncMs: number;
}

export const DEFAULT_TUNING: WorkerTuning = {
  lockDuration: 30_000,
  stalledInterval: 30_000,
  concurrency: { cycle: 1, search: 2, digest: 1 },
  // Under compose's stop_grace_period (60 s) and the usual 30 s of orchestrators.
  shutdownMs: 25_000,
  digestRecheckMs: 60_000,
  digestMaxWaitMs: 6 * 3_600_000,
  schedulerSyncMs: 60_000,
};

/** What every processor gets. */
export interface JobContext {
  db: Db;
  protocols: Protocol[];
  log: Logger;
  queues: Queues;
  sources: SourceProvider;
  hooks: SourceHooks;
  sendDigests: SendDigests;
  counters: CounterStore;
  tuning: WorkerTuning;
}

export function protocolOf(protocols: Protocol[], reviewId: string): Protocol {
  const p = protocols.find((x) => x.id === reviewId);
  // Its scheduler is removed at the next sync; retrying cannot bring the protocol back.
  if (!p) throw new PermanentError(`review ${reviewId} is no longer configured`);
  return p;
}
