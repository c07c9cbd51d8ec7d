import { describe, expect, it } from 'vitest';
import { addDays, nextWindow } from '../../src/runs/window.js';

const base = { updateFrom: '2020-10-01', overlapDays: 7, today: '2026-11-25', watermark: null };

describe('next search window', () => {
  it('starts at update_from the first time and ends today', () => {
    expect(nextWindow(base)).toEqual({ from: '2020-10-01', to: '2026-11-25' });
  });
  it('starts at the last successful window end minus the overlap', () => {
    expect(nextWindow({ ...base, watermark: '2026-11-16' })).toEqual({ from: '2026-11-09', to: '2026-11-25' });
  });
  it('never starts before update_from', () => {
    expect(nextWindow({ ...base, watermark: '2020-10-03' }).from).toBe('2020-10-01');
  });
  it('lets --from and --to win', () => {
    expect(nextWindow({ ...base, watermark: '2026-11-16', from: '2021-01-01', to: '2021-02-01' })).toEqual({ from: '2021-01-01', to: '2021-02-01' });
  });
  it('refuses an empty window', () => {
    expect(() => nextWindow({ ...base, from: '2021-02-02', to: '2021-02-01' })).toThrow('from 2021-02-02 is after to 2021-02-01');
  });
  it('adds days across month and leap-year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
  });
});
