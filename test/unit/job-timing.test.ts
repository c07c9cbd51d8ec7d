import { describe, expect, it } from 'vitest';
import { attemptSeconds } from '../../src/queue/worker.js';

describe('attemptSeconds', () => {
  it('times a finished job from processedOn to finishedOn', () => {
    expect(attemptSeconds({ processedOn: 1_000, finishedOn: 3_500 }, 9_000)).toBe(2.5);
  });

  it('times a failed attempt that will be retried, which BullMQ leaves without finishedOn, until now', () => {
    expect(attemptSeconds({ processedOn: 1_000, finishedOn: undefined }, 5_000)).toBe(4);
  });

  it('is 0 for a job that never started processing', () => {
    expect(attemptSeconds({ processedOn: undefined, finishedOn: undefined }, 5_000)).toBe(0);
  });
});
