import { createHmac } from 'node:crypto';
import { signToken, ttlWithin, TTL, type Claims, type Purpose, type SignInput } from './tokens.js';

/** Path prefix of each kind of signed link; the server routes on the same table. */
export const LINK_PATHS = {
  decide: '/a/',
  queue: '/q/',
  conflicts: '/c/',
  unsubscribe: '/u/',
} as const satisfies Partial<Record<Purpose, string>>;

export type LinkKind = keyof typeof LINK_PATHS;

export interface LinkSigner {
  secret: string;
  /** PUBLIC_URL: links are never built from a request's Host header. */
  publicUrl: string;
  now?: () => Date;
  /** Lifetimes (seconds) in place of a kind's default, e.g. a monthly digest's longer links. */
  ttl?: Partial<Record<LinkKind, number>>;
}

/** Mints a signed link of the kind's (or the signer's) lifetime, or less where it must end with `parent`. */
export function signedLink(s: LinkSigner, kind: LinkKind, claims: Omit<SignInput, 'purpose' | 'ttl' | 'now'>, parent?: Pick<Claims, 'e'>): string {
  const now = s.now?.() ?? new Date();
  const ttl = s.ttl?.[kind] ?? TTL[kind];
  const token = signToken(s.secret, { ...claims, purpose: kind, ttl: parent ? ttlWithin(ttl, parent, now) : ttl, now });
  return `${s.publicUrl.replace(/\/+$/, '')}${LINK_PATHS[kind]}${token}`;
}

/** The host Message-IDs are minted under. */
export function publicHost(publicUrl: string): string {
  return new URL(publicUrl).hostname;
}

/**
 * A short tag that tells this install's Message-IDs from another's: two installs on one host (or
 * every fresh one at localhost) number their digests alike. An HMAC of PUBLIC_URL under APP_SECRET
 * with its own label, so it shows nothing of the secret and matches no link signature.
 */
export function installTag(secret: string, publicUrl: string): string {
  return createHmac('sha256', secret).update(`lr-message-id-v1|${publicUrl.replace(/\/+$/, '')}`).digest('hex').slice(0, 12);
}
