import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { ALL_QUEUES, DEFAULT_JOB_OPTIONS, QUEUE_NAMES, type QueueName } from './catalogue.js';

export type Queues = Record<keyof typeof QUEUE_NAMES, Queue>;

/** The three queues on one connection, with the catalogue's default job options. */
export function openQueues(connection: Redis, prefix: string): Queues {
  const open = (name: QueueName) => {
    const q = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS[name] });
    // Errors reach the caller through the failing call; the event must not crash the process.
    q.on('error', () => {});
    return q;
  };
  return { cycle: open('cycle'), search: open('search'), digest: open('digest') };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(ALL_QUEUES.map((n) => queues[n].close()));
}
