import { describe, expect, it } from 'vitest';
import { orderMetrics, recallAt } from '../../bench/ranking-metrics.js';

// The test vectors of ../shared/docs/RANKING_NOTES.md §1.2 (both WSS definitions, RRF@10).
describe('ranking bench metrics', () => {
  const long = [...Array(19).fill(1), ...Array(180).fill(0), 1, ...Array(800).fill(0)];
  const cases: Array<[labels: number[], asreview: number, classic: number, rrf10: number]> = [
    [[1, 1, 1, 0], 0.25, 0.2, 0],
    [[1, 0, 1], 0.333333, -0.05, 0],
    [[1, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0.3, 0.55, 0.5],
    [[0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], 0.3, 0.35, 0.3333],
    [long, 0.907, 0.931, 0.95],
  ];
  it.each(cases)('%#: WSS@95 both ways and recall after 10%', (labels, asreview, classic, rrf10) => {
    const m = orderMetrics(labels);
    expect(m.wss95Asreview).toBeCloseTo(asreview, 4);
    expect(m.wss95).toBeCloseTo(classic, 4);
    expect(m.recall10).toBeCloseTo(rrf10, 4);
  });

  it('recall after half, and records screened to find every relevant one', () => {
    expect(recallAt([1, 1, 1, 0], 0.5)).toBeCloseTo(2 / 3, 4);
    expect(orderMetrics(long).toFindAll).toBe(200);
    expect(() => orderMetrics([0, 0])).toThrow();
  });
});
