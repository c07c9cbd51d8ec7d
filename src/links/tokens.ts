import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { DECISIONS, DELIVERY_ANSWERS, MATCH_DECISIONS, type Decision, type DeliveryAnswer, type MatchDecision } from '../db/schema/index.js';

/**
 * Signed capability tokens for emailed links: `base64url(claims JSON).base64url(HMAC-SHA256)`.
 * The purpose is inside the signed claims, so a token minted for one use never passes for another;
 * the MAC covers the encoded claims exactly, so changing any character invalidates it.
 */
export const PURPOSES = ['decide', 'queue', 'resolve', 'match', 'delivery', 'conflicts', 'unsubscribe'] as const;
export type Purpose = (typeof PURPOSES)[number];

export interface Claims {
  v: 1;
  /** Purpose. */
  p: Purpose;
  /** Reviewer (reviewers.id) the link was issued to. */
  r: number;
  /** Work the action applies to (decide and resolve). */
  w?: number;
  /** The decision the link carries (decide and resolve). */
  a?: Decision;
  /**
   * The latest resolution (screening_decisions.id, 0 for none) a resolve button was shown with: a
   * press after another maintainer's resolution is refused rather than silently replacing it.
   */
  s?: number;
  /** An uncertain pair (match_reviews.id) and the maintainer's answer to it (match). */
  m?: number;
  d?: MatchDecision;
  /** An ambiguous digest (digests.id) and what the maintainer found out about it (delivery). */
  g?: number;
  o?: DeliveryAnswer;
  /** Expiry, seconds since the epoch. */
  e: number;
  /** Token id: random, recorded with the decision so a replayed POST records nothing new. */
  j: string;
}

const claimsSchema = z
  .object({
    v: z.literal(1),
    p: z.enum(PURPOSES),
    r: z.number().int().positive(),
    w: z.number().int().positive().optional(),
    a: z.enum(DECISIONS).optional(),
    s: z.number().int().nonnegative().optional(),
    m: z.number().int().positive().optional(),
    d: z.enum(MATCH_DECISIONS).optional(),
    g: z.number().int().positive().optional(),
    o: z.enum(DELIVERY_ANSWERS).optional(),
    e: z.number().int().positive(),
    j: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  })
  .strict();

export type TokenProblem = 'malformed' | 'bad-signature' | 'expired' | 'wrong-purpose';

export class TokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(`token ${problem}`);
    this.name = 'TokenError';
  }
}

const MAX_TOKEN_LENGTH = 512;
const B64URL = /^[A-Za-z0-9_-]+$/;

function mac(secret: string, encodedClaims: string): string {
  return createHmac('sha256', secret).update(`lr-link-v1|${encodedClaims}`).digest('base64url');
}

export interface SignInput {
  purpose: Purpose;
  reviewerId: number;
  workId?: number;
  action?: Decision;
  seenResolution?: number;
  matchId?: number;
  matchDecision?: MatchDecision;
  digestId?: number;
  deliveryAnswer?: DeliveryAnswer;
  /** Lifetime in seconds. */
  ttl: number;
  now?: Date;
}

export function signToken(secret: string, input: SignInput): string {
  const claims: Claims = {
    v: 1,
    p: input.purpose,
    r: input.reviewerId,
    ...(input.workId !== undefined ? { w: input.workId } : {}),
    ...(input.action !== undefined ? { a: input.action } : {}),
    ...(input.seenResolution !== undefined ? { s: input.seenResolution } : {}),
    ...(input.matchId !== undefined ? { m: input.matchId } : {}),
    ...(input.matchDecision !== undefined ? { d: input.matchDecision } : {}),
    ...(input.digestId !== undefined ? { g: input.digestId } : {}),
    ...(input.deliveryAnswer !== undefined ? { o: input.deliveryAnswer } : {}),
    e: Math.floor((input.now ?? new Date()).getTime() / 1000) + input.ttl,
    j: randomBytes(16).toString('base64url'),
  };
  const encoded = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${encoded}.${mac(secret, encoded)}`;
}

/** Verifies signature, then purpose and expiry; throws TokenError naming what is wrong. */
export function verifyToken(secret: string, token: string, purpose: Purpose, now = new Date()): Claims {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('malformed');
  const parts = token.split('.');
  if (parts.length !== 2 || !B64URL.test(parts[0]!) || !B64URL.test(parts[1]!)) throw new TokenError('malformed');
  const [encoded, given] = parts as [string, string];
  const expected = Buffer.from(mac(secret, encoded));
  const actual = Buffer.from(given);
  // Compared as text, so a changed last character that decodes to the same bytes still fails.
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new TokenError('bad-signature');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('malformed');
  }
  const claims = claimsSchema.safeParse(parsed);
  if (!claims.success) throw new TokenError('malformed');
  if (claims.data.p !== purpose) throw new TokenError('wrong-purpose');
  if (claims.data.e * 1000 <= now.getTime()) throw new TokenError('expired');
  return claims.data as Claims;
}

/** What may appear in logs: the first characters of the token id, never the token. */
export function tokenRef(claims: Pick<Claims, 'j'>): string {
  return claims.j.slice(0, 6);
}

/**
 * A lifetime that ends no later than `parent` does: links minted from a page or a decision must not
 * outlive the link that led there, or one forwarded decision link would open a queue for ever.
 */
export function ttlWithin(ttl: number, parent: Pick<Claims, 'e'>, now: Date): number {
  return Math.max(1, Math.min(ttl, parent.e - Math.floor(now.getTime() / 1000)));
}

export const TTL = {
  /** Decision links in a digest: a few digest periods. */
  decide: 30 * 86_400,
  queue: 30 * 86_400,
  conflicts: 30 * 86_400,
  /** Buttons on a rendered page: long enough to read the page. */
  resolve: 86_400,
  match: 86_400,
  delivery: 86_400,
  /** Unsubscribe must keep working from old mail. */
  unsubscribe: 365 * 86_400,
} as const satisfies Record<Purpose, number>;
