import type { Redis } from 'ioredis';

/**
 * Counters that several worker processes add to and `serve` reads at scrape time: one Redis hash,
 * one field per metric and label set. Workers expose no port of their own, so this is how their
 * API responses, job durations and digest sends reach /metrics without a push gateway.
 */
export type CounterName = 'api_responses' | 'job_seconds' | 'jobs' | 'digest_sends';

export interface CounterSample {
  name: CounterName;
  labels: Record<string, string>;
  value: number;
}

export interface CounterStore {
  add(name: CounterName, labels: Record<string, string>, by?: number): void;
  read(): Promise<CounterSample[]>;
}

const SEP = '\u001f';

export function createCounterStore(redis: Redis, prefix: string, onError: (err: unknown) => void = () => {}): CounterStore {
  const key = `${prefix}:metrics:counters`;
  return {
    add(name, labels, by = 1) {
      const field = [name, ...Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`)].join(SEP);
      // Fire and forget: a metric must never fail or slow the job it describes.
      redis.hincrbyfloat(key, field, by).catch(onError);
    },
    async read() {
      const all = await redis.hgetall(key);
      return Object.entries(all).map(([field, value]) => {
        const [name, ...pairs] = field.split(SEP);
        const labels = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
        return { name: name as CounterName, labels, value: Number(value) };
      });
    },
  };
}
