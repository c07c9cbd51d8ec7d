import { describe, expect, it } from 'vitest';
import { reminderDue } from '../../src/digest/build.js';
import { renderDigest, type DigestModel } from '../../src/digest/render.js';
import { NO_FLAGS } from '../../src/records/types.js';

const DAY = 86_400_000;
const last = new Date('2026-03-02T08:00:00Z');
const after = (days: number) => new Date(last.getTime() + days * DAY);

describe('reminder of records still waiting', () => {
  it('is due once the last digest is more than 23 days old (its links last 30)', () => {
    expect(reminderDue(undefined, after(100))).toBe(false);
    expect(reminderDue(last, after(21))).toBe(false);
    expect(reminderDue(last, after(23))).toBe(false);
    expect(reminderDue(last, new Date(after(23).getTime() + 1))).toBe(true);
    expect(reminderDue(last, after(28))).toBe(true);
  });

  it('says the records are still waiting rather than new', () => {
    const links = { include: 'https://x/a/I', exclude: 'https://x/a/E', maybe: 'https://x/a/M' };
    const m: DigestModel = {
      review: { id: 'r', title: 'Peer support' },
      reviewer: { name: 'Ann', email: 'ann@example.org', role: 'reviewer' },
      period: after(28),
      timeZone: 'Europe/London',
      records: [{ workId: 1, title: 'Trial', authors: [], journal: null, year: null, pmid: null, doi: null, abstract: null, flags: NO_FLAGS, kind: null, links }],
      more: 2,
      reminder: true,
      newBySource: [],
      conflicts: 0,
      queueUrl: 'https://x/q/Q',
      unsubscribeUrl: 'https://x/u/U',
    };
    const d = renderDigest(m);
    expect(d.subject).toBe('3 records still waiting for you: Peer support');
    expect(d.text).toContain('these records are still waiting for you');
    expect(d.html).toContain('these records are still waiting for you');
    expect(renderDigest({ ...m, reminder: false }).subject).toBe('3 new records to screen: Peer support');
  });
});
