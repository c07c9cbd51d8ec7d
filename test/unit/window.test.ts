import { describe, expect, it } from 'vitest';
import { addDays, coverage, isCalendarDay, nextWindow, nextWindowStart, searchedUntil, type StrategyRun } from '../../src/runs/window.js';

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
  it('ends a window asked to end in the future today', () => {
    expect(nextWindow({ ...base, from: '2021-01-01', to: '2099-12-31' })).toEqual({ from: '2021-01-01', to: '2026-11-25' });
  });
  it('refuses an empty window', () => {
    expect(() => nextWindow({ ...base, from: '2021-02-02', to: '2021-02-01' })).toThrow('from 2021-02-02 is after to 2021-02-01');
  });
  it('knows real calendar days from ones Date.parse rolls over', () => {
    for (const day of ['2024-02-29', '2021-12-31', '2000-01-01']) expect(isCalendarDay(day)).toBe(true);
    for (const day of ['2021-02-29', '2021-02-30', '2021-04-31', '2020-13-01', '2020-00-10', '2021-1-01', '20210101', '']) expect(isCalendarDay(day)).toBe(false);
  });
  it('adds days across month and leap-year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2021-03-01', -1)).toBe('2021-02-28');
  });
});

describe('where the searched days end', () => {
  const w = (from: string, to: string) => ({ from, to });
  it('is nothing before any successful window', () => {
    expect(searchedUntil([], '2020-10-01')).toBeNull();
  });
  it('follows windows that meet or overlap, in any order', () => {
    expect(searchedUntil([w('2026-11-09', '2026-11-25'), w('2020-10-01', '2026-11-16')], '2020-10-01')).toBe('2026-11-25');
    expect(searchedUntil([w('2020-10-01', '2026-11-16'), w('2026-11-17', '2026-11-20')], '2020-10-01')).toBe('2026-11-20');
  });
  it('stops at a gap: a --from past the next start does not carry the days before it', () => {
    // Searched up to 1 November, then `run --once --from 2026-11-20`: 2 to 19 November were never searched.
    expect(searchedUntil([w('2020-10-01', '2026-11-01'), w('2026-11-20', '2026-11-25')], '2020-10-01')).toBe('2026-11-01');
  });
  it('starts where the first window at or after update_from starts', () => {
    expect(searchedUntil([w('2026-01-01', '2026-02-01'), w('2026-01-25', '2026-03-01')], '2020-10-01')).toBe('2026-03-01');
  });
  it('ignores windows before update_from, and counts one that crosses it from update_from', () => {
    expect(searchedUntil([w('2015-01-01', '2015-12-31'), w('2020-10-01', '2021-01-01')], '2020-10-01')).toBe('2021-01-01');
    expect(searchedUntil([w('2015-01-01', '2015-12-31')], '2020-10-01')).toBeNull();
    expect(searchedUntil([w('2019-01-01', '2020-12-01'), w('2020-11-25', '2021-01-01')], '2020-10-01')).toBe('2021-01-01');
  });
  it('is not moved by a window inside what was searched', () => {
    expect(searchedUntil([w('2020-10-01', '2026-11-25'), w('2021-01-01', '2021-02-01')], '2020-10-01')).toBe('2026-11-25');
  });
});

describe('coverage with the current strategy', () => {
  const U = '2020-10-01';
  const run = (from: string, to: string, fingerprint: string | null, ok = true): StrategyRun => ({ from, to, fingerprint, ok });
  const startOf = (runs: StrategyRun[], current: string) => nextWindowStart({ watermark: coverage(runs, current, U).watermark, updateFrom: U, overlapDays: 7 });

  it('continues from the searches of the strategy it would send', () => {
    const runs = [run(U, '2026-11-01', 'A'), run('2026-10-25', '2026-11-16', 'A')];
    expect(coverage(runs, 'A', U)).toEqual({ watermark: '2026-11-16', strategyChanged: false });
  });

  it('starts over at update_from once the strategy changed, and says why', () => {
    const runs = [run(U, '2026-11-01', 'A'), run('2026-10-25', '2026-11-16', 'A')];
    expect(coverage(runs, 'B', U)).toEqual({ watermark: null, strategyChanged: true });
    expect(startOf(runs, 'B')).toBe(U);
    // The search again with B done: B's searches are its coverage, and nothing is left to say.
    const searched = [...runs, run(U, '2026-11-25', 'B')];
    expect(coverage(searched, 'B', U)).toEqual({ watermark: '2026-11-25', strategyChanged: false });
  });

  it('does not count a failed search with the new strategy', () => {
    const runs = [run(U, '2026-11-16', 'A'), run(U, '2026-11-25', 'B', false)];
    expect(coverage(runs, 'B', U)).toEqual({ watermark: null, strategyChanged: true });
  });

  it('leaves the days before a --from search with the new strategy to search', () => {
    const runs = [run(U, '2026-11-16', 'A'), run('2026-11-01', '2026-11-25', 'B')];
    expect(coverage(runs, 'B', U)).toEqual({ watermark: null, strategyChanged: true });
    // A source searched once, from a later day, with one strategy only keeps what it always did.
    expect(coverage([run('2026-11-01', '2026-11-25', 'B')], 'B', U)).toEqual({ watermark: '2026-11-25', strategyChanged: false });
  });

  it('counts the searches of a strategy again when the protocol goes back to it', () => {
    const runs = [run(U, '2026-06-30', 'A'), run(U, '2026-09-30', 'B'), run('2026-09-23', '2026-10-31', 'B')];
    expect(coverage(runs, 'A', U)).toEqual({ watermark: '2026-06-30', strategyChanged: true });
    expect(startOf(runs, 'A')).toBe('2026-06-23');
    // Back to A and searched up to where B had reached: nothing left to say.
    expect(coverage([...runs, run('2026-06-23', '2026-11-25', 'A')], 'A', U)).toEqual({ watermark: '2026-11-25', strategyChanged: false });
  });

  it('takes a run stored before fingerprints for one with the strategy in force at the upgrade', () => {
    const old = [run(U, '2026-10-01', null), run('2026-09-24', '2026-11-01', null)];
    // An upgrade alone searches nothing again.
    expect(coverage(old, 'A', U)).toEqual({ watermark: '2026-11-01', strategyChanged: false });
    const upgraded = [...old, run('2026-10-25', '2026-11-16', 'A')];
    expect(coverage(upgraded, 'A', U)).toEqual({ watermark: '2026-11-16', strategyChanged: false });
    // Edited after the upgrade: the old runs were searches with A, not with B.
    expect(coverage(upgraded, 'B', U)).toEqual({ watermark: null, strategyChanged: true });
    // A failed run after the upgrade still tells what was in force.
    expect(coverage([...old, run('2026-10-25', '2026-11-16', 'A', false)], 'B', U)).toEqual({ watermark: null, strategyChanged: true });
  });

  it('counts every run when the current strategy is unknown (a source that cannot compile it)', () => {
    expect(coverage([run(U, '2026-11-01', 'A'), run('2026-10-25', '2026-11-16', 'B')], undefined, U)).toEqual({ watermark: '2026-11-16', strategyChanged: false });
  });

  it('still stops at a gap and ignores windows before update_from', () => {
    expect(coverage([run(U, '2026-11-01', 'A'), run('2026-11-20', '2026-11-25', 'A')], 'A', U).watermark).toBe('2026-11-01');
    expect(coverage([run('2015-01-01', '2015-12-31', 'A')], 'A', U).watermark).toBeNull();
  });
});
