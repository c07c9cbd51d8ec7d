import { describe, expect, it } from 'vitest';
import { digestMessageId } from '../../src/digest/outbox.js';
import { installTag, publicHost } from '../../src/links/urls.js';

const SECRET = 'a-secret-of-this-install-0123456789abcdef';
const idOf = (digestId: number, reviewId: string, secret: string, publicUrl: string) =>
  digestMessageId(digestId, reviewId, { host: publicHost(publicUrl), install: installTag(secret, publicUrl) });

describe('digest Message-IDs', () => {
  it('are stable for one digest of one install', () => {
    expect(idOf(1, 'rev', SECRET, 'https://lr.example.org')).toBe(idOf(1, 'rev', SECRET, 'https://lr.example.org/'));
    expect(idOf(1, 'rev', SECRET, 'https://lr.example.org')).toMatch(/^<digest-1\.rev\.[0-9a-f]{12}@lr\.example\.org>$/);
  });

  it('differ between installs that number their digests alike', () => {
    const ids = new Set([
      idOf(1, 'rev', SECRET, 'http://localhost:3000'),
      idOf(1, 'rev', 'another-fresh-install-secret-0123456789', 'http://localhost:3000'),
      // Two deployments on one host under different paths.
      idOf(1, 'rev', SECRET, 'https://uni.example.org/review-a'),
      idOf(1, 'rev', SECRET, 'https://uni.example.org/review-b'),
      idOf(1, 'other', SECRET, 'http://localhost:3000'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('show nothing of the secret', () => {
    const id = idOf(7, 'rev', SECRET, 'https://lr.example.org');
    expect(id).not.toContain(SECRET.slice(0, 8));
    expect(installTag(SECRET, 'https://lr.example.org')).not.toBe(installTag(SECRET + 'x', 'https://lr.example.org'));
  });
});
