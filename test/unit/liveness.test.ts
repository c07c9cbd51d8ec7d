// The pure part of the worker liveness check: what counts as progress, and when a queue is stalled.
import { describe, expect, it } from 'vitest';
import { assessProgress, createProgressTracker, tracked } from '../../src/queue/liveness.js';

const clock = (start = 1_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
};
const none = { cycle: 0, search: 0, digest: 0 };

describe('createProgressTracker', () => {
  it('counts from its creation, and moves on job start, finish and advance, per queue', () => {
    const c = clock();
    const p = createProgressTracker(c.now);
    expect(p.snapshot().search).toEqual({ running: 0, lastProgressAt: 1_000_000 });
    c.advance(10);
    p.started('search');
    c.advance(10);
    p.advanced('search');
    expect(p.snapshot().search).toEqual({ running: 1, lastProgressAt: 1_000_020 });
    expect(p.snapshot().digest).toEqual({ running: 0, lastProgressAt: 1_000_000 });
    c.advance(10);
    p.finished('search');
    expect(p.snapshot().search).toEqual({ running: 0, lastProgressAt: 1_000_030 });
  });

  it('hands out copies: a snapshot does not change afterwards', () => {
    const c = clock();
    const p = createProgressTracker(c.now);
    const before = p.snapshot();
    c.advance(5);
    p.started('cycle');
    expect(before.cycle).toEqual({ running: 0, lastProgressAt: 1_000_000 });
  });
});

describe('tracked', () => {
  it("keeps the processor's arity, which BullMQ reads to decide whether to pass an AbortSignal", () => {
    const p = createProgressTracker();
    expect(tracked(p, 'search', async (_job: unknown, _token?: string, _signal?: AbortSignal) => 0).length).toBe(3);
    expect(tracked(p, 'cycle', async (_job: unknown) => 0).length).toBe(1);
  });

  it('marks start and finish around the processor, also when it throws', async () => {
    const c = clock();
    const p = createProgressTracker(c.now);
    const seen: number[] = [];
    const ok = tracked(p, 'digest', async (n: number) => {
      seen.push(p.snapshot().digest.running);
      c.advance(100);
      return n * 2;
    });
    expect(await ok(21)).toBe(42);
    expect(seen).toEqual([1]);
    expect(p.snapshot().digest).toEqual({ running: 0, lastProgressAt: 1_000_100 });

    const failing = tracked(p, 'digest', async () => {
      c.advance(100);
      throw new Error('boom');
    });
    await expect(failing()).rejects.toThrow('boom');
    expect(p.snapshot().digest).toEqual({ running: 0, lastProgressAt: 1_000_200 });
  });
});

describe('assessProgress', () => {
  const activity = (lastProgressAt: number, running = 0) => ({
    cycle: { running: 0, lastProgressAt },
    search: { running, lastProgressAt },
    digest: { running: 0, lastProgressAt },
  });

  it('is ok when nothing is due, however long nothing moved', () => {
    const v = assessProgress(activity(0), none, 120_000, 10 * 86_400_000);
    expect(v.ok).toBe(true);
    expect(v.reason).toBeUndefined();
    expect(v.queues.search).toEqual({ due: 0, running: 0, idleMs: 10 * 86_400_000, stalled: false });
  });

  it('is ok while work is due and the last progress is within the threshold, the boundary included', () => {
    expect(assessProgress(activity(0), { ...none, search: 3 }, 120_000, 120_000).ok).toBe(true);
  });

  it('is stalled when work is due and nothing moved for longer than the threshold, with a one-line reason', () => {
    const v = assessProgress(activity(0, 2), { ...none, search: 3 }, 120_000, 131_000);
    expect(v.ok).toBe(false);
    expect(v.queues.search).toEqual({ due: 3, running: 2, idleMs: 131_000, stalled: true });
    expect(v.queues.cycle.stalled).toBe(false);
    expect(v.reason).toBe('search: 3 job(s) due but no search job started, finished or advanced in this worker for 131.0 s (limit 120.0 s)');
  });

  it('judges each queue by its own progress: digests completing do not hide a stuck search queue', () => {
    const a = { cycle: { running: 0, lastProgressAt: 0 }, search: { running: 0, lastProgressAt: 0 }, digest: { running: 0, lastProgressAt: 200_000 } };
    const v = assessProgress(a, { cycle: 1, search: 1, digest: 1 }, 120_000, 200_000);
    expect(Object.entries(v.queues).filter(([, q]) => q.stalled).map(([n]) => n)).toEqual(['cycle', 'search']);
    expect(v.reason).toMatch(/^cycle: 1 job\(s\) due .*; search: 1 job\(s\) due /);
  });
});
