import { describe, expect, it } from 'vitest';
import { signToken, TokenError, verifyToken, type TokenProblem } from '../../src/links/tokens.js';

const SECRET = 'unit-test-secret-0123456789';
const now = new Date('2026-03-02T08:00:00Z');
const token = signToken(SECRET, { purpose: 'decide', reviewerId: 7, workId: 42, action: 'include', ttl: 3600, now });

function problem(fn: () => unknown): TokenProblem | 'accepted' {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    if (err instanceof TokenError) return err.problem;
    throw err;
  }
}

describe('signed link tokens', () => {
  it('round-trips reviewer, work, action and expiry', () => {
    const c = verifyToken(SECRET, token, 'decide', now);
    expect(c).toMatchObject({ v: 1, p: 'decide', r: 7, w: 42, a: 'include', e: now.getTime() / 1000 + 3600 });
    expect(c.j).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });

  it('gives every token its own id', () => {
    const again = signToken(SECRET, { purpose: 'decide', reviewerId: 7, workId: 42, action: 'include', ttl: 3600, now });
    expect(verifyToken(SECRET, again, 'decide', now).j).not.toBe(verifyToken(SECRET, token, 'decide', now).j);
  });

  it('rejects a change to any single character', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < token.length; i++) {
      for (const pick of [1, 17, 40]) {
        let c = alphabet[(alphabet.indexOf(token[i]!) + pick) % alphabet.length]!;
        if (c === token[i]) c = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length]!;
        const tampered = token.slice(0, i) + c + token.slice(i + 1);
        expect(problem(() => verifyToken(SECRET, tampered, 'decide', now)), `position ${i} -> ${c}`).not.toBe('accepted');
      }
    }
  });

  it('rejects truncation, extension and junk', () => {
    expect(problem(() => verifyToken(SECRET, token.slice(0, -1), 'decide', now))).toBe('bad-signature');
    expect(problem(() => verifyToken(SECRET, token + 'A', 'decide', now))).toBe('bad-signature');
    expect(problem(() => verifyToken(SECRET, token + '.x', 'decide', now))).toBe('malformed');
    expect(problem(() => verifyToken(SECRET, '', 'decide', now))).toBe('malformed');
    expect(problem(() => verifyToken(SECRET, 'x'.repeat(600), 'decide', now))).toBe('malformed');
  });

  it('rejects another key', () => {
    expect(problem(() => verifyToken('another-secret-0123456789', token, 'decide', now))).toBe('bad-signature');
  });

  it('rejects a token at or after its expiry, accepts it a second before', () => {
    expect(problem(() => verifyToken(SECRET, token, 'decide', new Date(now.getTime() + 3599_000)))).toBe('accepted');
    expect(problem(() => verifyToken(SECRET, token, 'decide', new Date(now.getTime() + 3600_000)))).toBe('expired');
  });

  it('rejects a token minted for another purpose', () => {
    expect(problem(() => verifyToken(SECRET, token, 'unsubscribe', now))).toBe('wrong-purpose');
    const unsub = signToken(SECRET, { purpose: 'unsubscribe', reviewerId: 7, ttl: 60, now });
    expect(problem(() => verifyToken(SECRET, unsub, 'decide', now))).toBe('wrong-purpose');
  });

  it('rejects well-signed claims that do not fit the schema', () => {
    const bad = signToken(SECRET, { purpose: 'decide', reviewerId: -1, ttl: 60, now });
    expect(problem(() => verifyToken(SECRET, bad, 'decide', now))).toBe('malformed');
  });
});
