import { describe, expect, it } from 'vitest';
import type { CycleRunRow } from '../../src/db/queries/prisma.js';
import { prismaReport } from '../../src/prisma/counts.js';
import { renderPrismaSvg } from '../../src/prisma/svg.js';

// Run ids number the runs in the order they are made; a cycle's name is as long as the day it started.
let nextId = 1;
const run = (cycleId: string, source: string, identified: number, duplicates: number, newWorks: number): CycleRunRow => ({
  id: nextId++, cycleId, source, trigger: 'cli', query: 'q', strategyFingerprint: null, status: 'ok', identified, fetched: identified, duplicates, newWorks,
  windowFrom: '2020-10-01', windowTo: '2021-01-01', startedAt: new Date(`2021-01-0${cycleId.length}T00:00:00Z`),
});

describe('PRISMA 2020 counts', () => {
  const [pubmed1, europepmc1, pubmed2] = [run('c1', 'pubmed', 100, 10, 90), run('c1', 'europepmc', 50, 45, 5), { ...run('c22', 'pubmed', 20, 5, 15), windowFrom: '2020-12-25', windowTo: '2021-02-01' }];
  const report = prismaReport(
    'r',
    46,
    [pubmed1, europepmc1, pubmed2],
    [
      { runId: pubmed1.id, status: 'included', count: 4 },
      { runId: pubmed1.id, status: 'excluded', count: 80 },
      { runId: pubmed1.id, status: 'pending', count: 6 },
      { runId: europepmc1.id, status: 'pending', count: 5 },
      { runId: pubmed2.id, status: 'conflict', count: 2 },
      { runId: pubmed2.id, status: 'excluded', count: 12 },
      // Staged as new, then answered "same work" by a maintainer.
      { runId: pubmed2.id, status: 'duplicate', count: 1 },
    ],
  );

  it('counts each update from its runs and the works it staged', () => {
    expect(report.updates).toHaveLength(2);
    expect(report.updates[0]).toMatchObject({ cycleId: 'c1', identified: { pubmed: 100, europepmc: 50 }, fetched: 150, duplicatesRemoved: 55, screened: 95, included: 4, excluded: 80, awaiting: 11 });
    expect(report.updates[1]).toMatchObject({ identified: { pubmed: 20 }, duplicatesRemoved: 6, screened: 14, excluded: 12, awaiting: 2, included: 0 });
  });

  it('counts a work merged by a maintainer as a duplicate removed, so fetched = duplicates + screened', () => {
    for (const u of [...report.updates, report.cumulative]) expect(u.fetched - u.duplicatesRemoved).toBe(u.screened);
  });

  it('accounts for records identified but never received, so the boxes add up', () => {
    // 22 counted, 21 returned (a withdrawn PMID); then a search that failed part way, never run again.
    const short = { ...run('c1', 'pubmed', 22, 1, 20), fetched: 21 };
    const failed: CycleRunRow = { ...run('c22', 'europepmc', 600, 0, 500), status: 'failed', fetched: 500 };
    const r = prismaReport('r', null, [short, failed], [
      { runId: short.id, status: 'pending', count: 20 },
      { runId: failed.id, status: 'pending', count: 500 },
    ]);
    expect(r.updates.map((u) => u.notRetrieved)).toEqual([1, 100]);
    for (const u of [...r.updates, r.cumulative]) {
      const identified = Object.values(u.identified).reduce((a, b) => a + b, 0);
      expect(u.notRetrieved + u.duplicatesRemoved + u.screened).toBe(identified);
    }
    expect(renderPrismaSvg('t', null, r.cumulative)).toContain('Not retrieved from the source (n = 101)');
  });

  it('counts a failed search and the next one that covers its window again (run --once killed, then run again) as one search', () => {
    const failed: CycleRunRow = { ...run('c22', 'pubmed', 600, 0, 500), status: 'failed', fetched: 500 };
    const europepmc = run('c22', 'europepmc', 10, 0, 10);
    const next = { ...run('c333', 'pubmed', 700, 500, 200), windowTo: '2021-01-05' };
    const r = prismaReport('r', null, [failed, europepmc, next], [
      { runId: failed.id, status: 'pending', count: 500 },
      { runId: europepmc.id, status: 'pending', count: 10 },
      { runId: next.id, status: 'pending', count: 200 },
    ]);
    expect(r.updates.map((u) => [u.cycleId, u.identified, u.duplicatesRemoved, u.screened])).toEqual([
      ['c22', { europepmc: 10 }, 0, 10],
      ['c333', { pubmed: 700 }, 0, 700],
    ]);
    expect(r.cumulative).toMatchObject({ identified: { pubmed: 700, europepmc: 10 }, fetched: 710, notRetrieved: 0, duplicatesRemoved: 0, screened: 710 });
    // A later search of another window is a search of its own, and so is an import of other files.
    const later = { ...run('c4444', 'pubmed', 5, 0, 5), windowFrom: '2021-01-06', windowTo: '2021-01-09' };
    expect(prismaReport('r', null, [failed, later], []).updates).toHaveLength(2);
    const imports = (query: string, status: 'ok' | 'failed'): CycleRunRow => ({ ...run(`i${nextId}`, 'cinahl', 30, 0, 30), trigger: 'import', query, status });
    expect(prismaReport('r', null, [imports('a.ris', 'failed'), imports('a.ris', 'ok')], []).updates).toHaveLength(1);
    expect(prismaReport('r', null, [imports('a.ris', 'failed'), imports('b.ris', 'ok')], []).updates).toHaveLength(2);
  });

  it('counts a search with an edited strategy as its own search in its update, not as the failed one it covers again', () => {
    const failed: CycleRunRow = { ...run('c22', 'pubmed', 600, 0, 500), strategyFingerprint: 'old', status: 'failed', fetched: 500 };
    // The strategy edited: its whole update period searched again; the 500 come back as duplicates.
    const again = { ...run('c333', 'pubmed', 800, 500, 300), strategyFingerprint: 'new', windowTo: '2021-01-05' };
    const r = prismaReport('r', null, [failed, again], [
      { runId: failed.id, status: 'pending', count: 500 },
      { runId: again.id, status: 'pending', count: 300 },
    ]);
    expect(r.updates.map((u) => [u.cycleId, u.identified, u.notRetrieved, u.duplicatesRemoved, u.screened])).toEqual([
      ['c22', { pubmed: 600 }, 100, 0, 500],
      ['c333', { pubmed: 800 }, 0, 500, 300],
    ]);
    // The same strategy, or a run stored before runs recorded theirs, is the same search again.
    expect(prismaReport('r', null, [failed, { ...again, strategyFingerprint: 'old' }], []).updates).toHaveLength(1);
    expect(prismaReport('r', null, [{ ...failed, strategyFingerprint: null }, again], []).updates).toHaveLength(1);
  });

  it('adds updates up cumulatively', () => {
    expect(report.cumulative).toEqual({ identified: { pubmed: 120, europepmc: 50 }, fetched: 170, notRetrieved: 0, duplicatesRemoved: 61, screened: 109, excluded: 92, included: 4, awaiting: 13 });
  });

  it('counts a search retried within its cycle once: records its first attempt staged are not duplicates', () => {
    const failed: CycleRunRow = { ...run('c3', 'pubmed', 3000, 0, 2000), status: 'failed', fetched: 2000 };
    const retried = run('c3', 'pubmed', 3000, 2000, 1000);
    const [u] = prismaReport('r', null, [failed, retried], [{ runId: failed.id, status: 'pending', count: 2000 }, { runId: retried.id, status: 'pending', count: 1000 }]).updates;
    expect(u).toMatchObject({ identified: { pubmed: 3000 }, fetched: 3000, duplicatesRemoved: 0, screened: 3000, windows: { pubmed: { status: 'ok' } } });
    // Two failed attempts and no success: what the furthest one got.
    const [v] = prismaReport('r', null, [{ ...failed, cycleId: 'c4' }, { ...failed, cycleId: 'c4', fetched: 2500, newWorks: 500, duplicates: 2000 }], []).updates;
    expect(v).toMatchObject({ identified: { pubmed: 3000 }, fetched: 2500, duplicatesRemoved: 0, windows: { pubmed: { status: 'failed' } } });
  });

  it('draws the flow diagram with the totals', () => {
    const svg = renderPrismaSvg('A & B', report.previousStudies, report.cumulative);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('Records identified from databases (n = 170)');
    expect(svg).toContain('Europe PMC (n = 50)');
    expect(svg).toContain('Duplicate records (n = 61)');
    expect(svg).toContain('Total studies included in review (n = 50)');
    expect(svg).toContain('Studies included in previous version (n = 46)');
  });
});
