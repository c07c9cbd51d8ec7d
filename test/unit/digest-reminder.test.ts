import { describe, expect, it } from 'vitest';
import { digestLifetime, reminderDue } from '../../src/digest/build.js';
import { renderDigest, type DigestModel } from '../../src/digest/render.js';
import { NO_FLAGS } from '../../src/records/types.js';

const DAY = 86_400_000;
const last = new Date('2026-03-02T08:00:00Z');
const after = (days: number) => new Date(last.getTime() + days * DAY);

describe('reminder of records still waiting', () => {
  const weekly = digestLifetime({ digest: '0 8 * * 1', timezone: 'Europe/London' }, last);
  const daily = digestLifetime({ digest: '0 8 * * *', timezone: 'Europe/London' }, last);
  const monthly = digestLifetime({ digest: '0 8 1 * *', timezone: 'Europe/London' }, last);

  it("links last 30 days, or a week past the next digest where digests are further apart", () => {
    expect(weekly.linkTtlMs).toBe(30 * DAY);
    expect(daily.linkTtlMs).toBe(30 * DAY);
    // Up to 31 days between monthly digests, with DST: a week past that.
    expect(monthly.linkTtlMs).toBeGreaterThanOrEqual(38 * DAY - 3_600_000);
  });

  it("is due when the next digest would find the last one's links in their final week", () => {
    expect(reminderDue(undefined, after(100), weekly)).toBe(false);
    // Weekly: the digest 14 days on leaves the next one at 21, out of the last week; at 21 it would be at 28.
    expect(reminderDue(last, after(14), weekly)).toBe(false);
    expect(reminderDue(last, after(21), weekly)).toBe(true);
    expect(reminderDue(last, after(22), daily)).toBe(false);
    expect(reminderDue(last, after(23), daily)).toBe(true);
    // Monthly: every digest is the last before the previous links run out.
    expect(reminderDue(last, after(28), monthly)).toBe(true);
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
